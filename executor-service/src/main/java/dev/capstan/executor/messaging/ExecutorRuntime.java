package dev.capstan.executor.messaging;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.capstan.common.messaging.NodeDispatchMessage;
import dev.capstan.executor.config.ExecutorConfig;
import dev.capstan.executor.repository.InvocationLogRepository;
import dev.capstan.executor.service.DispatchProcessor;
import dev.capstan.node.NodeHandlerRegistry;
import dev.capstan.node.NodeRunner;
import dev.capstan.executor.service.NodeMetrics;
import dev.capstan.executor.service.TenantDirectory;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Starts this process's executor instance when the application starts and stops it gracefully when it stops.
 * An instance is a consumer-group member plus a processor with its own owner id in the invocation log;
 * {@link #newInstance} builds one, which is also how a test runs a second instance in the same JVM.
 */
@ApplicationScoped
public class ExecutorRuntime {

    private static final Logger LOG = Logger.getLogger(ExecutorRuntime.class);

    private final ExecutorConfig config;
    private final InvocationLogRepository log;
    private final NodeHandlerRegistry handlers;
    private final TenantDirectory tenants;
    private final ObjectMapper json;
    private final MeterRegistry meters;
    private final String bootstrapServers;
    private volatile Instance main;

    public ExecutorRuntime(ExecutorConfig config, InvocationLogRepository log, NodeHandlerRegistry handlers,
                           TenantDirectory tenants, ObjectMapper json, MeterRegistry meters,
                           @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers) {
        this.config = config;
        this.log = log;
        this.handlers = handlers;
        this.tenants = tenants;
        this.json = json;
        this.meters = meters;
        this.bootstrapServers = bootstrapServers;
    }

    void onStart(@Observes StartupEvent event) {
        if (config.consumerEnabled()) {
            String owner = config.instanceId().orElseGet(() -> hostName() + "-" + UUID.randomUUID().toString().substring(0, 8));
            main = newInstance(owner, "default");
            main.start();
            LOG.infof("Executor instance %s consumes %s as group %s with at most %d nodes in flight", owner,
                    dev.capstan.common.messaging.Topics.NODE_DISPATCH, config.consumerGroup(), config.maxInFlight());
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        if (main != null) {
            main.stop();
        }
    }

    public int inFlight() {
        return main == null ? 0 : main.consumer.inFlight();
    }

    public int assignedPartitions() {
        return main == null ? 0 : main.assignedPartitions();
    }

    /**
     * Cancels the node's running attempt on this process's instance (see {@link DispatchProcessor#cancel}), as a
     * record on {@code capstan.node.cancel} does. Returns how many attempts were cancelled.
     */
    public int cancel(String runId, String nodeId, int attempt, String reason) {
        return main == null ? 0 : main.cancel(runId, nodeId, attempt, reason);
    }

    public Instance newInstance(String owner, String role) {
        return new Instance(owner, role);
    }

    /** One executor instance: consumer-group member, processor, lease heartbeat, result producer. */
    public final class Instance {

        private final DispatchProcessor processor;
        private final DispatchConsumer consumer;
        private final ResultPublisher publisher;
        private final CancelListener cancels;
        private final ExecutorService workers;
        private final ScheduledExecutorService timers;

        private Instance(String owner, String role) {
            this.workers = Executors.newFixedThreadPool(Math.max(2, Math.min(config.maxInFlight(), 16)),
                    threads("capstan-node-" + owner));
            this.timers = Executors.newSingleThreadScheduledExecutor(threads("capstan-lease-" + owner));
            this.publisher = new ResultPublisher(bootstrapServers, "executor-results-" + owner, json);
            DispatchProcessor.Settings settings = new DispatchProcessor.Settings(owner, config.leaseMs(), config.cancelLookbackMs());
            NodeRunner runner = NodeRunner.withTenants(handlers, tenants::lookup, config.defaultNodeTimeoutMs(), workers);
            this.processor = new DispatchProcessor(settings, log, runner, publisher, json,
                    new NodeMetrics(meters, handlers.typeIds(), role), timers);
            this.consumer = new DispatchConsumer(bootstrapServers, config.consumerGroup(), "executor-" + owner,
                    config.maxInFlight(), config.sessionTimeoutMs(), this::handle);
            this.cancels = new CancelListener(bootstrapServers, "executor-cancels-" + owner, config.cancelLookbackMs(), json,
                    c -> {
                        int n = processor.cancel(c.runId(), c.nodeId(), c.attempt(), c.reason());
                        if (n > 0) {
                            LOG.infof("Cancelled node %s attempt %d of run %s (%s)", c.nodeId(), c.attempt(), c.runId(), c.reason());
                        }
                    });
        }

        public String owner() {
            return processor.owner();
        }

        public int assignedPartitions() {
            return consumer.assignedPartitions();
        }

        public int inFlight() {
            return consumer.inFlight();
        }

        public int cancel(String runId, String nodeId, int attempt, String reason) {
            return processor.cancel(runId, nodeId, attempt, reason);
        }

        public void start() {
            long beat = Math.max(100, config.leaseMs() / 3);
            timers.scheduleWithFixedDelay(this::renewLeases, beat, beat, TimeUnit.MILLISECONDS);
            cancels.start();
            consumer.start();
        }

        /** Graceful stop: finish in-flight nodes within the grace period, hand back the leases of the rest. */
        public void stop() {
            boolean drained = consumer.stop(Duration.ofMillis(config.shutdownGraceMs()));
            if (!drained) {
                var unfinished = processor.runningInvocations();
                LOG.warnf("Handing back %d unfinished invocations", unfinished.size());
                log.release(processor.owner(), unfinished).await().atMost(Duration.ofSeconds(5));
            }
            cancels.stop();
            timers.shutdownNow();
            workers.shutdownNow();
            publisher.close();
        }

        private void renewLeases() {
            var ids = processor.runningInvocations();
            if (!ids.isEmpty()) {
                log.renew(processor.owner(), ids, config.leaseMs()).subscribe().with(
                        n -> { },
                        e -> LOG.warnf("Lease renewal failed: %s", e.getMessage()));
            }
        }

        private CompletionStage<Void> handle(ConsumerRecord<String, String> record) {
            NodeDispatchMessage d;
            try {
                d = json.readValue(record.value(), NodeDispatchMessage.class);
            } catch (JsonProcessingException | IllegalArgumentException e) {
                LOG.warnf("Unreadable dispatch at offset %d sent to the dead-letter topic", record.offset());
                return publisher.deadLetter(record.key(), record.value(), "unreadable: " + e.getMessage());
            }
            if (d.v() != NodeDispatchMessage.VERSION || d.runId() == null || d.nodeId() == null || d.typeId() == null
                    || d.tenantId() == null) {
                return publisher.deadLetter(record.key(), record.value(),
                        "unsupported: version " + d.v() + " or missing tenantId/runId/nodeId/typeId");
            }
            return retrying(d, 0);
        }

        /** Infrastructure failures (database, broker) are retried with backoff; the node's own failures are results. */
        private CompletionStage<Void> retrying(NodeDispatchMessage d, int failures) {
            return processor.process(d).handle((x, e) -> {
                if (e == null) {
                    return CompletableFuture.<Void>completedFuture(null);
                }
                long delay = Math.min(5000, 100L << Math.min(failures, 6));
                LOG.warnf("Dispatch %s of run %s could not be processed (%s); retrying in %d ms", d.nodeId(), d.runId(),
                        e.getMessage(), delay);
                CompletableFuture<Void> later = new CompletableFuture<>();
                timers.schedule(() -> {
                    retrying(d, failures + 1).whenComplete((y, t) -> {
                        if (t != null) {
                            later.completeExceptionally(t);
                        } else {
                            later.complete(null);
                        }
                    });
                }, delay, TimeUnit.MILLISECONDS);
                return later;
            }).thenCompose(s -> s);
        }
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    private static String hostName() {
        String h = System.getenv("HOSTNAME");
        return h == null || h.isBlank() ? "executor" : h;
    }
}
