package dev.capstan.cli.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.capstan.cli.CliFailure;
import dev.capstan.node.NodeHandlerRegistry;
import dev.capstan.node.NodeInvocation;
import dev.capstan.node.NodeOutcome;
import dev.capstan.node.NodeRunner;
import dev.capstan.node.NodeRuntimeSettings;
import dev.capstan.workflow.cost.CostTotals;
import dev.capstan.workflow.engine.Command;
import dev.capstan.workflow.engine.Decision;
import dev.capstan.workflow.engine.Engine;
import dev.capstan.workflow.engine.RunInput;
import dev.capstan.workflow.engine.SubWorkflowCall;
import dev.capstan.workflow.error.ErrorInfo;
import dev.capstan.workflow.event.RunEvent;
import dev.capstan.workflow.model.Node;
import dev.capstan.workflow.model.WorkflowDefinition;
import dev.capstan.workflow.state.RunOptions;
import dev.capstan.workflow.state.RunState;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Runs a workflow in this process: the workflow-core engine decides, this loop carries out its commands with the
 * node-runtime handlers (the executor's), a scheduler fires timers, and people answer interrupts through the
 * {@link HumanGate}. One thread owns the run state and the log; handlers, timers and prompts hand their results to
 * it through a queue, so no state is shared.
 */
public final class LocalRun implements Runner {

    static final String TENANT = "local";
    private static final long DEFAULT_NODE_TIMEOUT_MS = 120_000;

    /** Something for the loop thread: an input for the engine, and what to record first. */
    private record Step(RunInput input, Runnable record) {
    }

    private final WorkflowDefinition def;
    private final RunSettings settings;
    private final RunLog log;
    private final ProgressPrinter progress;
    private final HumanGate gate;
    private final PrintWriter out;
    private final Clock clock;
    private final Map<String, String> environment;
    private final BlockingQueue<Step> inbox = new LinkedBlockingQueue<>();
    /** Set when a running shell node is cancelled: its process must not outlive the run. */
    private boolean shellCancelled;

    public LocalRun(WorkflowDefinition def, RunSettings settings, RunLog log, ProgressPrinter progress, HumanGate gate,
                    PrintWriter out, Clock clock, Map<String, String> environment) {
        this.def = def;
        this.settings = settings;
        this.log = log;
        this.progress = progress;
        this.gate = gate;
        this.out = out;
        this.clock = clock;
        this.environment = environment;
    }

    @Override
    public void cancel(String reason) {
        inbox.add(new Step(new RunInput.Cancel(reason, "capstan-cli"), () -> { }));
    }

    @Override
    public void run() {
        ObjectMapper json = new ObjectMapper();
        ExecutorService workers = Executors.newCachedThreadPool(daemon("capstan-node"));
        ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(daemon("capstan-timer"));
        ExecutorService prompts = Executors.newSingleThreadExecutor(daemon("capstan-prompt"));
        Set<Long> childrenBefore = children();
        try {
            NodeRunner runner = new NodeRunner(NodeHandlerRegistry.standard(nodeSettings(), json), tenant -> settings.secrets(),
                    DEFAULT_NODE_TIMEOUT_MS, workers);
            Engine engine = new Engine(clock, () -> UUID.randomUUID().toString());
            String runId = "run-" + UUID.randomUUID().toString().substring(0, 8);
            RunOptions options = new RunOptions(null, null,
                    settings.timeoutSeconds() == null ? null : settings.timeoutSeconds() * 1000, null, settings.maxCostUsd());
            RunState state = RunState.initial(runId, def.id());
            Decision d = engine.decide(def, state, new RunInput.Start(settings.inputs(), options));
            if (d.rejected()) {
                throw CliFailure.failed("the run cannot start: " + d.rejection().message()
                        + (d.rejection().details().isEmpty() ? "" : " (" + String.join("; ", d.rejection().details()) + ")"));
            }
            while (true) {
                state = apply(d, runner, timers, prompts);
                if (state.status().isTerminal()) {
                    return;
                }
                Step step = inbox.take();
                step.record().run();
                d = engine.decide(def, state, step.input());
                if (d.rejected()) {
                    // Stale results (a node cancelled or timed out before it answered) are expected; nothing to do.
                    d = new Decision(List.of(), List.of(), state, null);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw CliFailure.failed("the run was interrupted");
        } finally {
            workers.shutdownNow();
            timers.shutdownNow();
            prompts.shutdownNow();
            if (shellCancelled) {
                stopCommandsStartedSince(childrenBefore);
            }
        }
    }

    /**
     * node-runtime cannot cancel a running attempt (its shell handler kills the process only on its own timeout),
     * so the commands this run started and left running are stopped here.
     */
    private static void stopCommandsStartedSince(Set<Long> before) {
        ProcessHandle.current().descendants().filter(p -> !before.contains(p.pid())).forEach(ProcessHandle::destroy);
    }

    private static Set<Long> children() {
        return ProcessHandle.current().descendants().map(ProcessHandle::pid).collect(Collectors.toSet());
    }

    private RunState apply(Decision d, NodeRunner runner, ScheduledExecutorService timers, ExecutorService prompts) {
        for (RunEvent e : d.events()) {
            Map<String, Object> doc = e.toDocument();
            log.onEvent(doc);
            progress.onEvent(doc);
        }
        for (Command c : d.commands()) {
            if (c instanceof Command.DispatchNode dn) {
                dispatch(dn, runner);
            } else if (c instanceof Command.ScheduleTimer t) {
                long delay = Math.max(0, Duration.between(clock.instant(), t.fireAt()).toMillis());
                timers.schedule(() -> inbox.add(new Step(new RunInput.TimerFired(t.kind(), t.nodeId(), t.attempt()), () -> { })),
                        delay, TimeUnit.MILLISECONDS);
            } else if (c instanceof Command.RequestInterrupt ri) {
                prompts.submit(() -> inbox.add(answer(ri)));
            } else if (c instanceof Command.CancelNode cn && "osop.cli".equals(typeOf(cn.nodeId()))
                    || c instanceof Command.CancelNode cn2 && "core.shell".equals(typeOf(cn2.nodeId()))) {
                shellCancelled = true;
            }
            // CancelNode: a late result of the cancelled attempt is refused as stale. Complete/Fail/CancelRun: the
            // state is terminal and the loop ends.
        }
        return d.state();
    }

    private String typeOf(String nodeId) {
        Node n = def.node(nodeId);
        return n == null ? "" : n.typeId();
    }

    private Step answer(Command.RequestInterrupt ri) {
        Optional<HumanGate.Answer> a = gate.answer(ri.nodeId(), ri.kind().wireName(), ri.data());
        if (a.isPresent()) {
            return new Step(new RunInput.InterruptResolved(ri.nodeId(), a.get().resumeValue(), a.get().actor()), () -> { });
        }
        String why = "node '" + ri.nodeId() + "' needs a person (" + ri.kind().wireName() + ") and there is no terminal:"
                + " rerun with --approve" + ("clarification".equals(ri.kind().wireName()) ? " and --answer ID=TEXT" : "");
        out.println("capstan: " + why);
        out.flush();
        return new Step(new RunInput.Cancel(why, "capstan-cli"), () -> log.notice("unanswered", why, clock.instant()));
    }

    private void dispatch(Command.DispatchNode dn, NodeRunner runner) {
        Node node = def.node(dn.nodeId());
        if (SubWorkflowCall.isSubWorkflow(dn.typeId())) {
            // A child run needs its workflow registered somewhere; in-process runs have no registry.
            inbox.add(new Step(new RunInput.NodeFailed(dn.nodeId(), dn.attempt(), ErrorInfo.of("not_supported_locally",
                    "Node '" + dn.nodeId() + "' runs workflow '" + SubWorkflowCall.of(dn.config()).workflowId()
                            + "' as a sub-workflow, which needs the platform: register both workflows and run without"
                            + " --local.")), () -> { }));
            return;
        }
        Map<String, Object> request = request(dn);
        log.detail(dn.nodeId(), new RunLog.NodeDetail(request, null, null, null, null, null));
        Map<String, Object> options = new HashMap<>();
        if (settings.allowExec()) {
            options.put("allowExec", true);
        }
        if (settings.mockLlm()) {
            // The handler accepts the mock provider only in test mode; for a local run the user asked for it.
            options.put("mockProvider", "capstan-cli");
            options.put("testMode", true);
        }
        NodeInvocation invocation = new NodeInvocation(TENANT, dn.runId(), dn.nodeId(), dn.typeId(), dn.attempt(),
                dn.idempotencyKey(), dn.inputs(), dn.config(), dn.timeoutMs(), options);
        runner.run(invocation, null).thenAccept(attempt -> inbox.add(result(node, dn, attempt.outcome())));
    }

    private Step result(Node node, Command.DispatchNode dn, NodeOutcome outcome) {
        Map<String, Object> http = outcome.http() == null ? Map.of() : outcome.http();
        Map<String, Object> cost = outcome.cost() == null ? Map.of() : outcome.cost();
        RunLog.NodeDetail detail = new RunLog.NodeDetail(null,
                http.get("status") instanceof Number n ? n.intValue() : null,
                http.get("preview") instanceof String p ? p : null,
                http.get("retries") instanceof Number r ? r.intValue() : null,
                cost.get("model") instanceof String m ? m : null,
                cost.get("provider") instanceof String pr ? pr : null);
        Runnable record = () -> log.detail(dn.nodeId(), detail);
        CostTotals spent = cost.isEmpty() ? null : new CostTotals(num(cost.get("usd")), (long) num(cost.get("inputTokens")),
                (long) num(cost.get("outputTokens")));
        if (outcome instanceof NodeOutcome.Completed c) {
            return new Step(new RunInput.NodeCompleted(dn.nodeId(), dn.attempt(), c.outputs(), spent,
                    c.variables() == null ? Map.of() : c.variables()), record);
        }
        if (outcome instanceof NodeOutcome.Failed f) {
            NodeOutcome.NodeError e = f.error();
            return new Step(new RunInput.NodeFailed(dn.nodeId(), dn.attempt(), new ErrorInfo(e.code(), e.message(),
                    e.details(), e.retryable()), spent), record);
        }
        return new Step(new RunInput.NodeFailed(dn.nodeId(), dn.attempt(), ErrorInfo.of("not_supported_locally",
                "Node '" + dn.nodeId() + "' asked to suspend the run, which local runs do not support.")), record);
    }

    /** What the log shows as the node's inputs: the resolved request for API nodes (secrets stay as references). */
    private static Map<String, Object> request(Command.DispatchNode dn) {
        Map<String, Object> m = new LinkedHashMap<>(dn.inputs());
        if (dn.typeId().equals("osop.api")) {
            Map<String, Object> rt = RunLog.map(dn.config().get("runtime"));
            m.put("method", String.valueOf(rt.getOrDefault("method", "GET")));
            m.put("url", String.valueOf(rt.getOrDefault("url", "")) + (rt.get("endpoint") instanceof String e ? e : ""));
            if (rt.get("body") != null) {
                m.put("body", RunLog.preview(rt.get("body")));
            }
        } else if (dn.typeId().startsWith("core.http")) {
            m.put("method", String.valueOf(dn.config().getOrDefault("method", "GET")));
            m.put("url", String.valueOf(dn.config().getOrDefault("url", "")));
        }
        return m;
    }

    private NodeRuntimeSettings nodeSettings() {
        NodeRuntimeSettings d = NodeRuntimeSettings.defaults();
        NodeRuntimeSettings.Http h = d.http();
        NodeRuntimeSettings.Shell s = d.shell();
        Map<String, String> keys = new HashMap<>();
        if (environment.get("OPENAI_API_KEY") != null) {
            keys.put("openai", environment.get("OPENAI_API_KEY"));
        }
        if (environment.get("ANTHROPIC_API_KEY") != null) {
            keys.put("anthropic", environment.get("ANTHROPIC_API_KEY"));
        }
        NodeRuntimeSettings.Llm l = d.llm();
        return new NodeRuntimeSettings(
                new NodeRuntimeSettings.Http(settings.allowPrivateTargets(), Optional.empty(), h.defaultTimeoutMs(),
                        h.defaultMaxRetries(), h.backoffMs(), h.maxRetryAfterMs(), h.maxResponseBytes(), h.previewBytes()),
                new NodeRuntimeSettings.Llm(l.openaiBaseUrl(), l.anthropicBaseUrl(), keys, l.prices(), l.defaultTimeoutMs()),
                new NodeRuntimeSettings.Shell(settings.allowExec() ? Optional.of(List.of(TENANT)) : Optional.empty(),
                        s.scratchRoot(), s.envAllowList(), s.defaultTimeoutMs(), s.maxOutputBytes()));
    }

    private static double num(Object o) {
        return o instanceof Number n ? n.doubleValue() : 0;
    }

    private static ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
