package dev.capstan.run.messaging;

import dev.capstan.common.messaging.NodeCancelMessage;
import dev.capstan.common.messaging.Topics;
import dev.capstan.run.service.JsonCodec;
import dev.capstan.workflow.engine.Command;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.util.List;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.jboss.logging.Logger;

/**
 * Publishes the engine's {@code CancelNode} commands to {@link Topics#NODE_CANCEL} (record key = run id,
 * {@link NodeCancelMessage} v1) right after the step that issued them committed. Deliberately without an outbox: the
 * engine already refuses a late result of a cancelled attempt, so a lost cancel only leaves an executor finishing work
 * nobody waits for; the message is a best-effort release of that work (a process tree, an open request).
 */
@ApplicationScoped
public class NodeCancelPublisher {

    private static final Logger LOG = Logger.getLogger(NodeCancelPublisher.class);

    private final KafkaProducer<String, String> producer;
    private final JsonCodec json;
    private final Clock clock = Clock.systemUTC();

    public NodeCancelPublisher(KafkaProducer<String, String> producer, JsonCodec json) {
        this.producer = producer;
        this.json = json;
    }

    /** Sends the cancels; never fails the caller. */
    public void publish(String tenantId, List<Command.CancelNode> cancels) {
        for (Command.CancelNode c : cancels) {
            NodeCancelMessage message = new NodeCancelMessage(NodeCancelMessage.VERSION, tenantId, c.runId(), c.nodeId(),
                    c.attempt(), c.reason(), clock.millis());
            producer.send(new ProducerRecord<>(Topics.NODE_CANCEL, c.runId(), json.write(message)), (metadata, error) -> {
                if (error != null) {
                    LOG.warnf("Cancel of node %s attempt %d of run %s not published (the attempt may run to its end): %s",
                            c.nodeId(), c.attempt(), c.runId(), error.getMessage());
                }
            });
        }
    }
}
