package dev.capstan.run.messaging;

import dev.capstan.common.messaging.Topics;
import dev.capstan.run.config.RunServiceConfig;
import dev.capstan.run.service.RunEventBus;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Lets a stream or long poll on this replica see runs advanced by another replica: every replica reads
 * {@link Topics#RUN_EVENTS} in a group of its own, from the newest offset, and wakes this replica's readers of
 * the run named by each record's key. Readers then read the event log from their last sequence, so a wake-up is
 * only a hint: a duplicate or a wake-up for this replica's own commit costs a read, never a repeated event.
 */
@ApplicationScoped
public class RunEventFanIn {

    private static final Logger LOG = Logger.getLogger(RunEventFanIn.class);

    private final RunEventBus bus;
    private final RunServiceConfig config;
    private final String bootstrap;
    private final AtomicBoolean running = new AtomicBoolean();
    private KafkaConsumer<String, byte[]> consumer;
    private Thread thread;

    public RunEventFanIn(RunEventBus bus, RunServiceConfig config, @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap) {
        this.bus = bus;
        this.config = config;
        this.bootstrap = bootstrap;
    }

    void start(@Observes StartupEvent start) {
        if (!config.eventFanIn()) {
            return;
        }
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "capstan-run-fan-in-" + UUID.randomUUID());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(List.of(Topics.RUN_EVENTS));
        running.set(true);
        thread = new Thread(this::loop, "run-event-fan-in");
        thread.setDaemon(true);
        thread.start();
    }

    void stop(@Observes ShutdownEvent stop) throws InterruptedException {
        if (running.compareAndSet(true, false)) {
            consumer.wakeup();
            thread.join(5_000);
        }
    }

    private void loop() {
        try {
            while (running.get()) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    if (record.key() != null) {
                        bus.wake(record.key());
                    }
                }
            }
        } catch (WakeupException e) {
            if (running.get()) {
                throw e;
            }
        } catch (RuntimeException e) {
            LOG.error("Run event fan-in stopped; streams on this replica see other replicas' commits only by polling", e);
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }
}
