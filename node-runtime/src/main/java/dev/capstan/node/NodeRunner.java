package dev.capstan.node;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
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

    /**
     * An attempt under way. {@link #cancel} stops it: the shell handler kills the process tree, HTTP and LLM
     * requests are aborted, a pending retry does not start, and {@link #attempt()} completes at once with the
     * non-retryable {@code node_cancelled} failure. A cancel after the attempt finished changes nothing.
     */
    public static final class Running {
        private final String invocationId;
        private final Cancellation cancellation;
        private final CompletableFuture<Attempt> attempt;

        private Running(String invocationId, Cancellation cancellation, CompletableFuture<Attempt> attempt) {
            this.invocationId = invocationId;
            this.cancellation = cancellation;
            this.attempt = attempt;
        }

        public String invocationId() {
            return invocationId;
        }

        /** Completes normally with the redacted outcome, also when the attempt was cancelled or timed out. */
        public CompletableFuture<Attempt> attempt() {
            return attempt;
        }

        /** True when this call cancelled the attempt; false when it had finished or was already cancelled. */
        public boolean cancel(String reason) {
            return !attempt.isDone() && cancellation.cancel(reason);
        }
    }

    private final NodeHandlerRegistry handlers;
    private final TenantEnvironment.Lookup tenants;
    private final long defaultTimeoutMs;
    private final Executor startOn;

    /**
     * @param startOn where a handler is started; handlers do not block, but their set-up (templating, building a
     *                request, resolving a host) should not run on an event loop that serves requests
     */
    public NodeRunner(NodeHandlerRegistry handlers, Function<String, Map<String, String>> secretsOfTenant,
                      long defaultTimeoutMs, Executor startOn) {
        this(handlers, TenantEnvironment.Lookup.ofSecrets(secretsOfTenant), startOn, defaultTimeoutMs);
    }

    /**
     * With tenants from a store: their secrets and their stored execution policy, looked up per attempt (a factory
     * rather than a constructor, so that a lambda passed to the other constructor stays unambiguous).
     */
    public static NodeRunner withTenants(NodeHandlerRegistry handlers, TenantEnvironment.Lookup tenants,
                                         long defaultTimeoutMs, Executor startOn) {
        return new NodeRunner(handlers, tenants, startOn, defaultTimeoutMs);
    }

    private NodeRunner(NodeHandlerRegistry handlers, TenantEnvironment.Lookup tenants, Executor startOn,
                       long defaultTimeoutMs) {
        this.handlers = handlers;
        this.tenants = tenants;
        this.defaultTimeoutMs = defaultTimeoutMs;
        this.startOn = startOn;
    }

    public NodeHandlerRegistry handlers() {
        return handlers;
    }

    /**
     * Runs the attempt; the stage completes normally unless the caller cancels it, which also cancels the
     * attempt (see {@link Running#cancel}) — use {@link #start} to cancel and still receive the outcome.
     */
    public CompletableFuture<Attempt> run(NodeInvocation invocation, ProgressSink progress) {
        Running running = start(invocation, progress);
        CompletableFuture<Attempt> result = running.attempt().thenApply(a -> a);
        result.whenComplete((a, t) -> {
            if (t instanceof java.util.concurrent.CancellationException) {
                running.cancel("cancelled");
            }
        });
        return result;
    }

    /** Starts the attempt and returns a handle that can cancel it. */
    public Running start(NodeInvocation invocation, ProgressSink progress) {
        long started = System.nanoTime();
        Cancellation cancellation = new Cancellation();
        AtomicReference<TenantSecrets> secretsRef = new AtomicReference<>(new TenantSecrets(Map.of()));
        ProgressSink redactedProgress = progress == null ? ProgressSink.NONE : (channel, text, isLast, meta) -> {
            if (cancellation.isCancelled()) {
                return;
            }
            Redactor r = secretsRef.get().redactor();
            progress.chunk(channel, r.redact(text), isLast, r.redactValue(meta == null ? Map.of() : meta));
        };
        long timeoutMs = invocation.timeoutMs() != null && invocation.timeoutMs() > 0 ? invocation.timeoutMs() : defaultTimeoutMs;
        CompletableFuture<NodeOutcome> outcome = new CompletableFuture<>();
        cancellation.onCancel(() -> outcome.completeExceptionally(
                Cancellation.cancelledFailure(cancellation.reason().orElse("cancelled"))));
        CompletableFuture.supplyAsync(() -> null, startOn)
                .thenCompose(x -> tenants.lookup(invocation.tenantId()).exceptionally(t -> {
                    throw new NodeFailure("tenant_unavailable", "The tenant's secrets and policy could not be read.", true);
                }))
                .thenComposeAsync(env -> {
                    TenantSecrets secrets = new TenantSecrets(env.secrets());
                    secretsRef.set(secrets);
                    cancellation.throwIfCancelled();
                    NodeHandler handler = handlers.find(invocation.typeId()).orElse(null);
                    if (handler == null) {
                        return CompletableFuture.completedFuture((NodeOutcome) new NodeOutcome.Failed(new NodeOutcome.NodeError(
                                "capability_not_provided", "No handler for node type '" + invocation.typeId() + "'.",
                                false, Map.of("requiredCapability", invocation.typeId(), "offendingTypeId", invocation.typeId(),
                                "nodeId", invocation.nodeId()))));
                    }
                    Map<String, Object> config = Templates.resolve(invocation.config(), invocation.inputs(), secrets);
                    return handler.execute(new NodeContext(invocation, config, secrets, redactedProgress, timeoutMs,
                            env.policy(), cancellation));
                }, startOn)
                .whenComplete((o, t) -> {
                    if (t != null) {
                        outcome.completeExceptionally(t);
                    } else {
                        outcome.complete(o);
                    }
                });
        CompletableFuture<Attempt> attempt = outcome
                .orTimeout(timeoutMs, TimeUnit.MILLISECONDS)
                .exceptionally(t -> {
                    if (unwrap(t) instanceof TimeoutException) {
                        // Stop what the handler started (a process, a request) rather than leave it running.
                        cancellation.cancel("node_timeout");
                    }
                    return failureOf(invocation, t, timeoutMs);
                })
                .thenApply(o -> new Attempt(redacted(o, secretsRef.get().redactor()), (System.nanoTime() - started) / 1_000_000));
        return new Running(invocation.invocationId(), cancellation, attempt);
    }

    private static Throwable unwrap(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }

    /** Whether the type acts on the outside world (HTTP, shell, model spend), so a repeat must be avoided. */
    public boolean sideEffecting(String typeId) {
        return handlers.find(typeId).map(NodeHandler::sideEffecting).orElse(true);
    }

    private static NodeOutcome failureOf(NodeInvocation d, Throwable t, long timeoutMs) {
        Throwable cause = unwrap(t);
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
