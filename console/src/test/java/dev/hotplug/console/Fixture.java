package dev.hotplug.console;

import dev.hotplug.framework.Hotplug;
import dev.hotplug.testkit.ModuleJarBuilder;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;

/** Test modules (real jars), a started framework with its admin port, and a line-protocol client. */
final class Fixture implements AutoCloseable {

    private static final Map<String, byte[]> COMPILED = new ConcurrentHashMap<>();

    final Path dir;
    final Hotplug hotplug;
    final AdminShell shell;
    final AdminServer server;
    /** Counted down each time a {@code stop} command's graceful stop starts. */
    final CountDownLatch stops = new CountDownLatch(1);

    Fixture(Path dir) {
        this.dir = dir;
        module("counter", "1.0.0", "", dir.resolve("modules"));
        module("greeter", "1.0.0", "", dir.resolve("modules"));
        hotplug = Hotplug.builder().modulesFolder(dir.resolve("modules")).stateFolder(dir.resolve("state"))
                .lifecycleTimeout(Duration.ofSeconds(5)).threadJoin(Duration.ofMillis(500)).build();
        hotplug.start();
        shell = new AdminShell(hotplug, stops::countDown);
        server = AdminServer.open(shell, new InetSocketAddress("127.0.0.1", 0), false);
    }

    /**
     * Writes module {@code name} at {@code version} as {@code name.jar} into {@code folder}: it keeps a {@code @State}
     * count of its loads; {@code loadBody} runs at the end of its {@code @Load}.
     */
    static Path module(String name, String version, String loadBody, Path folder) {
        String pkg = "com.acme." + name;
        String source = """
                package %s;

                import dev.hotplug.api.*;

                @HotplugModule
                public class Module {
                    @State
                    public long loads;

                    @Load
                    void load(ModuleContext context) {
                        loads++;
                        %s
                    }
                }
                """.formatted(pkg, loadBody);
        byte[] bytes = COMPILED.computeIfAbsent(name + "|" + version + "|" + loadBody,
                k -> ModuleJarBuilder.module(name, version).source(pkg + ".Module", source).toBytes());
        try {
            Files.createDirectories(folder);
            Path temp = Files.createTempFile(folder, ".building-", ".tmp");
            Files.write(temp, bytes);
            return Files.move(temp, folder.resolve(name + ".jar"), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String token() throws IOException {
        return Files.readString(server.tokenFile()).strip();
    }

    String adminAddress() {
        return AdminServer.hostPort(server.address());
    }

    /** One authenticated connection to the admin port. */
    Client connect() throws IOException {
        Client client = new Client(server.address());
        client.send(token());
        return client;
    }

    @Override
    public void close() {
        server.close();
        shell.close();
        hotplug.close();
    }

    /** A reply: the output lines before the status line, and the status line without its 0x04. */
    record Reply(String output, String status) {
        boolean ok() {
            return status.equals("OK");
        }
    }

    /** A line-protocol client. Not thread-safe. */
    static final class Client implements AutoCloseable {
        final Socket socket;
        final BufferedReader in;
        final OutputStream out;

        Client(InetSocketAddress address) throws IOException {
            socket = new Socket();
            socket.connect(address, 5000);
            socket.setSoTimeout(20_000);
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            out = socket.getOutputStream();
        }

        void send(String line) throws IOException {
            out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        Reply run(String command) throws IOException {
            send(command);
            StringBuilder output = new StringBuilder();
            String line;
            while ((line = in.readLine()) != null) {
                if (!line.isEmpty() && line.charAt(0) == AdminServer.EOT) {
                    return new Reply(output.toString(), line.substring(1));
                }
                output.append(line).append('\n');
            }
            throw new IOException("connection closed before the status line; output so far: " + output);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
