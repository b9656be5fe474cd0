package dev.capstan.webhook.messaging;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.capstan.common.messaging.Topics;
import dev.capstan.webhook.config.WebhookConfig;
import dev.capstan.webhook.service.DeliveryMetrics;
import dev.capstan.webhook.service.DeliveryService;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Runs this replica's member of the {@code capstan.run.events} consumer group and turns each polled batch into
 * deliveries: records are grouped by run (the record key) and handled in offset order within a run, runs
 * concurrently. A record that cannot be read goes to {@code capstan.run.events.dlq} with the reason.
 */
@ApplicationScoped
public class RunEventListener {

    private static final Logger LOG = Logger.getLogger(RunEventListener.class);

    private final DeliveryService deliveries;
    private final DeliveryMetrics metrics;
    private final ObjectMapper json;
    private final WebhookConfig config;
    private final String bootstrap;
    private RunEventConsumer consumer;
    private KafkaProducer<String, String> deadLetters;

    public RunEventListener(DeliveryService deliveries, DeliveryMetrics metrics, ObjectMapper json, WebhookConfig config,
                            @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap) {
        this.deliveries = deliveries;
        this.metrics = metrics;
        this.json = json;
        this.config = config;
        this.bootstrap = bootstrap;
    }

    void start(@Observes StartupEvent start) {
        deadLetters = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.CLIENT_ID_CONFIG, "webhook-service-dlq"), new StringSerializer(), new StringSerializer());
        String clientId = "webhook-service-" + UUID.randomUUID().toString().substring(0, 8);
        consumer = new RunEventConsumer(bootstrap, config.consumer().group(), clientId, config.consumer().maxPollRecords(),
                this::process);
        consumer.start();
    }

    void stop(@Observes ShutdownEvent stop) {
        if (consumer != null) {
            consumer.stop(config.delivery().timeout().plusSeconds(10));
        }
        if (deadLetters != null) {
            deadLetters.close(Duration.ofSeconds(5));
        }
    }

    /** Whether the consumer thread is running (liveness). */
    public boolean consuming() {
        return consumer != null && consumer.alive();
    }

    CompletionStage<Void> process(List<ConsumerRecord<String, String>> batch) {
        Map<String, List<RunEventsMessage>> byRun = new LinkedHashMap<>();
        for (ConsumerRecord<String, String> r : batch) {
            RunEventsMessage message = read(r);
            if (message != null) {
                byRun.computeIfAbsent(message.runId(), k -> new ArrayList<>()).add(message);
            }
        }
        return Multi.createFrom().iterable(byRun.values())
                .onItem().transformToUni(this::handleInOrder).merge(config.delivery().concurrency())
                .collect().last()
                .replaceWithVoid()
                .subscribeAsCompletionStage();
    }

    private Uni<Void> handleInOrder(List<RunEventsMessage> messages) {
        return Multi.createFrom().iterable(messages)
                .onItem().transformToUniAndConcatenate(deliveries::handle)
                .collect().last()
                .replaceWithVoid();
    }

    private RunEventsMessage read(ConsumerRecord<String, String> r) {
        try {
            return RunEventsMessage.read(r.value() == null ? null : json.readTree(r.value()));
        } catch (JsonProcessingException | IllegalArgumentException e) {
            String reason = e instanceof JsonProcessingException ? "not JSON" : e.getMessage();
            metrics.malformedRecord();
            LOG.warnf("Run event record %s-%d@%d cannot be read (%s); sent to %s", r.topic(), r.partition(), r.offset(),
                    reason, Topics.deadLetters(Topics.RUN_EVENTS));
            ProducerRecord<String, String> dead = new ProducerRecord<>(Topics.deadLetters(Topics.RUN_EVENTS), r.key(), r.value());
            dead.headers().add("capstan-dlq-reason", reason.getBytes(StandardCharsets.UTF_8));
            deadLetters.send(dead, (metadata, error) -> {
                if (error != null) {
                    LOG.errorf("Dead letter of %s-%d@%d was not written: %s", r.topic(), r.partition(), r.offset(), error.getMessage());
                }
            });
            return null;
        }
    }
}
