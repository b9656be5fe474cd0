package dev.capstan.executor;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Every log line the application writes while installed, formatted as it would be printed. */
public final class LogCapture extends Handler implements AutoCloseable {

    private final List<String> lines = new CopyOnWriteArrayList<>();

    public static LogCapture install() {
        LogCapture c = new LogCapture();
        Logger.getLogger("").addHandler(c);
        return c;
    }

    @Override
    public void publish(LogRecord r) {
        String msg = r.getMessage();
        try {
            msg = new java.util.logging.SimpleFormatter().formatMessage(r);
        } catch (RuntimeException ignored) {
            // keep the raw message
        }
        StringBuilder sb = new StringBuilder(String.valueOf(msg));
        for (Throwable t = r.getThrown(); t != null; t = t.getCause()) {
            sb.append(" | ").append(t);
        }
        lines.add(sb.toString());
    }

    public List<String> lines() {
        return List.copyOf(lines);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        Logger.getLogger("").removeHandler(this);
    }
}
