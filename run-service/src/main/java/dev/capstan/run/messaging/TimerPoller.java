package dev.capstan.run.messaging;

import dev.capstan.run.config.RunServiceConfig;
import dev.capstan.run.repository.RunRepository;
import dev.capstan.run.service.RunCoordinator;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Fires durable timers that are due: after a restart, or when another replica armed them in memory and
 * stopped. A timer is deleted in the transaction of the decision it causes, so it fires at most once per outcome.
 * Once a second it also reconciles runs whose local-node lease ran out (their replica stopped mid-node).
 */
@ApplicationScoped
public class TimerPoller {

    private final RunRepository runs;
    private final RunCoordinator coordinator;
    private final RunServiceConfig config;
    private final Vertx vertx;
    private final Clock clock = Clock.systemUTC();
    private final AtomicBoolean polling = new AtomicBoolean();
    private long timerId = -1;
    private long leaseTimerId = -1;
    private final AtomicBoolean reconciling = new AtomicBoolean();

    public TimerPoller(RunRepository runs, RunCoordinator coordinator, RunServiceConfig config, Vertx vertx) {
        this.runs = runs;
        this.coordinator = coordinator;
        this.config = config;
        this.vertx = vertx;
    }

    void start(@Observes StartupEvent start) {
        timerId = vertx.setPeriodic(config.timerPollInterval().toMillis(), id -> poll());
        leaseTimerId = vertx.setPeriodic(1000, id -> reconcileExpiredLeases());
    }

    void stop(@Observes ShutdownEvent stop) {
        if (timerId >= 0) {
            vertx.cancelTimer(timerId);
            vertx.cancelTimer(leaseTimerId);
        }
    }

    private void reconcileExpiredLeases() {
        if (!reconciling.compareAndSet(false, true)) {
            return;
        }
        coordinator.reconcileExpiredLeases().subscribe().with(n -> reconciling.set(false), e -> reconciling.set(false));
    }

    private void poll() {
        if (!polling.compareAndSet(false, true)) {
            return;
        }
        runs.dueTimers(clock.instant(), 200)
                .flatMap(due -> due.isEmpty() ? Uni.createFrom().voidItem()
                        : Uni.join().all(due.stream().map(coordinator::fire).toList()).andCollectFailures().replaceWithVoid())
                .subscribe().with(ok -> polling.set(false), e -> polling.set(false));
    }
}
