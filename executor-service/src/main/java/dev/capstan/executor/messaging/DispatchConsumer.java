package dev.capstan.executor.messaging;

import dev.capstan.common.messaging.Topics;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Queue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

/**
 * One member of the executors' consumer group on {@code capstan.node.dispatch}. A dedicated thread polls;
 * each record is handed to the processor as soon as one of {@code maxInFlight} permits is free, so a slow node
 * holds back nothing but its own permit. Records finish out of order; an offset is committed only when every
 * earlier record of its partition finished (at-least-once). While all permits are taken the partitions are
 * paused, which keeps the member in the group without fetching more.
 */
public final class DispatchConsumer {

    private static final Logger LOG = Logger.getLogger(DispatchConsumer.class);

    private record Done(TopicPartition tp, long offset) {
    }

    private final KafkaConsumer<String, String> consumer;
    private final Function<ConsumerRecord<String, String>, CompletionStage<Void>> processor;
    private final Semaphore permits;
    private final int maxInFlight;
    private final Queue<ConsumerRecord<String, String>> pending = new ArrayDeque<>();
    private final Queue<Done> done = new ConcurrentLinkedQueue<>();
    private final OffsetTracker offsets = new OffsetTracker();
    private final Thread thread;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running = true;
    private volatile long graceDeadline = Long.MAX_VALUE;
    private final java.util.Set<TopicPartition> assigned = java.util.concurrent.ConcurrentHashMap.newKeySet();

    public DispatchConsumer(String bootstrapServers, String groupId, String clientId, int maxInFlight,
                            Function<ConsumerRecord<String, String>, CompletionStage<Void>> processor) {
        this(bootstrapServers, groupId, clientId, maxInFlight, 45_000, processor);
    }

    public DispatchConsumer(String bootstrapServers, String groupId, String clientId, int maxInFlight, int sessionTimeoutMs,
                            Function<ConsumerRecord<String, String>, CompletionStage<Void>> processor) {
        Properties p = new Properties();
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, sessionTimeoutMs);
        p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, Math.min(3000, Math.max(500, sessionTimeoutMs / 3)));
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Math.max(1, maxInFlight));
        p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
                "org.apache.kafka.clients.consumer.CooperativeStickyAssignor");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        this.consumer = new KafkaConsumer<>(p);
        this.processor = processor;
        this.maxInFlight = maxInFlight;
        this.permits = new Semaphore(maxInFlight);
        this.thread = new Thread(this::loop, "capstan-dispatch-" + clientId);
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    /** How many partitions of the dispatch topic this member holds now. */
    public int assignedPartitions() {
        return assigned.size();
    }

    public int inFlight() {
        return maxInFlight - permits.availablePermits();
    }

    /**
     * Stops fetching, lets in-flight nodes finish for up to {@code grace}, commits what finished and leaves the
     * group; records not started (or not finished in time) are redelivered to another member.
     * Returns whether everything in flight finished.
     */
    public boolean stop(Duration grace) {
        graceDeadline = System.currentTimeMillis() + grace.toMillis();
        running = false;
        try {
            if (!stopped.await(grace.toMillis() + 10_000, TimeUnit.MILLISECONDS)) {
                consumer.wakeup();
                stopped.await(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return inFlight() == 0;
    }

    private void loop() {
        try {
            consumer.subscribe(List.of(Topics.NODE_DISPATCH), new Rebalance());
            while (running) {
                ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(100));
                for (ConsumerRecord<String, String> r : records) {
                    offsets.received(new TopicPartition(r.topic(), r.partition()), r.offset());
                    pending.add(r);
                }
                startPending();
                if (pending.isEmpty()) {
                    consumer.resume(consumer.paused());
                } else {
                    consumer.pause(consumer.assignment());
                }
                commit(false);
            }
            // Draining: fetch nothing more; keep polling so the group does not evict us while nodes finish.
            pending.clear();
            consumer.pause(consumer.assignment());
            while (inFlight() > 0 && System.currentTimeMillis() < graceDeadline) {
                consumer.poll(Duration.ofMillis(50));
                commit(false);
            }
            commit(true);
        } catch (WakeupException e) {
            LOG.warn("Dispatch consumer woken up while stopping; unfinished records will be redelivered");
        } catch (RuntimeException e) {
            LOG.error("Dispatch consumer stopped on an unexpected failure; records will be redelivered", e);
        } finally {
            try {
                consumer.close(Duration.ofSeconds(5));
            } finally {
                stopped.countDown();
            }
        }
    }

    private void startPending() {
        while (!pending.isEmpty() && permits.tryAcquire()) {
            ConsumerRecord<String, String> r = pending.poll();
            TopicPartition tp = new TopicPartition(r.topic(), r.partition());
            CompletionStage<Void> stage;
            try {
                stage = processor.apply(r);
            } catch (RuntimeException e) {
                stage = java.util.concurrent.CompletableFuture.failedFuture(e);
            }
            stage.whenComplete((x, error) -> {
                if (error != null) {
                    // Not committed: the record comes back after a restart or rebalance.
                    LOG.errorf(error, "Dispatch at %s offset %d was not processed", tp, r.offset());
                } else {
                    done.add(new Done(tp, r.offset()));
                }
                permits.release();
            });
        }
    }

    private void commit(boolean sync) {
        Done d;
        while ((d = done.poll()) != null) {
            offsets.finished(d.tp(), d.offset());
        }
        Map<TopicPartition, OffsetAndMetadata> ready = offsets.committable();
        if (ready.isEmpty()) {
            return;
        }
        if (sync) {
            consumer.commitSync(ready);
        } else {
            consumer.commitAsync(ready, (o, e) -> {
                if (e != null) {
                    LOG.warnf("Offset commit failed (%s); the records may be redelivered and will be deduplicated",
                            e.getMessage());
                }
            });
        }
    }

    private final class Rebalance implements ConsumerRebalanceListener {

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            try {
                commit(true);
            } catch (RuntimeException e) {
                LOG.warnf("Commit before giving up partitions failed: %s", e.getMessage());
            }
            for (TopicPartition tp : partitions) {
                offsets.forget(tp);
            }
            assigned.removeAll(partitions);
            pending.removeIf(r -> partitions.contains(new TopicPartition(r.topic(), r.partition())));
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            // Nothing to restore: the committed offsets are where we start.
            assigned.addAll(partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            for (TopicPartition tp : partitions) {
                offsets.forget(tp);
            }
            assigned.removeAll(partitions);
            pending.removeIf(r -> partitions.contains(new TopicPartition(r.topic(), r.partition())));
        }
    }
}
