package dev.capstan.node;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs one attempt of a node with its handler: resolves {@code ${inputs.*}} and {@code ${secrets.*}} in the
 * config, bounds the attempt by its timeout, turns every failure into a {@link NodeOutcome.Failed} with a stable
 * code, and redacts the tenant's secret values from everything it returns or streams. It keeps no record of
 * invocations: the caller decides how an attempt is made durable (the executor's invocation log, run-service's
 * event log).
 */
public final class NodeRunner {

    private static final Logger LOG = Logger.getLogger(NodeRunner.class.getName());

    /** The redacted outcome of one attempt and how long it took. */
    public record Attempt(NodeOutcome outcome, long durationMs) {
    }

    private final NodeHandlerRegistry handlers;
    private final Function<String, Map<String, String>> secretsOfTenant;
    private final long defaultTimeoutMs;
    private final Executor startOn;

    /**
     * @param startOn where a handler is started; handlers do not block, but their set-up (templating, building a
     *                request) should not run on an event loop that serves requests
     */
    public NodeRunner(NodeHandlerRegistry handlers, Function<String, Map<String, String>> secretsOfTenant,
                      long defaultTimeoutMs, Executor startOn) {
        this.handlers = handlers;
        this.secretsOfTenant = secretsOfTenant;
        this.defaultTimeoutMs = defaultTimeoutMs;
        this.startOn = startOn;
    }

    public NodeHandlerRegistry handlers() {
        return handlers;
    }

    /** Runs the attempt; the stage always completes normally. */
    public CompletionStage<Attempt> run(NodeInvocation invocation, ProgressSink progress) {
        long started = System.nanoTime();
        TenantSecrets secrets = new TenantSecrets(secretsOfTenant.apply(invocation.tenantId()));
        ProgressSink redactedProgress = progress == null ? ProgressSink.NONE : (channel, text, isLast, meta) -> {
            Redactor r = secrets.redactor();
            progress.chunk(channel, r.redact(text), isLast, r.redactValue(meta == null ? Map.of() : meta));
        };
        long timeoutMs = invocation.timeoutMs() != null && invocation.timeoutMs() > 0 ? invocation.timeoutMs() : defaultTimeoutMs;
        return CompletableFuture.supplyAsync(() -> handlers.find(invocation.typeId()).orElse(null), startOn)
                .thenCompose(handler -> {
                    if (handler == null) {
                        return CompletableFuture.completedFuture((NodeOutcome) new NodeOutcome.Failed(new NodeOutcome.NodeError(
                                "capability_not_provided", "No handler for node type '" + invocation.typeId() + "'.",
                                false, Map.of("requiredCapability", invocation.typeId(), "offendingTypeId", invocation.typeId(),
                                "nodeId", invocation.nodeId()))));
                    }
                    Map<String, Object> config = Templates.resolve(invocation.config(), invocation.inputs(), secrets);
                    return handler.execute(new NodeContext(invocation, config, secrets, redactedProgress, timeoutMs));
                })
                .toCompletableFuture()
                .orTimeout(timeoutMs, TimeUnit.MILLISECONDS)
                .exceptionally(t -> failureOf(invocation, t, timeoutMs))
                .thenApply(o -> new Attempt(redacted(o, secrets.redactor()), (System.nanoTime() - started) / 1_000_000));
    }

    /** Whether the type acts on the outside world (HTTP, shell, model spend), so a repeat must be avoided. */
    public boolean sideEffecting(String typeId) {
        return handlers.find(typeId).map(NodeHandler::sideEffecting).orElse(true);
    }

    private static NodeOutcome failureOf(NodeInvocation d, Throwable t, long timeoutMs) {
        Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        if (cause instanceof NodeFailure nf) {
            return new NodeOutcome.Failed(nf.error());
        }
        if (cause instanceof TimeoutException) {
            return new NodeOutcome.Failed(NodeOutcome.NodeError.of("node_timeout",
                    "Node '" + d.nodeId() + "' did not finish within " + timeoutMs + " ms.", true));
        }
        LOG.log(Level.SEVERE, "Node " + d.nodeId() + " (" + d.typeId() + ") of run " + d.runId() + " failed unexpectedly", cause);
        return new NodeOutcome.Failed(NodeOutcome.NodeError.of("internal_error",
                "Node '" + d.nodeId() + "' failed unexpectedly: " + cause.getClass().getSimpleName(), true));
    }

    private static NodeOutcome redacted(NodeOutcome o, Redactor r) {
        if (o instanceof NodeOutcome.Completed c) {
            return new NodeOutcome.Completed(r.redactValue(c.outputs()), r.redactValue(c.cost()), r.redactValue(c.http()),
                    r.redactValue(c.variables()));
        }
        if (o instanceof NodeOutcome.Failed f) {
            NodeOutcome.NodeError e = f.error();
            return new NodeOutcome.Failed(new NodeOutcome.NodeError(e.code(), r.redact(e.message()), e.retryable(),
                    r.redactValue(e.details())), r.redactValue(f.cost()), r.redactValue(f.http()));
        }
        return new NodeOutcome.Suspended(r.redactValue(((NodeOutcome.Suspended) o).interrupt()));
    }
}
