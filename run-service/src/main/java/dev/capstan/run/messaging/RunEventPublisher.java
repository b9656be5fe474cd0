package dev.capstan.run.messaging;

import dev.capstan.common.messaging.Topics;
import dev.capstan.run.config.RunServiceConfig;
import dev.capstan.run.repository.RunRepository;
import dev.capstan.run.service.JsonCodec;
import dev.capstan.workflow.event.RunEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Publishes committed run events to {@link Topics#RUN_EVENTS} (record key = run id; message
 * {@code {v: 1, tenantId, runId, events: [RunEventDoc…]}}). The event log is the source: a commit does not
 * write an outbox row for its events; they are sent right after it, the per-run high-water mark the topic has
 * ({@code runs.published_sequence}) is recorded in batches, and a sweep republishes from the log what a
 * stopped replica had not sent. At-least-once: a consumer may see an event twice and dedupes by sequence.
 */
@ApplicationScoped
public class RunEventPublisher {

    private static final Logger LOG = Logger.getLogger(RunEventPublisher.class);
    private static final int SWEEP_BATCH = 200;

    private final KafkaProducer<String, String> producer;
    private final RunRepository runs;
    private final JsonCodec json;
    private final RunServiceConfig config;
    private final Vertx vertx;
    private final Clock clock = Clock.systemUTC();
    /** Run id → highest sequence the broker acknowledged and not yet recorded. */
    private final Map<String, Long> acknowledged = new ConcurrentHashMap<>();
    private long flushTimer = -1;
    private long sweepTimer = -1;

    public RunEventPublisher(RunRepository runs, JsonCodec json, RunServiceConfig config, Vertx vertx,
                             @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap) {
        this.runs = runs;
        this.json = json;
        this.config = config;
        this.vertx = vertx;
        // Events are for observers (webhooks, other replicas' streams), not on a run's critical path: a few
        // milliseconds of linger let one request carry the events of many runs under load.
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
                ProducerConfig.LINGER_MS_CONFIG, "5",
                ProducerConfig.CLIENT_ID_CONFIG, "run-service-events"), new StringSerializer(), new StringSerializer());
    }

    void start(@Observes StartupEvent start) {
        flushTimer = vertx.setPeriodic(100, id -> flush());
        long period = Math.max(1000, config.outboxOrphanAge().toMillis() / 2);
        sweepTimer = vertx.setPeriodic(period, id -> sweep());
    }

    void stop(@Observes ShutdownEvent stop) {
        vertx.cancelTimer(flushTimer);
        vertx.cancelTimer(sweepTimer);
        producer.flush();
        flush();
        producer.close(Duration.ofSeconds(5));
    }

    /** Sends a commit's events; never fails the caller (the sweep covers what does not arrive). */
    public void publish(String tenantId, String runId, List<RunEvent> events) {
        if (events.isEmpty()) {
            return;
        }
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("v", 1);
        message.put("tenantId", tenantId);
        message.put("runId", runId);
        message.put("events", events.stream().map(RunEvent::toDocument).toList());
        long last = events.get(events.size() - 1).sequence();
        producer.send(new ProducerRecord<>(Topics.RUN_EVENTS, runId, json.write(message)), (metadata, error) -> {
            if (error == null) {
                acknowledged.merge(runId, last, Math::max);
            } else {
                LOG.debugf("Events of run %s up to %d not published (the sweep retries): %s", runId, last, error.getMessage());
            }
        });
    }

    private void flush() {
        if (acknowledged.isEmpty()) {
            return;
        }
        String[] ids = acknowledged.keySet().toArray(String[]::new);
        Long[] sequences = new Long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            sequences[i] = acknowledged.remove(ids[i]);
        }
        runs.markPublished(ids, sequences).subscribe().with(ok -> { }, e -> {
            LOG.warnf("Recording published events of %d runs failed (they may be published again): %s", ids.length, e.getMessage());
        });
    }

    private void sweep() {
        runs.unpublishedRuns(clock.instant().minus(config.outboxOrphanAge()), SWEEP_BATCH)
                .onItem().transformToMulti(list -> Multi.createFrom().iterable(list))
                .onItem().transformToUniAndConcatenate(run -> runs.events(run.runId(), run.publishedSequence(), 1000)
                        .invoke(events -> publish(run.tenantId(), run.runId(), events)))
                .collect().last()
                .subscribe().with(ok -> { }, e -> LOG.warnf("Run event sweep failed: %s", e.getMessage()));
    }
}
