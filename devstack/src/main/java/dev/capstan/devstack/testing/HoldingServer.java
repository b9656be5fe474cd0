package dev.capstan.devstack.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback HTTP endpoint that never answers: it accepts each connection, reads the request head and then waits,
 * reading, until the client closes the connection. What a test asserts is whether and when that happens.
 */
public final class HoldingServer implements AutoCloseable {

    /** One connection: the request line, and whether the client has closed it. */
    public static final class Held {
        private final String requestLine;
        private volatile boolean closedByClient;

        Held(String requestLine) {
            this.requestLine = requestLine;
        }

        public String requestLine() {
            return requestLine;
        }

        public boolean closedByClient() {
            return closedByClient;
        }
    }

    private final ServerSocket server;
    private final List<Held> held = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    public HoldingServer() {
        try {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread acceptor = new Thread(this::accept, "holding-server");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.getLocalPort() + path;
    }

    public List<Held> held() {
        return List.copyOf(held);
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                sockets.add(s);
                Thread t = new Thread(() -> hold(s), "holding-connection");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void hold(Socket s) {
        Held h = null;
        try (s; InputStream in = s.getInputStream()) {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) != -1) {
                head.write(b);
                if (head.size() >= 4 && head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                    break;
                }
            }
            String text = head.toString(StandardCharsets.ISO_8859_1);
            h = new Held(text.isEmpty() ? "" : text.substring(0, Math.max(0, text.indexOf("\r\n"))));
            held.add(h);
            // The body (if any) and then nothing: read until the client goes away.
            while (in.read() != -1) {
                // discard
            }
            h.closedByClient = true;
        } catch (IOException e) {
            if (h != null) {
                h.closedByClient = true; // a reset is the client going away too
            }
        }
    }

    @Override
    public void close() {
        try {
            server.close();
            for (Socket s : sockets) {
                s.close();
            }
        } catch (IOException e) {
            // closing anyway
        }
    }
}
