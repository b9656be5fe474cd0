package dev.capstan.run.service;

import dev.capstan.workflow.event.RunEvent;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Tells this replica's live readers (SSE streams, long polls) about events committed for a run. Readers
 * always re-read the log from their last sequence, so a notification may be late or repeated without
 * causing a gap or a duplicate.
 */
@ApplicationScoped
public class RunEventBus {

    private final Map<String, Set<Consumer<List<RunEvent>>>> listeners = new ConcurrentHashMap<>();

    public AutoCloseable subscribe(String runId, Consumer<List<RunEvent>> listener) {
        listeners.computeIfAbsent(runId, id -> ConcurrentHashMap.newKeySet()).add(listener);
        return () -> listeners.computeIfPresent(runId, (id, set) -> {
            set.remove(listener);
            return set.isEmpty() ? null : set;
        });
    }

    /**
     * Tells this replica's readers of a run that its log grew elsewhere (another replica committed): they re-read
     * the log from their last sequence.
     */
    public void wake(String runId) {
        Set<Consumer<List<RunEvent>>> readers = listeners.get(runId);
        if (readers != null) {
            readers.forEach(reader -> reader.accept(List.of()));
        }
    }

    public void committed(String runId, List<RunEvent> events) {
        Set<Consumer<List<RunEvent>>> readers = listeners.get(runId);
        if (readers != null && !events.isEmpty()) {
            readers.forEach(reader -> reader.accept(events));
        }
    }
}
