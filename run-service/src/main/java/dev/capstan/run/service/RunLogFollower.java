package dev.capstan.run.service;

import dev.capstan.run.repository.RunRepository;
import dev.capstan.workflow.event.RunEvent;
import io.vertx.core.Context;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.function.Consumer;

/**
 * Follows one run's event log for a live reader (an SSE stream) on the reader's Vert.x context: reads the events
 * after the last one read, one read at a time, and reads again whenever the run commits meanwhile (on this replica,
 * or on another one through the run-event fan-in). Readers get every event once, in order, with no gap.
 */
@ApplicationScoped
public class RunLogFollower {

    static final int PAGE = 500;

    /** Takes the next events (possibly none); returns true when it wants no more. */
    @FunctionalInterface
    public interface Reader {
        boolean accept(List<RunEvent> events);
    }

    /** A follow in progress; closing it stops reading and unsubscribes. */
    public interface Follow extends AutoCloseable {
        @Override
        void close();
    }

    private final RunRepository runs;
    private final RunEventBus bus;

    public RunLogFollower(RunRepository runs, RunEventBus bus) {
        this.runs = runs;
        this.bus = bus;
    }

    /** Starts following from the beginning of the log; {@code onError} gets a failed read (the follow is then idle). */
    public Follow follow(String runId, Context context, Reader reader, Consumer<Throwable> onError) {
        Tail tail = new Tail(runId, context, reader, onError);
        tail.subscription = bus.subscribe(runId, committed -> context.runOnContext(v -> tail.read()));
        tail.read();
        return tail;
    }

    private final class Tail implements Follow {
        private final String runId;
        private final Context context;
        private final Reader reader;
        private final Consumer<Throwable> onError;
        private AutoCloseable subscription;
        private long lastRead = -1;
        private boolean reading;
        private boolean again;
        private boolean closed;

        Tail(String runId, Context context, Reader reader, Consumer<Throwable> onError) {
            this.runId = runId;
            this.context = context;
            this.reader = reader;
            this.onError = onError;
        }

        private void read() {
            if (closed) {
                return;
            }
            if (reading) {
                again = true;
                return;
            }
            reading = true;
            runs.events(runId, lastRead, PAGE).subscribe().with(events -> context.runOnContext(v -> {
                reading = false;
                if (closed) {
                    return;
                }
                if (!events.isEmpty()) {
                    lastRead = events.get(events.size() - 1).sequence();
                }
                if (reader.accept(events)) {
                    close();
                } else if (events.size() == PAGE || again) {
                    again = false;
                    read();
                }
            }), error -> context.runOnContext(v -> {
                reading = false;
                onError.accept(error);
            }));
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            try {
                subscription.close();
            } catch (Exception ignored) {
                // Unsubscribing cannot fail.
            }
        }
    }
}
