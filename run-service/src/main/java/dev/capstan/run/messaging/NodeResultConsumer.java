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
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
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
    private GroupPollLoop loop;

    public NodeResultConsumer(RunCoordinator coordinator, ObjectMapper json, RunServiceConfig config,
                              @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap) {
        this.coordinator = coordinator;
        this.json = json;
        this.config = config;
        this.bootstrap = bootstrap;
    }

    void start(@Observes StartupEvent start) {
        if (config.consumeResults()) {
            loop = new GroupPollLoop(bootstrap, config.resultsGroup(), Topics.NODE_RESULTS, 500, "node-result-consumer",
                    this::applyAll);
        }
    }

    void stop(@Observes ShutdownEvent stop) throws InterruptedException {
        if (loop != null) {
            loop.stop();
        }
    }

    /** A poll's records: concurrently across runs, in order within a run (the coordinator serialises per run). */
    private void applyAll(ConsumerRecords<String, String> records) {
        List<Uni<Void>> applied = new ArrayList<>(records.count());
        for (ConsumerRecord<String, String> record : records) {
            applied.add(apply(record));
        }
        Uni.join().all(applied).andCollectFailures().await().indefinitely();
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
