package dev.capstan.webhook.messaging;

import dev.capstan.common.messaging.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

/**
 * One member of the webhook-service consumer group on {@code capstan.run.events}. A dedicated thread polls a
 * batch, hands it to the processor, and commits the batch's offsets only once the processor has attempted and
 * recorded every delivery in it. While a batch is processed the partitions are paused and the thread keeps
 * polling, so the member stays in the group. A batch that fails (database down) is not committed: the thread
 * seeks back and processes it again after a pause; deliveries already claimed are not sent again.
 */
public final class RunEventConsumer {

    private static final Logger LOG = Logger.getLogger(RunEventConsumer.class);
    private static final Duration RETRY_PAUSE = Duration.ofSeconds(2);

    private final KafkaConsumer<String, String> consumer;
    private final Function<List<ConsumerRecord<String, String>>, CompletionStage<Void>> processor;
    private final Thread thread;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running = true;

    public RunEventConsumer(String bootstrapServers, String groupId, String clientId, int maxPollRecords,
                            Function<List<ConsumerRecord<String, String>>, CompletionStage<Void>> processor) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // A new group reads what the topic still holds; events older than a subscription are not sent to it,
        // and the delivery records keep anything twice from going out.
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Math.max(1, maxPollRecords));
        // Every committed step of every run arrives here: batch fetches (up to 100 ms later) rather than a fetch,
        // a batch and an offset commit per record; webhooks are best effort, not a live stream.
        p.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 64 * 1024);
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
        p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
                "org.apache.kafka.clients.consumer.CooperativeStickyAssignor");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        this.consumer = new KafkaConsumer<>(p);
        this.processor = processor;
        this.thread = new Thread(this::loop, "capstan-webhook-" + clientId);
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    public boolean alive() {
        return thread.isAlive();
    }

    /** Finishes the batch in progress (bounded by the delivery timeout), commits it and leaves the group. */
    public void stop(Duration grace) {
        running = false;
        try {
            if (!stopped.await(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                consumer.wakeup();
                stopped.await(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void loop() {
        try {
            consumer.subscribe(List.of(Topics.RUN_EVENTS));
            while (running) {
                ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(200));
                if (!records.isEmpty()) {
                    process(records);
                }
            }
        } catch (WakeupException e) {
            LOG.warn("Run event consumer woken up while stopping; an unfinished batch will be read again");
        } catch (RuntimeException e) {
            LOG.error("Run event consumer stopped on an unexpected failure; uncommitted records will be read again", e);
        } finally {
            try {
                consumer.close(Duration.ofSeconds(5));
            } finally {
                stopped.countDown();
            }
        }
    }

    private void process(ConsumerRecords<String, String> records) {
        Map<TopicPartition, Long> first = new HashMap<>();
        Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
        List<ConsumerRecord<String, String>> batch = new ArrayList<>(records.count());
        for (ConsumerRecord<String, String> r : records) {
            TopicPartition tp = new TopicPartition(r.topic(), r.partition());
            first.merge(tp, r.offset(), Math::min);
            next.merge(tp, new OffsetAndMetadata(r.offset() + 1), (a, b) -> a.offset() >= b.offset() ? a : b);
            batch.add(r);
        }
        CompletableFuture<Void> done;
        try {
            done = processor.apply(batch).toCompletableFuture();
        } catch (RuntimeException e) {
            done = CompletableFuture.failedFuture(e);
        }
        consumer.pause(consumer.assignment());
        while (!done.isDone()) {
            keepMembership();
        }
        try {
            done.join();
            next.keySet().retainAll(consumer.assignment());
            if (!next.isEmpty()) {
                // Asynchronous: a commit lost to a crash re-reads records whose deliveries are already claimed.
                consumer.commitAsync(next, (offsets, error) -> {
                    if (error != null) {
                        LOG.debugf("Committing run event offsets failed (%s); the records may be read again", error.getMessage());
                    }
                });
            }
        } catch (CompletionException e) {
            LOG.errorf(e.getCause(), "A batch of %d run event records failed; it is read again after %s", batch.size(), RETRY_PAUSE);
            first.forEach((tp, offset) -> {
                if (consumer.assignment().contains(tp)) {
                    consumer.seek(tp, offset);
                }
            });
            long until = System.currentTimeMillis() + RETRY_PAUSE.toMillis();
            while (running && System.currentTimeMillis() < until) {
                keepMembership();
            }
        } catch (KafkaException e) {
            // A rebalance took partitions away: their records go to the new owner, whose claims dedupe them.
            LOG.warnf("Committing run event offsets failed (%s); the records may be read again and are deduplicated", e.getMessage());
        }
        consumer.resume(consumer.paused());
    }

    /** Polls with everything paused; a partition assigned meanwhile is rewound to what it returned, and paused. */
    private void keepMembership() {
        ConsumerRecords<String, String> extra = consumer.poll(Duration.ofMillis(50));
        if (!extra.isEmpty()) {
            for (TopicPartition tp : extra.partitions()) {
                consumer.seek(tp, extra.records(tp).get(0).offset());
            }
        }
        consumer.pause(consumer.assignment());
    }
}
