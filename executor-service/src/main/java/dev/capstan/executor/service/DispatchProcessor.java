package dev.capstan.executor.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.capstan.common.messaging.NodeDispatchMessage;
import dev.capstan.common.messaging.NodeResultMessage;
import dev.capstan.common.messaging.NodeResultMessages;
import dev.capstan.executor.repository.InvocationLogRepository;
import dev.capstan.node.NodeInvocation;
import dev.capstan.node.NodeOutcome;
import dev.capstan.node.NodeRunner;
import dev.capstan.node.ProgressSink;
import dev.capstan.workflow.engine.Command;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Runs one dispatch with idempotent effects: claim the invocation in the log before the effect, execute the
 * node's handler, record the (redacted) result, then publish it. A dispatch whose invocation already completed
 * republishes the recorded result; one another live instance is running waits for it; one whose owner's lease
 * ran out is taken over.
 */
public final class DispatchProcessor {

    private static final Logger LOG = Logger.getLogger(DispatchProcessor.class);

    /** Publishes a result message; completes when the broker has it. */
    public interface Publisher {
        CompletionStage<Void> publish(NodeResultMessage result);
    }

    /** @param cancelMemoryMs how long a cancel of an attempt not running here is remembered, in case its dispatch is still queued */
    public record Settings(String owner, long leaseMs, long cancelMemoryMs) {
        public Settings(String owner, long leaseMs) {
            this(owner, leaseMs, 300_000);
        }
    }

    private static final int MAX_REMEMBERED_CANCELS = 10_000;

    private final Settings settings;
    private final InvocationLogRepository log;
    private final NodeRunner runner;
    private final Publisher publisher;
    private final ObjectMapper json;
    private final NodeMetrics metrics;
    private final ScheduledExecutorService timers;
    private final Set<String> running = ConcurrentHashMap.newKeySet();
    /** The attempts this instance runs now, by invocation id, so that a cancel can reach them. */
    private final Map<String, NodeRunner.Running> attempts = new ConcurrentHashMap<>();
    /** {@code runId \0 nodeId \0 attempt} of each running invocation: the engine's CancelNode names a node, not an id. */
    private final Map<String, String> nodeOf = new ConcurrentHashMap<>();
    /** Recent cancels by {@code runId \0 nodeId \0 attempt} → (reason, until): a dispatch that starts later is stopped at once. */
    private final Map<String, Map.Entry<String, Long>> cancelled = new ConcurrentHashMap<>();

    public DispatchProcessor(Settings settings, InvocationLogRepository log, NodeRunner runner,
                             Publisher publisher, ObjectMapper json, NodeMetrics metrics, ScheduledExecutorService timers) {
        this.settings = settings;
        this.log = log;
        this.runner = runner;
        this.publisher = publisher;
        this.json = json;
        this.metrics = metrics;
        this.timers = timers;
    }

    public String owner() {
        return settings.owner();
    }

    /** Invocation ids this instance is executing now (their leases are renewed, or handed back on a hurried stop). */
    public List<String> runningInvocations() {
        return List.copyOf(running);
    }

    /**
     * Cancels the attempt {@code runId:nodeId:attempt} if this instance runs it: the handler's work stops (process
     * tree killed, request aborted) and the attempt is recorded and published as failed {@code node_cancelled}.
     * True when an attempt was cancelled here.
     */
    public boolean cancel(String invocationId, String reason) {
        NodeRunner.Running r = attempts.get(invocationId);
        return r != null && r.cancel(reason);
    }

    /**
     * Cancels every attempt this instance runs for the node (any invocation id of that run, node and attempt), and
     * remembers the cancel for a while so that a dispatch of that attempt still waiting for a permit does not run.
     * Returns how many running attempts were cancelled here.
     */
    public int cancel(String runId, String nodeId, int attempt, String reason) {
        // Remember first, then look: a dispatch starting meanwhile either is in the map or sees the remembered cancel.
        remember(runId + "\0" + nodeId + "\0" + attempt, reason);
        int n = 0;
        for (Map.Entry<String, NodeRunner.Running> e : attempts.entrySet()) {
            if (matches(e.getKey(), runId, nodeId, attempt) && e.getValue().cancel(reason)) {
                n++;
            }
        }
        metrics.cancelReceived(n > 0);
        return n;
    }

    private void remember(String node, String reason) {
        long now = System.currentTimeMillis();
        if (cancelled.size() >= MAX_REMEMBERED_CANCELS) {
            cancelled.values().removeIf(v -> v.getValue() < now);
            if (cancelled.size() >= MAX_REMEMBERED_CANCELS) {
                cancelled.clear(); // a burst beyond the bound: forgetting only lets a late dispatch run, which is safe
            }
        }
        cancelled.put(node, Map.entry(reason == null ? "cancelled" : reason, now + settings.cancelMemoryMs()));
    }

    /** The reason of a remembered, unexpired cancel of the attempt, or null. */
    private String cancelledEarlier(String node) {
        Map.Entry<String, Long> c = cancelled.get(node);
        return c != null && c.getValue() >= System.currentTimeMillis() ? c.getKey() : null;
    }

    private boolean matches(String invocationId, String runId, String nodeId, int attempt) {
        return (runId + "\0" + nodeId + "\0" + attempt).equals(nodeOf.get(invocationId));
    }

    public CompletionStage<Void> process(NodeDispatchMessage d) {
        metrics.dispatchLag(d.typeId(), System.currentTimeMillis() - d.dispatchedAtEpochMs());
        String id = invocationId(d);
        return log.claimNew(id, d.tenantId(), d.runId(), d.nodeId(), d.attempt(), d.typeId(), settings.owner(),
                        settings.leaseMs())
                .subscribeAsCompletionStage()
                .thenCompose(claimed -> claimed ? execute(d, id) : existing(d, id));
    }

    private CompletionStage<Void> existing(NodeDispatchMessage d, String id) {
        return log.find(id).subscribeAsCompletionStage().thenCompose(found -> {
            if (found.isEmpty()) {
                // Purged between the insert and the read: claim again.
                return process(d);
            }
            InvocationLogRepository.Entry e = found.get();
            if (e.completed()) {
                metrics.replayed(d.typeId());
                LOG.debugf("Invocation %s already completed; republishing its recorded result", id);
                return publisher.publish(recorded(e.result()));
            }
            if (settings.owner().equals(e.owner()) && running.contains(id)) {
                // Redelivered to us while we run it (after a rebalance): our own completion publishes.
                return waitFor(d, id);
            }
            if (e.leaseExpired()) {
                return log.takeOver(id, settings.owner(), settings.leaseMs()).subscribeAsCompletionStage()
                        .thenCompose(took -> took ? execute(d, id) : existing(d, id));
            }
            return waitFor(d, id);
        });
    }

    /** Another owner holds a live lease: look again later, until it completes or its lease runs out. */
    private CompletionStage<Void> waitFor(NodeDispatchMessage d, String id) {
        long delay = Math.max(50, Math.min(1000, settings.leaseMs() / 4));
        CompletableFuture<Void> later = new CompletableFuture<>();
        timers.schedule(() -> later.complete(null), delay, TimeUnit.MILLISECONDS);
        return later.thenCompose(x -> existing(d, id));
    }

    private CompletionStage<Void> execute(NodeDispatchMessage d, String id) {
        running.add(id);
        metrics.started();
        long started = System.currentTimeMillis();
        ProgressSink progress = (channel, text, isLast, meta) -> {
            Map<String, Object> chunk = new LinkedHashMap<>();
            chunk.put("channel", channel);
            chunk.put("text", text);
            chunk.put("isLast", isLast);
            chunk.put("meta", meta);
            publisher.publish(new NodeResultMessage(NodeResultMessage.VERSION, d.tenantId(), d.runId(), d.nodeId(),
                    d.attempt(), id, NodeResultMessage.PROGRESS, null, null, System.currentTimeMillis() - started, null,
                    null, null, chunk, System.currentTimeMillis(), null));
        };
        NodeInvocation invocation = new NodeInvocation(d.tenantId(), d.runId(), d.nodeId(), d.typeId(), d.attempt(), id,
                d.inputs(), d.config(), d.timeoutMs(), d.options());
        NodeRunner.Running handle = runner.start(invocation, progress);
        attempts.put(id, handle);
        String node = d.runId() + "\0" + d.nodeId() + "\0" + d.attempt();
        nodeOf.put(id, node);
        String earlier = cancelledEarlier(node);
        if (earlier != null) {
            handle.cancel(earlier);
        }
        return handle.attempt().thenCompose(attempt -> {
            NodeOutcome o = attempt.outcome();
            NodeResultMessage result = NodeResultMessages.of(d, id, o, attempt.durationMs());
            metrics.duration(d.typeId(), result.outcome(), attempt.durationMs());
            if (o instanceof NodeOutcome.Failed f) {
                metrics.failure(d.typeId(), f.error().retryable());
            }
            return log.complete(id, settings.owner(), asMap(result)).subscribeAsCompletionStage()
                    .thenCompose(recorded -> {
                        if (!recorded) {
                            // Our lease ran out and another instance took over; its result is the one that counts.
                            LOG.warnf("Invocation %s was taken over by another instance; dropping this attempt's result", id);
                            return CompletableFuture.<Void>completedFuture(null);
                        }
                        return publisher.publish(result);
                    });
        }).whenComplete((x, t) -> {
            attempts.remove(id);
            nodeOf.remove(id);
            running.remove(id);
            metrics.finished();
        });
    }

    /** The dispatch's invocation id, or {@code runId:nodeId:attempt} from an older sender that left it out. */
    static String invocationId(NodeDispatchMessage d) {
        return d.invocationId() != null && !d.invocationId().isBlank() ? d.invocationId()
                : Command.DispatchNode.idempotencyKey(d.runId(), d.nodeId(), d.attempt());
    }

    private Map<String, Object> asMap(NodeResultMessage m) {
        try {
            return new JsonObject(json.writeValueAsString(m)).getMap();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A result message could not be written as JSON", e);
        }
    }

    private NodeResultMessage recorded(JsonObject stored) {
        try {
            return json.readValue(stored.encode(), NodeResultMessage.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A recorded result could not be read back", e);
        }
    }
}
