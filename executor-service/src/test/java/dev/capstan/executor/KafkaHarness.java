package dev.capstan.executor;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.capstan.common.messaging.NodeDispatchMessage;
import dev.capstan.common.messaging.NodeResultMessage;
import dev.capstan.common.messaging.Topics;
import dev.capstan.devstack.testing.Await;
import dev.capstan.devstack.testing.SharedInfrastructure;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Plays run-service against the real broker: sends dispatch commands and collects every result message and
 * dead letter, read from the beginning by a group of its own.
 */
public final class KafkaHarness {

    private static KafkaHarness instance;

    private final ObjectMapper json = new ObjectMapper();
    private final KafkaProducer<String, String> producer;
    private final List<NodeResultMessage> results = new CopyOnWriteArrayList<>();
    private final List<ConsumerRecord<String, String>> deadLetters = new CopyOnWriteArrayList<>();

    public static synchronized KafkaHarness get() {
        if (instance == null) {
            instance = new KafkaHarness();
        }
        return instance;
    }

    private KafkaHarness() {
        String servers = SharedInfrastructure.kafka().bootstrapServers();
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        producer = new KafkaProducer<>(p);
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "test-harness-" + UUID.randomUUID());
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        Thread reader = new Thread(() -> {
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c)) {
                consumer.subscribe(List.of(Topics.NODE_RESULTS, Topics.deadLetters(Topics.NODE_DISPATCH)));
                while (true) {
                    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
                        if (r.topic().equals(Topics.NODE_RESULTS)) {
                            results.add(json.readValue(r.value(), NodeResultMessage.class));
                        } else {
                            deadLetters.add(r);
                        }
                    }
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "test-results-reader");
        reader.setDaemon(true);
        reader.start();
    }

    public static NodeDispatchMessage dispatch(String tenant, String typeId, Map<String, Object> inputs,
                                               Map<String, Object> config, Map<String, Object> options) {
        String runId = "run-" + UUID.randomUUID();
        return new NodeDispatchMessage(1, tenant, runId, "n1", typeId, 1, runId + ":n1:1", inputs, config, null,
                options, System.currentTimeMillis());
    }

    public void send(NodeDispatchMessage d) {
        try {
            producer.send(new ProducerRecord<>(Topics.NODE_DISPATCH, d.runId(), json.writeValueAsString(d))).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Sends many dispatches without waiting for each acknowledgement, then waits for all of them. */
    public void sendAll(List<NodeDispatchMessage> dispatches) {
        try {
            for (NodeDispatchMessage d : dispatches) {
                producer.send(new ProducerRecord<>(Topics.NODE_DISPATCH, d.runId(), json.writeValueAsString(d)));
            }
            producer.flush();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Publishes a cancel command on the real cancel topic, as run-service does. */
    public void sendCancel(dev.capstan.common.messaging.NodeCancelMessage cancel) {
        try {
            producer.send(new ProducerRecord<>(Topics.NODE_CANCEL, cancel.runId(), json.writeValueAsString(cancel))).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public void sendRaw(String key, String value) {
        try {
            producer.send(new ProducerRecord<>(Topics.NODE_DISPATCH, key, value)).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public List<NodeResultMessage> resultsOf(String invocationId) {
        List<NodeResultMessage> out = new ArrayList<>();
        for (NodeResultMessage m : results) {
            if (invocationId.equals(m.invocationId())) {
                out.add(m);
            }
        }
        return out;
    }

    public List<NodeResultMessage> allResults() {
        return List.copyOf(results);
    }

    public List<ConsumerRecord<String, String>> deadLetters() {
        return List.copyOf(deadLetters);
    }

    /** The first final (not progress) result of the invocation, waiting for it to arrive. */
    public NodeResultMessage awaitFinal(String invocationId) {
        return awaitResults(invocationId, l -> l.stream().anyMatch(m -> !m.outcome().equals(NodeResultMessage.PROGRESS)))
                .stream().filter(m -> !m.outcome().equals(NodeResultMessage.PROGRESS)).findFirst().orElseThrow();
    }

    public List<NodeResultMessage> awaitResults(String invocationId, Predicate<List<NodeResultMessage>> until) {
        return Await.until(() -> resultsOf(invocationId), until, "results of " + invocationId);
    }

    public NodeResultMessage sendAndAwait(NodeDispatchMessage d) {
        send(d);
        return awaitFinal(d.invocationId());
    }
}
