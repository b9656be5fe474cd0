package dev.capstan.executor.messaging;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.capstan.common.messaging.NodeResultMessage;
import dev.capstan.common.messaging.Topics;
import dev.capstan.executor.service.DispatchProcessor;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/** Publishes results to {@code capstan.node.results} and unreadable dispatches to its dead-letter topic, keyed by run id. */
public final class ResultPublisher implements DispatchProcessor.Publisher, AutoCloseable {

    private final KafkaProducer<String, String> producer;
    private final ObjectMapper json;

    public ResultPublisher(String bootstrapServers, String clientId, ObjectMapper json) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        // Idempotent producer: a retried send does not duplicate a result or reorder a run's chunks.
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        this.producer = new KafkaProducer<>(p);
        this.json = json;
    }

    @Override
    public CompletionStage<Void> publish(NodeResultMessage result) {
        String value;
        try {
            value = json.writeValueAsString(result);
        } catch (JsonProcessingException e) {
            return CompletableFuture.failedFuture(e);
        }
        return send(new ProducerRecord<>(Topics.NODE_RESULTS, result.runId(), value));
    }

    /** Sends a dispatch record this executor cannot read, with why, to {@code capstan.node.dispatch.dlq}. */
    public CompletionStage<Void> deadLetter(String key, String value, String reason) {
        ProducerRecord<String, String> r = new ProducerRecord<>(Topics.deadLetters(Topics.NODE_DISPATCH), key, value);
        r.headers().add("capstan-dlq-reason", reason.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return send(r);
    }

    private CompletionStage<Void> send(ProducerRecord<String, String> record) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        producer.send(record, (meta, error) -> {
            if (error != null) {
                done.completeExceptionally(error);
            } else {
                done.complete(null);
            }
        });
        return done;
    }

    @Override
    public void close() {
        producer.close(java.time.Duration.ofSeconds(5));
    }
}
