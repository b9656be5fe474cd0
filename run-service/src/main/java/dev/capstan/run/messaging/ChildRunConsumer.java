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
import org.apache.kafka.clients.consumer.ConsumerRecord;
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
    private GroupPollLoop loop;

    public ChildRunConsumer(RunCoordinator coordinator, ObjectMapper json, RunServiceConfig config,
                            @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap) {
        this.coordinator = coordinator;
        this.json = json;
        this.config = config;
        this.bootstrap = bootstrap;
    }

    void start(@Observes StartupEvent start) {
        if (config.consumeResults()) {
            loop = new GroupPollLoop(bootstrap, config.resultsGroup() + ".children", Topics.RUN_CHILDREN, 100,
                    "child-run-consumer", records -> records.forEach(this::handle));
        }
    }

    void stop(@Observes ShutdownEvent stop) throws InterruptedException {
        if (loop != null) {
            loop.stop();
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
