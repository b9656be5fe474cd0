package dev.capstan.run.messaging;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

/**
 * One member of a consumer group on one topic, on a thread of its own: it hands each poll's records to a handler
 * that returns once they are applied, then commits the poll's offsets, so a crash re-delivers rather than loses.
 * The consumers of run-service's own topics (node results, child runs) share it.
 */
final class GroupPollLoop {

    private static final Logger LOG = Logger.getLogger(GroupPollLoop.class);

    private final KafkaConsumer<String, String> consumer;
    private final Consumer<ConsumerRecords<String, String>> handler;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;
    private final String name;

    GroupPollLoop(String bootstrap, String groupId, String topic, int maxPollRecords, String name,
                  Consumer<ConsumerRecords<String, String>> handler) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, String.valueOf(maxPollRecords));
        this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
        this.consumer.subscribe(List.of(topic));
        this.handler = handler;
        this.name = name;
        this.thread = new Thread(this::loop, name);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    void stop() throws InterruptedException {
        if (running.compareAndSet(true, false)) {
            consumer.wakeup();
            thread.join(10_000);
        }
    }

    private void loop() {
        try {
            while (running.get()) {
                ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(500));
                if (records.isEmpty()) {
                    continue;
                }
                handler.accept(records);
                consumer.commitSync();
            }
        } catch (WakeupException e) {
            if (running.get()) {
                throw e;
            }
        } catch (RuntimeException e) {
            LOG.errorf(e, "Consumer %s stopped", name);
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }
}
