package dev.capstan.run.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.capstan.common.messaging.NodeResultMessage;
import dev.capstan.common.messaging.Topics;
import dev.capstan.run.config.RunServiceConfig;
import dev.capstan.run.service.NodeResultInputs;
import dev.capstan.run.service.RunCoordinator;
import dev.capstan.workflow.engine.RunInput;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.ArrayList;
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
 * Consumes node results as one consumer group across run-service replicas: the partition owner of a run
 * applies its results. A poll's records are applied concurrently across runs and in order within a run;
 * offsets are committed only after every record of the poll is committed to PostgreSQL, so a crash
 * re-delivers rather than loses, and the engine ignores a result it has already applied.
 */
@ApplicationScoped
public class NodeResultConsumer {

    private static final Logger LOG = Logger.getLogger(NodeResultConsumer.class);

    private final RunCoordinator coordinator;
    private final ObjectMapper json;
    private final RunServiceConfig config;
    private final String bootstrap;
    private final AtomicBoolean running = new AtomicBoolean();
    private KafkaConsumer<String, String> consumer;
    private Thread thread;

    public NodeResultConsumer(RunCoordinator coordinator, ObjectMapper json, RunServiceConfig config,
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
        props.put(ConsumerConfig.GROUP_ID_CONFIG, config.resultsGroup());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "500");
        consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
        consumer.subscribe(List.of(Topics.NODE_RESULTS));
        running.set(true);
        thread = new Thread(this::loop, "node-result-consumer");
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
                if (records.isEmpty()) {
                    continue;
                }
                List<Uni<Void>> applied = new ArrayList<>(records.count());
                for (ConsumerRecord<String, String> record : records) {
                    applied.add(apply(record));
                }
                Uni.join().all(applied).andCollectFailures().await().indefinitely();
                consumer.commitSync();
            }
        } catch (WakeupException e) {
            if (running.get()) {
                throw e;
            }
        } catch (RuntimeException e) {
            LOG.error("Node result consumer stopped", e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private Uni<Void> apply(ConsumerRecord<String, String> record) {
        NodeResultMessage result;
        try {
            result = json.readValue(record.value(), NodeResultMessage.class);
        } catch (Exception e) {
            LOG.errorf("Skipping an unreadable node result at %s-%d@%d: %s", record.topic(), record.partition(), record.offset(), e.getMessage());
            return Uni.createFrom().voidItem();
        }
        if (NodeResultMessage.PROGRESS.equals(result.outcome())) {
            return result.chunk() == null ? Uni.createFrom().voidItem()
                    : coordinator.appendChunk(result.runId(), result.nodeId(), result.attempt(), result.chunk())
                            .onFailure().recoverWithItem(e -> {
                                LOG.warnf("Chunk of %s for run %s was not appended: %s", result.invocationId(), result.runId(), e.getMessage());
                                return null;
                            });
        }
        RunInput input = NodeResultInputs.toInput(result);
        if (input == null) {
            return Uni.createFrom().voidItem();
        }
        return coordinator.apply(result.runId(), input, null, RunCoordinator.StepExtras.artifacts(result.artifacts()))
                .onFailure().recoverWithItem(e -> {
                    LOG.warnf("Result %s for run %s was not applied: %s", result.invocationId(), result.runId(), e.getMessage());
                    return null;
                })
                .replaceWithVoid();
    }
}
