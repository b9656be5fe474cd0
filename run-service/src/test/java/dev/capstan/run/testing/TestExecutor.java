package dev.capstan.run.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.capstan.common.messaging.NodeDispatchMessage;
import dev.capstan.common.messaging.NodeResultMessage;
import dev.capstan.common.messaging.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A small executor for run-service tests: it reads the real dispatch topic and writes the real result
 * topic. {@code core.fail} fails, {@code core.setVariable} sets {@code config.name} to {@code config.value}, {@code test.stream} streams two model chunks first,
 * {@code test.hold} gets no answer until {@link #complete} sends one, {@code test.artifact} completes declaring
 * {@code config.artifacts} as its artifacts, everything else completes echoing its inputs.
 */
public final class TestExecutor implements AutoCloseable {

    private final ObjectMapper json = new ObjectMapper();
    private final KafkaConsumer<String, String> consumer;
    private final KafkaProducer<String, String> producer;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;
    private final List<NodeDispatchMessage> received = new CopyOnWriteArrayList<>();
    private final Set<String> duplicatesToSend = ConcurrentHashMap.newKeySet();

    public TestExecutor(String bootstrapServers) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "run-service-test-executor");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers, ProducerConfig.LINGER_MS_CONFIG, "0"),
                new StringSerializer(), new StringSerializer());
        consumer.subscribe(List.of(Topics.NODE_DISPATCH));
        thread = new Thread(this::loop, "test-executor");
        thread.setDaemon(true);
        thread.start();
    }

    /** Every dispatch command seen so far. */
    public List<NodeDispatchMessage> received() {
        return received;
    }

    /** Makes the executor send the result of this node twice (at-least-once delivery). */
    public void sendTwice(String nodeId) {
        duplicatesToSend.add(nodeId);
    }

    private void loop() {
        try {
            while (running.get()) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(100))) {
                    NodeDispatchMessage dispatch = json.readValue(record.value(), NodeDispatchMessage.class);
                    received.add(dispatch);
                    if (dispatch.typeId().equals("test.stream")) {
                        for (String piece : List.of("Hel", "lo")) {
                            producer.send(new ProducerRecord<>(Topics.NODE_RESULTS, dispatch.runId(),
                                    json.writeValueAsString(chunkOf(dispatch, piece, piece.equals("lo")))));
                        }
                    }
                    if (dispatch.typeId().equals("test.hold")) {
                        continue;
                    }
                    String result = json.writeValueAsString(resultOf(dispatch));
                    int copies = duplicatesToSend.contains(dispatch.nodeId()) ? 2 : 1;
                    for (int i = 0; i < copies; i++) {
                        producer.send(new ProducerRecord<>(Topics.NODE_RESULTS, dispatch.runId(), result));
                    }
                    producer.flush();
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (Exception e) {
            throw new IllegalStateException("test executor failed", e);
        } finally {
            consumer.close();
        }
    }

    /** Sends the completed result of a dispatch now (for {@code test.hold}: a result that arrives late). */
    public void complete(NodeDispatchMessage dispatch) throws Exception {
        producer.send(new ProducerRecord<>(Topics.NODE_RESULTS, dispatch.runId(), json.writeValueAsString(resultOf(dispatch)))).get();
    }

    private static NodeResultMessage chunkOf(NodeDispatchMessage d, String text, boolean last) {
        return new NodeResultMessage(NodeResultMessage.VERSION, d.tenantId(), d.runId(), d.nodeId(), d.attempt(), d.invocationId(),
                NodeResultMessage.PROGRESS, null, null, 1, null, null, null,
                Map.of("channel", "ai.message.chunk", "text", text, "isLast", last, "meta", Map.of()), System.currentTimeMillis(), null);
    }

    private static NodeResultMessage resultOf(NodeDispatchMessage d) {
        boolean fail = d.typeId().equals("core.fail");
        return new NodeResultMessage(NodeResultMessage.VERSION, d.tenantId(), d.runId(), d.nodeId(), d.attempt(), d.invocationId(),
                fail ? NodeResultMessage.FAILED : NodeResultMessage.COMPLETED,
                fail ? Map.of() : Map.of("echo", d.inputs()),
                fail ? Map.of("code", "node_failed", "message", "core.fail always fails", "retryable", false) : null,
                1, null, null, null, null, System.currentTimeMillis(),
                d.typeId().equals("core.setVariable") ? Map.of(String.valueOf(d.config().get("name")), d.config().get("value")) : null,
                d.typeId().equals("test.artifact") ? artifactsOf(d) : null);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> artifactsOf(NodeDispatchMessage d) {
        return (List<Map<String, Object>>) d.config().getOrDefault("artifacts", List.of());
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        consumer.wakeup();
        thread.join(5000);
        producer.close();
    }
}
