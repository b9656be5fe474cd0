package dev.capstan.workflow.engine;

import java.util.concurrent.atomic.AtomicLong;

/** Where event and interrupt ids come from; the caller decides (UUIDs in services, counters in tests). */
@FunctionalInterface
public interface IdSource {

    String nextId();

    /** prefix-1, prefix-2, ... — deterministic, for tests and replays. */
    static IdSource sequential(String prefix) {
        AtomicLong n = new AtomicLong();
        return () -> prefix + "-" + n.incrementAndGet();
    }
}
