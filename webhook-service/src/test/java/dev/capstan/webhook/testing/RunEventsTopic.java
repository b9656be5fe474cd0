package dev.capstan.webhook.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.capstan.common.messaging.Topics;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.ConfigProvider;

/** Publishes to {@code capstan.run.events} what run-service publishes there: {@code {v:1, tenantId, runId, events}}. */
public final class RunEventsTopic implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final KafkaProducer<String, String> producer;

    public RunEventsTopic() {
        String bootstrap = ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class);
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new StringSerializer());
    }

    /** A RunEventDoc as run-service writes it (workflow-core {@code RunEvent.toDocument}). */
    public static Map<String, Object> event(String runId, long sequence, String type, Map<String, Object> payload) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("eventId", UUID.randomUUID().toString());
        doc.put("runId", runId);
        doc.put("type", type);
        doc.put("payload", payload);
        doc.put("timestamp", Instant.now().toString());
        doc.put("sequence", sequence);
        return doc;
    }

    public static Map<String, Object> started(String runId, List<String> tags) {
        return event(runId, 0, "run.started", Map.of("workflowId", "wf", "inputs", Map.of(), "tags", tags));
    }

    /** Sends one record and waits for the broker's acknowledgement; returns the JSON value sent. */
    public String publish(String tenantId, String runId, List<Map<String, Object>> events) {
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("v", 1);
        message.put("tenantId", tenantId);
        message.put("runId", runId);
        message.put("events", events);
        try {
            String value = JSON.writeValueAsString(message);
            publishRaw(runId, value);
            return value;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public void publishRaw(String key, String value) {
        try {
            producer.send(new ProducerRecord<>(Topics.RUN_EVENTS, key, value)).get();
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException("Publishing to " + Topics.RUN_EVENTS + " failed", e);
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}
