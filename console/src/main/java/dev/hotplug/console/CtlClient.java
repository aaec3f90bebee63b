package dev.hotplug.console;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/** {@code ./hotplug ctl}: sends one command line to a running process's admin port and relays the answer. */
final class CtlClient {

    private static final int CONNECT_TIMEOUT_MILLIS = 5_000;
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./:=@,+%-]+");

    private CtlClient() {
    }

    /**
     * Runs {@code line} on the process at {@code admin} with the token in {@code tokenFile}; the output goes to
     * {@code out}, an error to {@code err}. Returns 0 on success, 1 when the command or the connection failed.
     * Blocks until the answer is complete.
     */
    static int run(InetSocketAddress admin, Path tokenFile, String line, PrintStream out, PrintStream err) {
        String token;
        try {
            token = AdminToken.read(tokenFile);
        } catch (ConsoleException e) {
            err.println("hotplug ctl: " + e.getMessage());
            return 1;
        }
        try (Socket socket = new Socket()) {
            socket.connect(admin, CONNECT_TIMEOUT_MILLIS);
            OutputStream to = socket.getOutputStream();
            to.write((token + "\n" + line.replace('\n', ' ') + "\n").getBytes(StandardCharsets.UTF_8));
            to.flush();
            BufferedReader from = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            String answer;
            while ((answer = from.readLine()) != null) {
                if (answer.equals(AdminServer.OK)) {
                    out.flush();
                    return 0;
                }
                if (answer.startsWith(AdminServer.ERR)) {
                    out.flush();
                    err.println("hotplug ctl: " + answer.substring(AdminServer.ERR.length()));
                    return 1;
                }
                out.println(answer);
            }
            err.println("hotplug ctl: Cannot run " + line + ": the admin connection closed before the answer ended");
            return 1;
        } catch (IOException e) {
            err.println("hotplug ctl: Cannot reach the admin port " + AdminServer.hostPort(admin) + ": " + e.getMessage()
                    + " (is ./hotplug run running, with this --admin?)");
            return 1;
        }
    }

    /** One argument is sent as it is (so a quoted pipeline works); several are quoted where Gogo needs it. */
    static String commandLine(List<String> words) {
        if (words.size() == 1) {
            return words.get(0);
        }
        StringBuilder line = new StringBuilder();
        for (String word : words) {
            if (line.length() > 0) {
                line.append(' ');
            }
            // Inside Gogo's single quotes, unlike a shell's, a backslash still escapes: double it. A quote closes the
            // quoted part, so it goes in as an escaped quote between two quoted parts.
            line.append(PLAIN.matcher(word).matches() ? word
                    : "'" + word.replace("\\", "\\\\").replace("'", "'\\''") + "'");
        }
        return line.toString();
    }
}
