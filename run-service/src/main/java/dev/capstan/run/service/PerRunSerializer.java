package dev.capstan.run.service;

import io.smallrye.mutiny.Uni;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Runs work for one run strictly one after another while different runs proceed in parallel, so that
 * a replica never races itself on a run's sequence (results, timers and API calls on the same run).
 */
final class PerRunSerializer {

    private final ConcurrentHashMap<String, CompletableFuture<Void>> tails = new ConcurrentHashMap<>();

    <T> Uni<T> submit(String runId, Supplier<Uni<T>> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        CompletableFuture<Void> tail = tails.compute(runId, (id, previous) -> {
            CompletableFuture<Void> before = previous == null ? CompletableFuture.completedFuture(null) : previous;
            return before.thenCompose(ignored -> {
                CompletableFuture<Void> done = new CompletableFuture<>();
                Uni<T> unit;
                try {
                    unit = work.get();
                } catch (RuntimeException e) {
                    result.completeExceptionally(e);
                    return CompletableFuture.completedFuture(null);
                }
                unit.subscribe().with(value -> {
                    result.complete(value);
                    done.complete(null);
                }, error -> {
                    result.completeExceptionally(error);
                    done.complete(null);
                });
                return done;
            });
        });
        tail.whenComplete((ignored, error) -> tails.remove(runId, tail));
        return Uni.createFrom().completionStage(result);
    }
}
