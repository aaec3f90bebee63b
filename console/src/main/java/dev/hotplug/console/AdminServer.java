package dev.hotplug.console;

import org.apache.felix.service.command.CommandSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The admin port: a line protocol over TCP. The client's first line is the token; then each line is a Gogo command
 * line, answered by its output and a status line {@code \u0004OK} or {@code \u0004ERR message}. One thread per
 * connection, at most {@link #MAX_CONNECTIONS}. Thread-safe; {@link #close()} closes every socket.
 */
final class AdminServer implements AutoCloseable {

    static final char EOT = '\u0004';
    static final String OK = EOT + "OK";
    static final String ERR = EOT + "ERR ";
    static final int MAX_CONNECTIONS = 8;
    /** How long a new connection may take to send its token. */
    static final int TOKEN_TIMEOUT_MILLIS = 10_000;
    /** The longest first line read as a token: a token is 64 hex digits, so anything far longer is refused unread. */
    static final int MAX_TOKEN_LINE = 256;

    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);

    private final AdminShell shell;
    private final String token;
    private final Path tokenFile;
    private final ServerSocket server;
    private final Semaphore slots = new Semaphore(MAX_CONNECTIONS);
    private final Set<Socket> clients = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private volatile boolean closed;

    private AdminServer(AdminShell shell, ServerSocket server, Path tokenFile, String token) {
        this.shell = shell;
        this.server = server;
        this.tokenFile = tokenFile;
        this.token = token;
        this.acceptor = new Thread(this::accept, "hotplug-admin");
        acceptor.setDaemon(true);
    }

    /**
     * Binds {@code address} (a non-loopback one only when {@code bindAny}), writes a fresh token to
     * {@code <state>/admin.token} and starts accepting.
     *
     * @throws ConsoleException when the address is not loopback without {@code bindAny}, or cannot be bound
     */
    static AdminServer open(AdminShell shell, InetSocketAddress address, boolean bindAny) {
        if (address.isUnresolved()) {
            throw new ConsoleException("Cannot open admin port " + address.getHostString() + ":" + address.getPort()
                    + ": unknown host", null, null);
        }
        if (!address.getAddress().isLoopbackAddress()) {
            if (!bindAny) {
                throw new ConsoleException("Cannot open admin port " + hostPort(address) + ": not a loopback address; "
                        + "pass --admin-bind-any to expose the console beyond this machine", null, null);
            }
            LOG.warn("Admin port bound to non-loopback address {}: anyone who can reach it and holds the token "
                    + "controls this process", hostPort(address));
        }
        ServerSocket socket;
        try {
            socket = new ServerSocket();
            socket.setReuseAddress(true);
            socket.bind(address, 16);
        } catch (IOException e) {
            throw new ConsoleException("Cannot open admin port " + hostPort(address) + ": " + e.getMessage()
                    + " (choose another with --admin HOST:PORT)", null, e);
        }
        Path tokenFile = shell.hotplug().stateFolder().resolve(AdminToken.FILE_NAME);
        String token;
        try {
            token = AdminToken.create(tokenFile);
        } catch (ConsoleException e) {
            closeQuietly(socket);
            throw e;
        }
        AdminServer admin = new AdminServer(shell, socket, tokenFile, token);
        admin.acceptor.start();
        LOG.info("Admin console on {} (token in {})", hostPort(admin.address()), tokenFile);
        return admin;
    }

    /** The bound address (with the real port when 0 was asked). */
    InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    Path tokenFile() {
        return tokenFile;
    }

    private void accept() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                if (!closed) {
                    LOG.error("Admin port {} stopped accepting: {}", hostPort(address()), e.toString());
                }
                return;
            }
            if (!slots.tryAcquire()) {
                refuse(client, "Cannot open admin session: " + MAX_CONNECTIONS + " connections are open already");
                continue;
            }
            clients.add(client);
            Thread thread = new Thread(() -> serve(client), "hotplug-admin-" + peer(client));
            thread.setDaemon(true);
            thread.start();
        }
    }

    private void serve(Socket client) {
        String peer = peer(client);
        try (client) {
            InputStream bytes = new BufferedInputStream(client.getInputStream());
            OutputStream raw = client.getOutputStream();
            if (!AdminToken.matches(token, readToken(client, bytes, TOKEN_TIMEOUT_MILLIS))) {
                LOG.warn("Admin connection from {} refused: wrong token", peer);
                write(raw, ERR + "Cannot open admin session: wrong token (read it from " + AdminToken.FILE_NAME + ")\n");
                return;
            }
            client.setSoTimeout(0);
            session(peer, new BufferedReader(new InputStreamReader(bytes, StandardCharsets.UTF_8)), raw);
        } catch (SocketTimeoutException e) {
            LOG.warn("Admin connection from {} closed: no token within {} ms", peer, TOKEN_TIMEOUT_MILLIS);
        } catch (SocketException e) {
            if (!closed) {
                LOG.debug("Admin connection from {} ended: {}", peer, e.toString());
            }
        } catch (IOException e) {
            LOG.warn("Admin connection from {} failed: {}", peer, e.toString());
        } finally {
            clients.remove(client);
            slots.release();
        }
    }

    /**
     * The first line, read before anything is trusted: at most {@link #MAX_TOKEN_LINE} bytes (a longer line is no
     * token, and {@code null} is returned), all within {@code timeoutMillis} of the call, however slowly the bytes
     * come. Blocks until then; throws {@link SocketTimeoutException} past the deadline.
     */
    static String readToken(Socket client, InputStream in, int timeoutMillis) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                throw new SocketTimeoutException("no token line within " + timeoutMillis + " ms");
            }
            client.setSoTimeout((int) left);
            int b = in.read();
            if (b == -1 || b == '\n') {
                return b == -1 && line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8).strip();
            }
            if (line.size() == MAX_TOKEN_LINE) {
                return null;
            }
            line.write(b);
        }
    }

    private void session(String peer, BufferedReader in, OutputStream raw) throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);
        CommandSession session = shell.open(peer, InputStream.nullInputStream(), out, false);
        try {
            String line;
            while (!closed && (line = in.readLine()) != null) {
                String command = line.strip();
                if (command.equals("exit") || command.equals("quit")) {
                    return;
                }
                String error = command.isEmpty() ? null : shell.execute(session, command, out);
                String output = buffer.toString(StandardCharsets.UTF_8);
                buffer.reset();
                StringBuilder reply = new StringBuilder();
                for (String outLine : output.split("\n", -1)) {
                    // An output line may not pass for the status line.
                    reply.append(outLine.isEmpty() || outLine.charAt(0) != EOT ? outLine : outLine.substring(1)).append('\n');
                }
                reply.setLength(reply.length() - 1);
                reply.append(error == null ? OK : ERR + error).append('\n');
                write(raw, reply.toString());
                if (shell.afterAnswer()) {
                    return;
                }
            }
        } finally {
            shell.close(session);
        }
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(server);
        clients.forEach(AdminServer::closeQuietly);
        try {
            acceptor.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void refuse(Socket client, String message) {
        try (client) {
            write(client.getOutputStream(), ERR + message + "\n");
        } catch (IOException e) {
            LOG.debug("Cannot tell {} it was refused: {}", peer(client), e.toString());
        }
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    static String peer(Socket client) {
        return client.getInetAddress().getHostAddress() + ":" + client.getPort();
    }

    static String hostPort(InetSocketAddress address) {
        String host = address.getAddress() != null ? address.getAddress().getHostAddress() : address.getHostString();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    private static void closeQuietly(java.io.Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException e) {
            LOG.debug("Cannot close {}: {}", closeable, e.toString());
        }
    }
}
