package dev.capstan.run.messaging;

import dev.capstan.run.config.RunServiceConfig;
import dev.capstan.run.repository.OutboxMessage;
import dev.capstan.run.repository.RunRepository;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.jboss.logging.Logger;

/**
 * Publishes outbox rows to Kafka. Rows are published right after the transaction that wrote them
 * commits (no polling delay on the hot path) and deleted once the broker has them; a periodic sweep
 * republishes rows a stopped replica left behind. Delivery is at-least-once: consumers ignore duplicates.
 */
@ApplicationScoped
public class OutboxRelay {

    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);

    private final KafkaProducer<String, String> producer;
    private final RunRepository runs;
    private final RunServiceConfig config;
    private final Vertx vertx;
    private final Clock clock = Clock.systemUTC();
    private long sweepTimer = -1;
    private final ConcurrentLinkedQueue<Long> pendingDeletes = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean deleting = new AtomicBoolean();

    public OutboxRelay(KafkaProducer<String, String> producer, RunRepository runs, RunServiceConfig config, Vertx vertx) {
        this.producer = producer;
        this.runs = runs;
        this.config = config;
        this.vertx = vertx;
    }

    void start(@Observes StartupEvent start) {
        long period = Math.max(1000, config.outboxOrphanAge().toMillis() / 2);
        sweepTimer = vertx.setPeriodic(period, id -> sweep());
    }

    void stop(@Observes ShutdownEvent stop) {
        if (sweepTimer >= 0) {
            vertx.cancelTimer(sweepTimer);
        }
    }

    /** Sends committed rows; completes when the broker has acknowledged all of them and they are deleted. */
    public Uni<Void> publish(List<OutboxMessage> messages) {
        if (messages.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Uni<Long>> sends = new ArrayList<>(messages.size());
        for (OutboxMessage message : messages) {
            sends.add(Uni.createFrom().emitter(emitter -> producer.send(
                    new ProducerRecord<>(message.topic(), message.key(), message.payload()),
                    (metadata, error) -> {
                        if (error != null) {
                            emitter.fail(error);
                        } else {
                            emitter.complete(message.id());
                        }
                    })));
        }
        return Uni.join().all(sends).andFailFast()
                .invoke(this::deleteSoon)
                .onFailure().invoke(e -> LOG.warnf("Outbox publish failed (the sweep retries): %s", e.getMessage()))
                .replaceWithVoid();
    }

    /**
     * Deletes published rows, coalescing: while one delete is running, ids gather for the next, so under load a
     * statement removes many rows instead of costing a round trip per commit.
     */
    private void deleteSoon(List<Long> ids) {
        pendingDeletes.addAll(ids);
        drainDeletes();
    }

    private void drainDeletes() {
        if (!deleting.compareAndSet(false, true)) {
            return;
        }
        List<Long> batch = new ArrayList<>();
        Long id;
        while (batch.size() < 1000 && (id = pendingDeletes.poll()) != null) {
            batch.add(id);
        }
        if (batch.isEmpty()) {
            deleting.set(false);
            if (!pendingDeletes.isEmpty()) {
                drainDeletes();
            }
            return;
        }
        runs.deleteOutbox(batch).subscribe().with(ok -> {
            deleting.set(false);
            drainDeletes();
        }, e -> {
            // The rows stay; the sweep publishes them again and consumers ignore the duplicates.
            LOG.warnf("Deleting %d published outbox rows failed: %s", batch.size(), e.getMessage());
            deleting.set(false);
        });
    }

    private void sweep() {
        runs.staleOutbox(clock.instant().minus(config.outboxOrphanAge()), 500)
                .flatMap(this::publish)
                .subscribe().with(ok -> { }, e -> LOG.warnf("Outbox sweep failed: %s", e.getMessage()));
    }
}
