package dev.capstan.executor.messaging;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.capstan.common.messaging.NodeCancelMessage;
import dev.capstan.common.messaging.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

/**
 * Reads every record of {@code capstan.node.cancel} on this instance: the attempt to stop may run on any instance, so
 * there is no consumer group (partitions are assigned by hand, nothing is committed). It starts {@code lookbackMs}
 * back in time, so an instance that has just started still learns of recent cancels of dispatches it may yet receive,
 * and it picks up partitions added later. A record it cannot read or whose version it does not know is skipped: a
 * cancel is a best-effort release of work whose late result run-service refuses anyway.
 */
public final class CancelListener {

    private static final Logger LOG = Logger.getLogger(CancelListener.class);
    private static final long PARTITION_REFRESH_MS = 30_000;

    /** What to do with a cancel this instance reads. */
    @FunctionalInterface
    public interface Target {
        void cancel(NodeCancelMessage cancel);
    }

    private final KafkaConsumer<String, String> consumer;
    private final ObjectMapper json;
    private final Target target;
    private final long lookbackMs;
    private final Thread thread;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running = true;

    public CancelListener(String bootstrapServers, String clientId, long lookbackMs, ObjectMapper json, Target target) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        this.consumer = new KafkaConsumer<>(p);
        this.json = json;
        this.target = target;
        this.lookbackMs = lookbackMs;
        this.thread = new Thread(this::loop, "capstan-cancels-" + clientId);
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    public void stop() {
        running = false;
        consumer.wakeup();
        try {
            stopped.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void loop() {
        long nextRefresh = 0;
        try {
            while (running) {
                if (System.currentTimeMillis() >= nextRefresh) {
                    assignNewPartitions();
                    nextRefresh = System.currentTimeMillis() + (consumer.assignment().isEmpty() ? 500 : PARTITION_REFRESH_MS);
                }
                if (consumer.assignment().isEmpty()) {
                    Thread.sleep(100);
                    continue;
                }
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    handle(r);
                }
            }
        } catch (WakeupException e) {
            // stopping
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("The cancel listener stopped on an unexpected failure; running attempts are no longer cancelled from"
                    + " the topic (their late results are still refused by run-service)", e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
            stopped.countDown();
        }
    }

    /** Assigns partitions of the topic this consumer does not hold yet, starting {@code lookbackMs} ago. */
    private void assignNewPartitions() {
        List<PartitionInfo> infos = consumer.partitionsFor(Topics.NODE_CANCEL, Duration.ofSeconds(5));
        if (infos == null || infos.isEmpty()) {
            return;
        }
        List<TopicPartition> all = infos.stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
        List<TopicPartition> added = all.stream().filter(tp -> !consumer.assignment().contains(tp)).toList();
        if (added.isEmpty()) {
            return;
        }
        consumer.assign(all);
        Map<TopicPartition, Long> since = new HashMap<>();
        added.forEach(tp -> since.put(tp, System.currentTimeMillis() - lookbackMs));
        Map<TopicPartition, OffsetAndTimestamp> offsets = consumer.offsetsForTimes(since, Duration.ofSeconds(5));
        for (TopicPartition tp : added) {
            OffsetAndTimestamp at = offsets.get(tp);
            if (at != null) {
                consumer.seek(tp, at.offset());
            } else {
                consumer.seekToEnd(List.of(tp));
            }
        }
    }

    private void handle(ConsumerRecord<String, String> record) {
        NodeCancelMessage cancel;
        try {
            cancel = json.readValue(record.value(), NodeCancelMessage.class);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            LOG.warnf("Unreadable cancel at %s-%d offset %d skipped", record.topic(), record.partition(), record.offset());
            return;
        }
        if (cancel.v() != NodeCancelMessage.VERSION || cancel.runId() == null || cancel.nodeId() == null) {
            LOG.warnf("Cancel of version %d (or without runId/nodeId) at offset %d skipped", cancel.v(), record.offset());
            return;
        }
        target.cancel(cancel);
    }
}
