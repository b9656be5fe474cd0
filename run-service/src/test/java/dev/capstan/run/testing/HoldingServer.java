package dev.capstan.run.testing;

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
 * A loopback HTTP endpoint that never answers: it reads each request's head, then reads on until the client closes
 * the connection, and records that it did.
 */
public final class HoldingServer implements AutoCloseable {

    /** One held connection. */
    public static final class Held {
        public final String requestLine;
        public volatile boolean closedByClient;

        Held(String requestLine) {
            this.requestLine = requestLine;
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
        Thread acceptor = new Thread(() -> {
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
        }, "holding-server");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.getLocalPort() + path;
    }

    public List<Held> held() {
        return List.copyOf(held);
    }

    private void hold(Socket s) {
        Held h = null;
        try (s; InputStream in = s.getInputStream()) {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) != -1) {
                head.write(b);
                if (head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                    break;
                }
            }
            String text = head.toString(StandardCharsets.ISO_8859_1);
            h = new Held(text.contains("\r\n") ? text.substring(0, text.indexOf("\r\n")) : text);
            held.add(h);
            while (in.read() != -1) {
                // the body, then nothing until the client goes away
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
