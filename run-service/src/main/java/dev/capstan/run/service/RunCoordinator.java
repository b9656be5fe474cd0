package dev.capstan.run.service;

import dev.capstan.common.error.ApiException;
import dev.capstan.common.error.ErrorCode;
import dev.capstan.common.messaging.NodeDispatchMessage;
import dev.capstan.common.messaging.NodeResultMessage;
import dev.capstan.common.messaging.Topics;
import dev.capstan.run.config.RunServiceConfig;
import dev.capstan.run.messaging.ChildRunMessage;
import dev.capstan.run.messaging.NodeCancelPublisher;
import dev.capstan.run.messaging.OutboxRelay;
import dev.capstan.run.messaging.RunEventPublisher;
import dev.capstan.run.repository.OutboxMessage;
import dev.capstan.run.repository.RunRepository;
import dev.capstan.run.repository.RunRow;
import dev.capstan.run.repository.TimerRow;
import dev.capstan.run.service.DefinitionCache.LoadedDefinition;
import dev.capstan.workflow.engine.Command;
import dev.capstan.workflow.engine.Decision;
import dev.capstan.workflow.engine.Engine;
import dev.capstan.workflow.engine.Forks;
import dev.capstan.workflow.engine.Rejection;
import dev.capstan.workflow.engine.RunInput;
import dev.capstan.workflow.engine.SubWorkflowCall;
import dev.capstan.workflow.error.ErrorInfo;
import dev.capstan.workflow.event.EventTypes;
import dev.capstan.workflow.event.RunEvent;
import dev.capstan.workflow.expr.ExpressionEnvironment;
import dev.capstan.workflow.model.Node;
import dev.capstan.workflow.state.NodeStatus;
import dev.capstan.workflow.state.RunFold;
import dev.capstan.workflow.state.RunOptions;
import dev.capstan.workflow.state.RunSnapshots;
import dev.capstan.workflow.state.RunState;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * Applies inputs to runs: folds the run's state (cached for active runs), asks the pure engine for a
 * decision, and commits its events, the new snapshot, timers and outbox messages in one transaction
 * before anything is published. Work on one run is serialised on this replica; across replicas the
 * snapshot's sequence check and the event log's primary key turn a race into a retry, never a fork.
 */
@ApplicationScoped
public class RunCoordinator {

    public static final String ENGINE_VERSION = "capstan-1";
    private static final Logger LOG = Logger.getLogger(RunCoordinator.class);
    private static final int MAX_EVENTS = 1_000_000;

    /** What the engine needs about a run besides its state. */
    record ActiveRun(String tenantId, LoadedDefinition definition, RunState state, Map<String, Object> runInfo, Engine engine) {
        ActiveRun withState(RunState next) {
            return new ActiveRun(tenantId, definition, next, runInfo, engine);
        }
    }

    /** The run's request-time facts kept beside the snapshot: options for executors, tags, metadata. */
    public record RunInfo(Map<String, Object> configurable, List<String> tags, Map<String, Object> metadata,
                          Map<String, Object> executorOptions) {
    }

    private final RunRepository runs;
    private final DefinitionCache definitions;
    private final OutboxRelay relay;
    private final RunEventBus bus;
    private final JsonCodec json;
    private final Vertx vertx;
    private final Clock clock = Clock.systemUTC();
    private final Engine engine;
    private final PerRunSerializer serializer = new PerRunSerializer();
    private final Map<String, ActiveRun> active = new ConcurrentHashMap<>();
    private final LocalNodes localNodes;
    private final RunEventPublisher eventPublisher;
    private final NodeCancelPublisher nodeCancels;
    private final ArtifactRecorder artifacts;
    /** Run id → how many of its local nodes this replica is running; while any are, the run's lease is renewed. */
    private final Map<String, Integer> localRunning = new ConcurrentHashMap<>();
    private final int maxSubWorkflowDepth;

    public RunCoordinator(RunRepository runs, DefinitionCache definitions, OutboxRelay relay, RunEventBus bus,
                          JsonCodec json, Vertx vertx, LocalNodes localNodes, RunEventPublisher eventPublisher,
                          NodeCancelPublisher nodeCancels, ArtifactRecorder artifacts, RunServiceConfig config) {
        this.runs = runs;
        this.nodeCancels = nodeCancels;
        this.artifacts = artifacts;
        this.maxSubWorkflowDepth = config.maxSubWorkflowDepth();
        this.localNodes = localNodes;
        this.eventPublisher = eventPublisher;
        this.definitions = definitions;
        this.relay = relay;
        this.bus = bus;
        this.json = json;
        this.vertx = vertx;
        this.engine = new Engine(clock, () -> UUID.randomUUID().toString());
    }

    /** Creates a run and takes its first steps; the returned row is the committed run. */
    public Uni<RunRow> start(String tenantId, String workflowId, Map<String, Object> inputs, RunInfo info) {
        return definitions.latest(tenantId, workflowId).flatMap(definition -> {
            String runId = "run_" + UUID.randomUUID().toString().replace("-", "");
            RunState initial = RunState.initial(runId, workflowId);
            Decision decision = engine.decide(definition.definition(), initial,
                    new RunInput.Start(inputs, RunOptions.fromMap(RunOptionsPolicy.forEngine(info.configurable())),
                            info.tags(), info.metadata()));
            if (decision.rejected()) {
                throw ApiException.validation(decision.rejection().message(), Map.of("reason", decision.rejection().code(),
                        "problems", decision.rejection().details()));
            }
            Map<String, Object> runInfo = toMap(info);
            ActiveRun run = new ActiveRun(tenantId, definition, decision.state(), runInfo, engine);
            Instant now = clock.instant();
            RunRow row = new RunRow(runId, tenantId, workflowId, definition.version(), decision.state().status().wireName(),
                    lastSequence(decision.state()), json.write(snapshot(run)), json.write(runInfo), now);
            return serializer.submit(runId, () -> commit(run, decision, null, row, info.tags(), 0, true))
                    .map(ignored -> row);
        });
    }

    /**
     * Applies one input to a run. A rejected input (a stale result, a timer that no longer matters)
     * changes nothing and is returned as the decision's rejection.
     */
    public Uni<Decision> apply(String runId, RunInput input, String firedTimerId) {
        return apply(runId, input, firedTimerId, StepExtras.NONE);
    }

    /**
     * What an input may bring besides itself: artifacts its node result declares, and a guard checked on the run's
     * state in the same serialised step as the decision (a refusal from it is returned like the engine's).
     */
    public record StepExtras(List<Map<String, Object>> declaredArtifacts, Function<RunState, Rejection> guard) {
        public static final StepExtras NONE = new StepExtras(List.of(), null);

        public static StepExtras artifacts(List<Map<String, Object>> declared) {
            return new StepExtras(declared == null ? List.of() : declared, null);
        }

        public static StepExtras guard(Function<RunState, Rejection> guard) {
            return new StepExtras(List.of(), guard);
        }
    }

    public Uni<Decision> apply(String runId, RunInput input, String firedTimerId, StepExtras extras) {
        return serializer.submit(runId, () -> applyNow(runId, input, firedTimerId, true, 0, extras));
    }

    /**
     * @param localDelta -1 when {@code input} is the outcome of a local node of this replica (its lease is then
     *                   dropped with this commit unless others still run), else 0
     */
    private Uni<Decision> applyNow(String runId, RunInput offered, String firedTimerId, boolean retryOnConflict, int localDelta,
                                   StepExtras extras) {
        return load(runId).flatMap(run -> {
            if (run == null) {
                return Uni.createFrom().failure(new ApiException(ErrorCode.NOT_FOUND, "Run " + runId + " not found"));
            }
            RunInput input = artifacts.screen(offered, extras.declaredArtifacts());
            Rejection refused = extras.guard() == null ? null : extras.guard().apply(run.state());
            Decision decision = refused != null ? new Decision(List.of(), List.of(), run.state(), refused)
                    : run.engine().decide(run.definition().definition(), run.state(), input);
            if (decision.rejected() && retryOnConflict && active.remove(runId, run)) {
                // The cached state may be behind: another replica can have advanced the run (a result applied by the
                // owner of its partition). Decide again on the log as stored before refusing.
                return applyNow(runId, offered, firedTimerId, false, localDelta, extras);
            }
            if (decision.rejected()) {
                if (localDelta < 0) {
                    // A late local outcome (the run was reconciled meanwhile, or ended): nothing to commit.
                    localNodeDone(runId);
                }
                Uni<Void> cleanup = firedTimerId == null ? Uni.createFrom().voidItem()
                        : runs.deleteTimer(runId, firedTimerId);
                return cleanup.replaceWith(decision);
            }
            ActiveRun next = run.withState(decision.state());
            // Dispatches re-issued by a reconcile go to the executors: the local runner may be what failed.
            boolean allowLocal = !(input instanceof RunInput.Reconcile);
            RunInput.NodeCompleted completed = input instanceof RunInput.NodeCompleted c ? c : null;
            return commit(next, decision, run.state(), null, null, localDelta, allowLocal,
                    completed == null ? List.of() : extras.declaredArtifacts(), completed).replaceWith(decision)
                    .onFailure(RunConflict.class).recoverWithUni(conflict -> {
                        active.remove(runId);
                        if (!retryOnConflict) {
                            return Uni.createFrom().failure(conflict);
                        }
                        return applyNow(runId, offered, firedTimerId, false, localDelta, extras);
                    });
        });
    }

    /** The run's state as this replica decides on it (cached while active, else folded from the log); null if unknown. */
    public Uni<RunState> state(String runId) {
        return serializer.submit(runId, () -> load(runId).map(run -> run == null ? null : run.state()));
    }

    /**
     * Appends a streamed chunk of a running node as {@code ai.message.chunk} (model tokens) or
     * {@code output.chunk}. Chunks do not change the run's course, so they are appended without the
     * engine; a chunk of an attempt that is no longer running is dropped.
     */
    public Uni<Void> appendChunk(String runId, String nodeId, int attempt, Map<String, Object> chunk) {
        return serializer.submit(runId, () -> appendChunkNow(runId, nodeId, attempt, chunk, true));
    }

    private Uni<Void> appendChunkNow(String runId, String nodeId, int attempt, Map<String, Object> chunk, boolean retryOnConflict) {
        return load(runId).flatMap(run -> {
            if (run == null || run.state().status().isTerminal()) {
                return Uni.createFrom().voidItem();
            }
            var node = run.state().node(nodeId);
            if (node == null || node.status() != NodeStatus.RUNNING || node.attempt() != attempt) {
                return Uni.createFrom().voidItem();
            }
            boolean message = EventTypes.AI_MESSAGE_CHUNK.equals(chunk.get("channel"));
            Map<String, Object> payload = new LinkedHashMap<>();
            payload.put("nodeId", nodeId);
            if (message) {
                payload.put("runId", runId);
            }
            payload.put("chunk", String.valueOf(chunk.getOrDefault("text", "")));
            payload.put("isLast", Boolean.TRUE.equals(chunk.get("isLast")));
            if (!message && chunk.get("channel") != null) {
                payload.put("channel", chunk.get("channel"));
            }
            payload.put("meta", chunk.getOrDefault("meta", Map.of()));
            RunEvent event = new RunEvent(UUID.randomUUID().toString(), runId, run.state().nextSequence(),
                    message ? EventTypes.AI_MESSAGE_CHUNK : EventTypes.OUTPUT_CHUNK, clock.instant(), nodeId, payload);
            RunState next = RunFold.foldFrom(run.state(), List.of(event));
            Decision appended = new Decision(List.of(event), List.of(), next, null);
            return commit(run.withState(next), appended, run.state(), null, null,
                    0, true)
                    .onFailure(RunConflict.class).recoverWithUni(conflict -> {
                        active.remove(runId);
                        return retryOnConflict ? appendChunkNow(runId, nodeId, attempt, chunk, false) : Uni.createFrom().failure(conflict);
                    });
        });
    }

    private Uni<Void> commit(ActiveRun run, Decision decision, RunState before, RunRow newRow, List<String> tags,
                             int localDelta, boolean allowLocal) {
        return commit(run, decision, before, newRow, tags, localDelta, allowLocal, List.of(), null);
    }

    private Uni<Void> commit(ActiveRun decided, Decision engineDecision, RunState before, RunRow decidedRow, List<String> tags,
                             int localDelta, boolean allowLocal, List<Map<String, Object>> declaredArtifacts,
                             RunInput.NodeCompleted completedBy) {
        ArtifactRecorder.Recorded recorded = artifacts.record(decided.tenantId(), engineDecision, completedBy, declaredArtifacts,
                clock.instant());
        Decision decision = recorded.decision();
        ActiveRun run = decision == engineDecision ? decided : decided.withState(decision.state());
        RunRow newRow = decidedRow == null || decision == engineDecision ? decidedRow
                : new RunRow(decidedRow.runId(), decidedRow.tenantId(), decidedRow.workflowId(), decidedRow.workflowVersion(),
                        decidedRow.status(), lastSequence(decision.state()), json.write(snapshot(run)), decidedRow.optionsJson(),
                        decidedRow.createdAt());
        String runId = run.state().runId();
        List<RunEvent> events = decision.events();
        List<TimerRow> timers = new ArrayList<>();
        List<OutboxMessage> outbox = new ArrayList<>();
        List<NodeDispatchMessage> local = new ArrayList<>();
        List<Command.CancelNode> cancels = new ArrayList<>();
        for (Command command : decision.commands()) {
            if (command instanceof Command.DispatchNode dispatch && SubWorkflowCall.isSubWorkflow(dispatch.typeId())) {
                // run-service runs this node type itself: the child run starts from the outbox, like a dispatch.
                outbox.add(new OutboxMessage(null, Topics.RUN_CHILDREN, runId,
                        json.write(ChildRuns.start(run.tenantId(), run.runInfo(), run.state(), dispatch))));
            } else if (command instanceof Command.CancelNode cancel) {
                Node node = run.definition().definition().node(cancel.nodeId());
                if (node != null && SubWorkflowCall.isSubWorkflow(node.typeId())) {
                    // The attempt is a child run, not executor work: cancel the child (unless the call says not to).
                    ChildRunMessage cancelChild = ChildRuns.cancel(run.tenantId(), cancel, node.config());
                    if (cancelChild != null) {
                        outbox.add(new OutboxMessage(null, Topics.RUN_CHILDREN, runId, json.write(cancelChild)));
                    }
                } else {
                    cancels.add(cancel);
                }
            } else if (command instanceof Command.DispatchNode dispatch) {
                NodeDispatchMessage message = dispatchMessage(run, dispatch);
                if (allowLocal && localNodes.accepts(message)) {
                    local.add(message);
                } else {
                    outbox.add(new OutboxMessage(null, Topics.NODE_DISPATCH, runId, json.write(message)));
                }
            } else if (command instanceof Command.ScheduleTimer timer) {
                timers.add(new TimerRow(runId, timer.timerId(), timer.kind().name(), timer.nodeId(), timer.attempt(), timer.fireAt()));
            }
        }
        if (run.state().status().isTerminal() && (before == null || !before.status().isTerminal())) {
            // A waited-for child's end is its parent node's result, written with the step that ends the child.
            NodeResultMessage parentResult = ChildRuns.parentResult(run.tenantId(), run.runInfo(), run.state(), clock.millis());
            if (parentResult != null) {
                outbox.add(new OutboxMessage(null, Topics.NODE_RESULTS, parentResult.runId(), json.write(parentResult)));
            }
        }
        Instant now = clock.instant();
        int localAfter = Math.max(0, localRunning.getOrDefault(runId, 0) + localDelta) + local.size();
        Instant leaseUntil = localAfter > 0 && !run.state().status().isTerminal() ? now.plus(localNodes.lease()) : null;
        String snapshot = json.write(snapshot(run));
        Uni<List<OutboxMessage>> stored = runs.commitStep(new RunRepository.StepWrite(newRow,
                        tags == null ? new String[0] : tags.toArray(String[]::new), runId, run.tenantId(),
                        before == null ? -1 : lastSequence(before), lastSequence(run.state()), run.state().status().wireName(),
                        snapshot, now, leaseUntil, events, timers, outbox, recorded.rows()))
                .map(result -> {
                    if (!result.advanced()) {
                        throw new RunConflict(runId);
                    }
                    return result.outbox();
                });
        return stored.invoke(messages -> {
            active.put(runId, run);
            if (run.state().status().isTerminal()) {
                active.remove(runId);
            }
            if (localAfter > 0) {
                localRunning.put(runId, localAfter);
            } else {
                localRunning.remove(runId);
            }
            bus.committed(runId, events);
            eventPublisher.publish(run.tenantId(), runId, events);
            relay.publish(messages).subscribe().with(ok -> { }, e -> { });
            // Best effort, after the commit: an attempt running here is stopped in place, the others on the executors.
            nodeCancels.publish(run.tenantId(), cancels.stream()
                    .filter(c -> !localNodes.cancel(c.runId(), c.nodeId(), c.attempt(), c.reason())).toList());
            local.forEach(this::runLocally);
            timers.forEach(this::armLocally);
        }).replaceWithVoid();
    }

    /**
     * Runs a local node and applies its outcome like an executor's result. If this replica dies first, the run's
     * lease runs out and another replica reconciles it (the executors then run the node, same invocation id).
     */
    private void runLocally(NodeDispatchMessage dispatch) {
        String runId = dispatch.runId();
        localNodes.run(dispatch).thenAccept(result -> {
            RunInput input = NodeResultInputs.toInput(result);
            StepExtras extras = StepExtras.artifacts(result.artifacts());
            if (input == null) {
                LOG.warnf("Local node %s of run %s ended %s, which the engine takes no input for", dispatch.nodeId(), runId,
                        result.outcome());
                localNodeDone(runId);
                return;
            }
            serializer.submit(runId, () -> applyNow(runId, input, null, true, -1, extras))
                    .subscribe().with(ok -> { }, e -> {
                        // The lease runs out and the run is reconciled: the node runs again on an executor.
                        localNodeDone(runId);
                        LOG.warnf("Local node %s of run %s was not applied: %s", dispatch.nodeId(), runId, e.getMessage());
                    });
        });
    }

    /** One of the run's local nodes ended without its outcome being committed. */
    private void localNodeDone(String runId) {
        localRunning.computeIfPresent(runId, (id, n) -> n > 1 ? n - 1 : null);
    }

    /**
     * Starts the child run a sub-workflow dispatch asked for (see {@link ChildRuns}). A redelivered start finds the
     * child it made; a child that cannot start (unknown workflow, too deep, inputs refused) fails the parent's node.
     * A call that does not wait completes its node once the child is committed.
     */
    public Uni<Void> startChild(ChildRunMessage start) {
        SubWorkflowCall call = SubWorkflowCall.of(start.call());
        if (start.depth() > maxSubWorkflowDepth) {
            return failParentNode(start, SubWorkflowCall.SUBWORKFLOW_DEPTH_EXCEEDED, "Sub-workflows nest deeper than "
                    + maxSubWorkflowDepth + " levels at node '" + start.parentNodeId() + "'.");
        }
        return runs.findById(start.childRunId()).flatMap(existing -> {
            if (existing != null) {
                return completeUnwaitedCall(start, call);
            }
            return definitions.latest(start.tenantId(), call.workflowId())
                    .onFailure(ApiException.class).recoverWithNull()
                    .flatMap(definition -> {
                        if (definition == null) {
                            return failParentNode(start, SubWorkflowCall.CHILD_WORKFLOW_NOT_FOUND, "Workflow '"
                                    + call.workflowId() + "' of sub-workflow node '" + start.parentNodeId() + "' is not registered.");
                        }
                        Map<String, Object> runInfo = ChildRuns.childRunInfo(start);
                        @SuppressWarnings("unchecked")
                        Map<String, Object> configurable = (Map<String, Object>) runInfo.get("configurable");
                        RunState initial = RunState.initial(start.childRunId(), call.workflowId());
                        Decision decision = engine.decide(definition.definition(), initial,
                                new RunInput.Start(start.inputs(), RunOptions.fromMap(RunOptionsPolicy.forEngine(configurable))));
                        if (decision.rejected()) {
                            return failParentNode(start, decision.rejection().code(), "The child run of node '"
                                    + start.parentNodeId() + "' was refused: " + decision.rejection().message());
                        }
                        ActiveRun child = new ActiveRun(start.tenantId(), definition, decision.state(), runInfo, engine);
                        RunRow row = new RunRow(start.childRunId(), start.tenantId(), call.workflowId(), definition.version(),
                                decision.state().status().wireName(), lastSequence(decision.state()), json.write(snapshot(child)),
                                json.write(runInfo), clock.instant());
                        return serializer.submit(start.childRunId(), () -> commit(child, decision, null, row, List.of(), 0, true))
                                .onFailure(RunRepository::isDuplicateKey).recoverWithNull()
                                .flatMap(ignored -> completeUnwaitedCall(start, call));
                    });
        });
    }

    /** Cancels the child of a cancelled sub-workflow attempt; a child that has ended or never started is left alone. */
    public Uni<Void> cancelChild(ChildRunMessage cancel) {
        return apply(cancel.childRunId(), new RunInput.Cancel("parent-cancelled", "run:" + cancel.parentRunId()), null)
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    private Uni<Void> completeUnwaitedCall(ChildRunMessage start, SubWorkflowCall call) {
        if (call.waitForCompletion()) {
            return Uni.createFrom().voidItem();
        }
        SubWorkflowCall.Outcome started = call.started(start.childRunId());
        return applyToParent(start, new RunInput.NodeCompleted(start.parentNodeId(), start.attempt(), started.outputs(),
                null, started.variables()));
    }

    private Uni<Void> failParentNode(ChildRunMessage start, String code, String message) {
        return applyToParent(start, new RunInput.NodeFailed(start.parentNodeId(), start.attempt(),
                new ErrorInfo(code, message, Map.of("workflowId",
                        String.valueOf(start.call().get("workflowId"))), false)));
    }

    private Uni<Void> applyToParent(ChildRunMessage start, RunInput input) {
        // A parent that moved on (cancelled, timed out) rejects the input; that is the engine's call, not an error.
        return apply(start.parentRunId(), input, null).onFailure().recoverWithNull().replaceWithVoid();
    }

    /** Reconciles runs whose local-node lease ran out: a replica died while running their local nodes. */
    public Uni<Integer> reconcileExpiredLeases() {
        // The lease outlasts the longest local node (lease > maxTimeout), so an expired lease means its replica is gone.
        return runs.runsWithExpiredLocalLease(clock.instant(), 100).flatMap(ids -> {
            if (ids.isEmpty()) {
                return Uni.createFrom().item(0);
            }
            List<Uni<Decision>> applied = ids.stream().map(id -> apply(id, new RunInput.Reconcile(), null)
                    .onFailure().recoverWithItem(e -> {
                        LOG.warnf("Reconciling run %s failed: %s", id, e.getMessage());
                        return null;
                    })).toList();
            return Uni.join().all(applied).andCollectFailures().map(List::size);
        });
    }

    /** On shutdown: lets in-flight local nodes finish for a while; the rest are reconciled when their lease runs out. */
    void stop(@Observes ShutdownEvent event) {
        long deadline = System.currentTimeMillis() + localNodes.shutdownGrace().toMillis();
        while (!localRunning.isEmpty() && System.currentTimeMillis() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (!localRunning.isEmpty()) {
            LOG.infof("%d runs have local nodes still running; they are reconciled when their lease runs out", localRunning.size());
        }
    }

    /** Fires a timer from memory when it is near, so short delays do not wait for the poller. */
    private void armLocally(TimerRow timer) {
        long delay = Duration.between(clock.instant(), timer.fireAt()).toMillis();
        if (delay > 60_000) {
            return;
        }
        vertx.setTimer(Math.max(1, delay), id -> fire(timer).subscribe().with(ok -> { }, e -> { }));
    }

    /** Applies a due timer (from memory or the poller). */
    public Uni<Decision> fire(TimerRow timer) {
        return apply(timer.runId(), new RunInput.TimerFired(dev.capstan.workflow.engine.TimerKind.valueOf(timer.kind()),
                timer.nodeId(), timer.attempt()), timer.timerId())
                .onFailure().invoke(e -> LOG.warnf("Timer %s of run %s failed: %s", timer.timerId(), timer.runId(), e.getMessage()));
    }

    private Uni<ActiveRun> load(String runId) {
        ActiveRun cached = active.get(runId);
        if (cached != null) {
            return Uni.createFrom().item(cached);
        }
        return runs.findById(runId).flatMap(row -> {
            if (row == null) {
                return Uni.createFrom().nullItem();
            }
            Map<String, Object> runInfo = json.readMap(row.optionsJson());
            return definitions.version(row.tenantId(), row.workflowId(), row.workflowVersion())
                    .flatMap(definition -> engineFor(runInfo).flatMap(runEngine -> runs.events(runId, -1, MAX_EVENTS)
                            .map(events -> new ActiveRun(row.tenantId(), definition,
                                    RunFold.fold(runId, row.workflowId(), events), runInfo, runEngine))));
        });
    }

    /** A replay fork decides with its source's recorded outcomes; every other run with the shared engine. */
    private Uni<Engine> engineFor(Map<String, Object> runInfo) {
        if (runInfo.get("fork") instanceof Map<?, ?> fork && "replay".equals(fork.get("mode"))) {
            String source = String.valueOf(fork.get("sourceRunId"));
            return runs.events(source, -1, MAX_EVENTS).map(this::replayEngine);
        }
        return Uni.createFrom().item(engine);
    }

    private Engine replayEngine(List<RunEvent> sourceLog) {
        return new Engine(clock, () -> UUID.randomUUID().toString(), Forks.recordedOutcomes(sourceLog),
                ExpressionEnvironment.DEFAULT_COST_LIMIT);
    }

    /**
     * Forks a run (OpenWOP replay/branch): the source's events before {@code fromSeq} become the new run's history,
     * then the engine reconciles — a replay reuses the source's recorded node outcomes instead of running nodes
     * again, a branch runs them with the overlaid options.
     */
    public Uni<RunRow> fork(String tenantId, String sourceRunId, Forks.Mode mode, long fromSeq, Map<String, Object> overlay) {
        return runs.find(tenantId, sourceRunId).flatMap(source -> {
            if (source == null) {
                return Uni.createFrom().failure(new ApiException(ErrorCode.NOT_FOUND, "Run " + sourceRunId + " not found"));
            }
            return runs.events(sourceRunId, -1, MAX_EVENTS).flatMap(sourceLog -> {
                if (fromSeq > sourceLog.size()) {
                    throw new ApiException(ErrorCode.FORK_OUT_OF_RANGE, "fromSeq " + fromSeq + " is past the end of the source log ("
                            + sourceLog.size() + " events).", Map.of("logLength", sourceLog.size()));
                }
                return definitions.version(tenantId, source.workflowId(), source.workflowVersion()).flatMap(definition -> {
                    Map<String, Object> runInfo = new LinkedHashMap<>(json.readMap(source.optionsJson()));
                    Map<String, Object> configurable = new LinkedHashMap<>(runInfo.get("configurable") instanceof Map<?, ?> m
                            ? json.readMap(json.write(m)) : Map.of());
                    if (overlay != null) {
                        configurable.putAll(overlay);
                    }
                    runInfo.put("configurable", configurable);
                    runInfo.put("fork", Map.of("sourceRunId", sourceRunId, "mode", mode.name().toLowerCase(java.util.Locale.ROOT),
                            "fromSeq", fromSeq));
                    String runId = "run_" + UUID.randomUUID().toString().replace("-", "");
                    // The copied prefix keeps at least run.started: a fork "from 0" replays or branches from the start.
                    long prefix = Math.max(1, fromSeq);
                    Forks.Fork fork = Forks.fork(mode, sourceRunId, source.workflowId(), sourceLog, prefix, runId,
                            mode == Forks.Mode.BRANCH && overlay != null ? RunOptions.fromMap(RunOptionsPolicy.forEngine(overlay)) : null, clock.instant(),
                            () -> UUID.randomUUID().toString());
                    if (fork.rejection() != null) {
                        throw ApiException.validation(fork.rejection().message(), Map.of("reason", fork.rejection().code()));
                    }
                    Engine runEngine = mode == Forks.Mode.REPLAY ? replayEngine(sourceLog) : engine;
                    Decision reconcile = runEngine.decide(definition.definition(), fork.state(), new RunInput.Reconcile());
                    if (reconcile.rejected()) {
                        throw ApiException.validation(reconcile.rejection().message(), Map.of("reason", reconcile.rejection().code()));
                    }
                    List<RunEvent> events = new ArrayList<>(fork.events());
                    events.addAll(reconcile.events());
                    Decision whole = new Decision(events, reconcile.commands(), reconcile.state(), null);
                    ActiveRun run = new ActiveRun(tenantId, definition, reconcile.state(), runInfo, runEngine);
                    RunRow row = new RunRow(runId, tenantId, source.workflowId(), source.workflowVersion(),
                            reconcile.state().status().wireName(), lastSequence(reconcile.state()), json.write(snapshot(run)),
                            json.write(runInfo), clock.instant());
                    @SuppressWarnings("unchecked")
                    List<String> tags = runInfo.get("tags") instanceof List<?> l ? (List<String>) l : List.of();
                    return serializer.submit(runId, () -> commit(run, whole, null, row, tags, 0, true)).map(ignored -> row);
                });
            });
        });
    }

    private NodeDispatchMessage dispatchMessage(ActiveRun run, Command.DispatchNode dispatch) {
        @SuppressWarnings("unchecked")
        Map<String, Object> options = (Map<String, Object>) run.runInfo().getOrDefault("executorOptions", Map.of());
        return new NodeDispatchMessage(NodeDispatchMessage.VERSION, run.tenantId(), dispatch.runId(), dispatch.nodeId(),
                dispatch.typeId(), dispatch.attempt(), dispatch.idempotencyKey(), dispatch.inputs(), dispatch.config(),
                dispatch.timeoutMs(), options, clock.millis());
    }

    private Map<String, Object> snapshot(ActiveRun run) {
        Map<String, Object> snapshot = new LinkedHashMap<>(RunSnapshots.toSnapshot(run.state(), ENGINE_VERSION));
        snapshot.put("owner", Map.of("tenant", run.tenantId()));
        Map<String, Object> parent = ChildRuns.parentLink(run.runInfo());
        if (parent != null) {
            snapshot.put("parentRunId", parent.get("runId"));
            snapshot.put("parentNodeId", parent.get("nodeId"));
            snapshot.put("childDepth", parent.get("depth"));
        }
        for (String field : List.of("tags", "metadata", "configurable")) {
            Object value = run.runInfo().get(field);
            if (value != null) {
                snapshot.put(field, value);
            }
        }
        return snapshot;
    }

    private static long lastSequence(RunState state) {
        return state.nextSequence() - 1;
    }

    private static Map<String, Object> toMap(RunInfo info) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("configurable", info.configurable() == null ? Map.of() : info.configurable());
        map.put("tags", info.tags() == null ? List.of() : info.tags());
        map.put("metadata", info.metadata() == null ? Map.of() : info.metadata());
        map.put("executorOptions", info.executorOptions() == null ? Map.of() : info.executorOptions());
        return map;
    }

    /** Another writer advanced the run since this replica read it. */
    static final class RunConflict extends RuntimeException {
        RunConflict(String runId) {
            super("Run " + runId + " was advanced concurrently", null, false, false);
        }
    }
}
