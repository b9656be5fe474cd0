package dev.capstan.run.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.capstan.common.messaging.NodeDispatchMessage;
import dev.capstan.common.messaging.NodeResultMessage;
import dev.capstan.common.messaging.NodeResultMessages;
import dev.capstan.node.NodeHandlerRegistry;
import dev.capstan.node.NodeInvocation;
import dev.capstan.node.NodeRunner;
import dev.capstan.node.NodeRuntimeSettings;
import dev.capstan.run.config.RunServiceConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs local nodes (see {@link RunServiceConfig.LocalNodes}) with the same handlers as the executors and
 * reports each attempt as the result message an executor would have published.
 */
@ApplicationScoped
public class LocalNodes {

    private final RunServiceConfig.LocalNodes config;
    private final Set<String> types;
    private final NodeRunner runner;
    private final ExecutorService starter;
    private final AtomicInteger inFlight = new AtomicInteger();
    /** The attempts running here by {@code runId \0 nodeId \0 attempt}, so that the engine's CancelNode can stop them. */
    private final Map<String, NodeRunner.Running> running = new ConcurrentHashMap<>();
    private final MeterRegistry meters;

    public LocalNodes(RunServiceConfig config, ObjectMapper json, MeterRegistry meters) {
        this.config = config.localNodes();
        this.types = Set.copyOf(this.config.types());
        this.meters = meters;
        NodeRuntimeSettings defaults = NodeRuntimeSettings.defaults();
        NodeRuntimeSettings.Http http = defaults.http();
        NodeRuntimeSettings settings = defaults.withHttp(new NodeRuntimeSettings.Http(this.config.allowPrivateTargets(),
                this.config.privateTargetTenants(), Math.min(http.defaultTimeoutMs(), this.config.maxTimeout().toMillis()),
                http.defaultMaxRetries(), http.backoffMs(), http.maxRetryAfterMs(), http.maxResponseBytes(), http.previewBytes()));
        // Handlers do not block, but building a request may resolve a host name: never on an event loop.
        this.starter = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "capstan-local-node");
            t.setDaemon(true);
            return t;
        });
        // Local nodes never see tenant secrets: a node that names one runs on the executors (see accepts()).
        this.runner = new NodeRunner(NodeHandlerRegistry.standard(settings, json), tenant -> Map.of(),
                this.config.maxTimeout().toMillis(), starter);
    }

    /** Whether this replica runs the dispatch itself instead of handing it to the executors. */
    public boolean accepts(NodeDispatchMessage d) {
        return config.enabled() && types.contains(d.typeId())
                && (d.timeoutMs() == null || d.timeoutMs() <= config.maxTimeout().toMillis())
                && inFlight.get() < config.maxInFlight()
                && !namesSecrets(d.config());
    }

    /** How long a run's local nodes are leased to this replica; longer than the longest local node may take. */
    public java.time.Duration lease() {
        return config.lease();
    }

    public java.time.Duration shutdownGrace() {
        return config.shutdownGrace();
    }

    public int inFlight() {
        return inFlight.get();
    }

    /** Runs the attempt; the stage completes normally with the (redacted) result. */
    public CompletionStage<NodeResultMessage> run(NodeDispatchMessage d) {
        inFlight.incrementAndGet();
        NodeInvocation invocation = new NodeInvocation(d.tenantId(), d.runId(), d.nodeId(), d.typeId(), d.attempt(),
                d.invocationId(), d.inputs(), d.config(), d.timeoutMs(), d.options());
        String key = key(d.runId(), d.nodeId(), d.attempt());
        NodeRunner.Running handle = runner.start(invocation, null);
        running.put(key, handle);
        return handle.attempt().thenApply(attempt -> {
            NodeResultMessage result = NodeResultMessages.of(d, invocation.invocationId(), attempt.outcome(), attempt.durationMs());
            Timer.builder("capstan.node.duration").tag("node_type", d.typeId()).tag("outcome", result.outcome())
                    .tag("runner", "local").register(meters).record(attempt.durationMs(), TimeUnit.MILLISECONDS);
            return result;
        }).whenComplete((r, t) -> {
            running.remove(key, handle);
            inFlight.decrementAndGet();
        });
    }

    /**
     * Stops the attempt if it runs in this replica (its HTTP request is aborted, no retry starts); its outcome,
     * {@code node_cancelled}, is then refused by the engine as stale. True when an attempt was cancelled here.
     */
    public boolean cancel(String runId, String nodeId, int attempt, String reason) {
        NodeRunner.Running r = running.get(key(runId, nodeId, attempt));
        return r != null && r.cancel(reason);
    }

    private static String key(String runId, String nodeId, int attempt) {
        return runId + '\0' + nodeId + '\0' + attempt;
    }

    /** Whether the config refers to a tenant secret ({@code ${secrets.X}} or an auth {@code secretRef}). */
    static boolean namesSecrets(Object value) {
        if (value instanceof String s) {
            return s.contains("secrets.");
        }
        if (value instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if ("secretRef".equals(e.getKey()) || "credentialRef".equals(e.getKey()) || namesSecrets(e.getValue())) {
                    return true;
                }
            }
            return false;
        }
        if (value instanceof Iterable<?> list) {
            for (Object item : list) {
                if (namesSecrets(item)) {
                    return true;
                }
            }
        }
        return false;
    }
}
