package dev.capstan.run.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.capstan.common.messaging.Topics;
import dev.capstan.run.config.RunServiceConfig;
import dev.capstan.run.service.RunCoordinator;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Starts and cancels sub-workflow child runs ({@link ChildRunMessage}) as one consumer group across replicas.
 * Records are handled one after another, so a parent's cancel never overtakes the start of the child it cancels
 * (both are keyed by the parent's run id, hence on one partition); offsets are committed after the poll is handled,
 * and a redelivered start finds the child it already made.
 */
@ApplicationScoped
public class ChildRunConsumer {

    private static final Logger LOG = Logger.getLogger(ChildRunConsumer.class);

    private final RunCoordinator coordinator;
    private final ObjectMapper json;
    private final RunServiceConfig config;
    private final String bootstrap;
    private final AtomicBoolean running = new AtomicBoolean();
    private KafkaConsumer<String, String> consumer;
    private Thread thread;

    public ChildRunConsumer(RunCoordinator coordinator, ObjectMapper json, RunServiceConfig config,
                            @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap) {
        this.coordinator = coordinator;
        this.json = json;
        this.config = config;
        this.bootstrap = bootstrap;
    }

    void start(@Observes StartupEvent start) {
        if (!config.consumeResults()) {
            return;
        }
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, config.resultsGroup() + ".children");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "100");
        consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
        consumer.subscribe(List.of(Topics.RUN_CHILDREN));
        running.set(true);
        thread = new Thread(this::loop, "child-run-consumer");
        thread.setDaemon(true);
        thread.start();
    }

    void stop(@Observes ShutdownEvent stop) throws InterruptedException {
        if (running.compareAndSet(true, false)) {
            consumer.wakeup();
            thread.join(10_000);
        }
    }

    private void loop() {
        try {
            while (running.get()) {
                ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(500));
                for (ConsumerRecord<String, String> record : records) {
                    handle(record);
                }
                if (!records.isEmpty()) {
                    consumer.commitSync();
                }
            }
        } catch (WakeupException e) {
            if (running.get()) {
                throw e;
            }
        } catch (RuntimeException e) {
            LOG.error("Child run consumer stopped", e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void handle(ConsumerRecord<String, String> record) {
        ChildRunMessage message;
        try {
            message = json.readValue(record.value(), ChildRunMessage.class);
        } catch (Exception e) {
            LOG.errorf("Skipping an unreadable child-run message at %s-%d@%d: %s", record.topic(), record.partition(),
                    record.offset(), e.getMessage());
            return;
        }
        try {
            if (ChildRunMessage.START.equals(message.kind())) {
                coordinator.startChild(message).await().atMost(Duration.ofSeconds(30));
            } else if (ChildRunMessage.CANCEL.equals(message.kind())) {
                coordinator.cancelChild(message).await().atMost(Duration.ofSeconds(30));
            }
        } catch (RuntimeException e) {
            // The parent's node then ends by its timeout, if it has one; a restart of this replica retries the record.
            LOG.warnf("Child run %s of run %s (%s) was not handled: %s", message.childRunId(), message.parentRunId(),
                    message.kind(), e.getMessage());
        }
    }
}
