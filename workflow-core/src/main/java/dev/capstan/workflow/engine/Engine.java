package dev.capstan.workflow.engine;

import dev.capstan.workflow.cost.Budget;
import dev.capstan.workflow.cost.CostTotals;
import dev.capstan.workflow.error.ErrorInfo;
import dev.capstan.workflow.event.EventTypes;
import dev.capstan.workflow.event.RunEvent;
import dev.capstan.workflow.expr.EvalResult;
import dev.capstan.workflow.expr.ExpressionEnvironment;
import dev.capstan.workflow.expr.Interpolator;
import dev.capstan.workflow.expr.RunFunctions;
import dev.capstan.workflow.load.SchemaValidator;
import dev.capstan.workflow.model.Edge;
import dev.capstan.workflow.model.EdgeMode;
import dev.capstan.workflow.model.InterruptKind;
import dev.capstan.workflow.model.InterruptSpec;
import dev.capstan.workflow.model.JoinRule;
import dev.capstan.workflow.model.Node;
import dev.capstan.workflow.model.NodeKind;
import dev.capstan.workflow.model.PortValue;
import dev.capstan.workflow.model.ResumeSchemas;
import dev.capstan.workflow.model.RunStatus;
import dev.capstan.workflow.model.Values;
import dev.capstan.workflow.model.Variable;
import dev.capstan.workflow.model.WorkflowDefinition;
import dev.capstan.workflow.state.LoopPosition;
import dev.capstan.workflow.state.NodeState;
import dev.capstan.workflow.state.NodeStatus;
import dev.capstan.workflow.state.OpenInterrupt;
import dev.capstan.workflow.state.RunOptions;
import dev.capstan.workflow.state.RunState;
import dev.capstan.workflow.state.RunStateBuilder;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The decider: {@code decide(definition, state, input)} returns the events to append and the commands to run.
 * Pure: time comes from the injected {@link Clock}, ids from the {@link IdSource}, recorded outcomes (replay)
 * from the {@link ReplaySource}; no I/O. Every state change goes through {@link RunStateBuilder#apply}, so the
 * returned state always equals the fold of the log plus the returned events.
 */
public final class Engine {

    /** The run variable a refine writes its feedback to, for the nodes that produce the artifact again. */
    public static final String REFINE_FEEDBACK_VARIABLE = "refineFeedback";

    private final Clock clock;
    private final IdSource ids;
    private final ReplaySource replay;
    private final long expressionCostLimit;

    public Engine(Clock clock, IdSource ids) {
        this(clock, ids, ReplaySource.NONE, ExpressionEnvironment.DEFAULT_COST_LIMIT);
    }

    public Engine(Clock clock, IdSource ids, ReplaySource replay, long expressionCostLimit) {
        this.clock = Objects.requireNonNull(clock);
        this.ids = Objects.requireNonNull(ids);
        this.replay = replay == null ? ReplaySource.NONE : replay;
        this.expressionCostLimit = expressionCostLimit;
    }

    /** Convenience for one-off calls. */
    public static Decision decide(WorkflowDefinition def, RunState state, RunInput input, Clock clock, IdSource ids) {
        return new Engine(clock, ids).decide(def, state, input);
    }

    public Decision decide(WorkflowDefinition def, RunState state, RunInput input) {
        Step step = new Step(def, state);
        Rejection rejection;
        if (input instanceof RunInput.Start s) {
            rejection = step.start(s);
        } else if (input instanceof RunInput.NodeCompleted c) {
            rejection = step.nodeCompleted(c);
        } else if (input instanceof RunInput.NodeFailed f) {
            rejection = step.nodeFailed(f);
        } else if (input instanceof RunInput.TimerFired t) {
            rejection = step.timerFired(t);
        } else if (input instanceof RunInput.InterruptResolved r) {
            rejection = step.interruptResolved(r);
        } else if (input instanceof RunInput.Cancel c) {
            rejection = step.cancel(c);
        } else if (input instanceof RunInput.Pause p) {
            rejection = step.pause(p);
        } else if (input instanceof RunInput.Resume r) {
            rejection = step.resume(r);
        } else if (input instanceof RunInput.Reconcile) {
            rejection = step.reconcile();
        } else {
            throw new IllegalArgumentException("unknown input " + input);
        }
        if (rejection != null) {
            return new Decision(List.of(), List.of(), state, rejection);
        }
        return new Decision(step.events, step.commands, step.b.build(), null);
    }

    /** One decision in progress. */
    private final class Step {
        final WorkflowDefinition def;
        final RunStateBuilder b;
        final List<RunEvent> events = new ArrayList<>();
        final List<Command> commands = new ArrayList<>();
        final Instant now = clock.instant();

        Step(WorkflowDefinition def, RunState state) {
            this.def = def;
            this.b = new RunStateBuilder(state);
        }

        /**
         * Idle nodes whose join may have changed in this decision, as positions in the topological order. Only
         * these are looked at by {@link #advance()}, so a step costs what it touches, not the size of the graph.
         */
        final java.util.TreeSet<Integer> dirty = new java.util.TreeSet<>();

        void emit(String type, String nodeId, Map<String, Object> payload) {
            RunEvent e = new RunEvent(ids.nextId(), b.runId(), b.nextSequence(), type, now, nodeId, payload);
            b.apply(e);
            events.add(e);
            if (EventTypes.LOOP_REENTERED.equals(type) || EventTypes.APPROVAL_REFINED.equals(type)) {
                for (Object reset : (List<?>) e.payload().getOrDefault("resetNodeIds", List.of())) {
                    touched((String) reset);
                }
            } else if (nodeId != null) {
                touched(nodeId);
            }
        }

        /** The node's state changed: it (if now idle) and the targets of its forward edges need a new look. */
        void touched(String nodeId) {
            markDirty(nodeId);
            for (String next : def.graph().forwardSuccessors(nodeId)) {
                markDirty(next);
            }
        }

        void markDirty(String nodeId) {
            int i = def.graph().topologicalIndex(nodeId);
            if (i >= 0) {
                dirty.add(i);
            }
        }

        void markAllDirty() {
            for (int i = 0; i < def.graph().topologicalOrder().size(); i++) {
                dirty.add(i);
            }
        }

        boolean terminal() {
            return b.status().isTerminal();
        }

        // ---------------------------------------------------------------- inputs

        Rejection start(RunInput.Start s) {
            if (b.nextSequence() > 0) {
                return Rejection.of("run_already_started", "The run has already started.");
            }
            Map<String, Object> variables = new LinkedHashMap<>();
            List<String> missing = new ArrayList<>();
            for (Variable v : def.variables()) {
                if (s.inputs().containsKey(v.name())) {
                    variables.put(v.name(), s.inputs().get(v.name()));
                } else if (v.defaultValue() != null) {
                    variables.put(v.name(), v.defaultValue());
                } else if (v.required()) {
                    missing.add(v.name());
                }
            }
            if (!missing.isEmpty()) {
                return new Rejection("validation_error", "Required workflow variables have no value.",
                        missing.stream().map(m -> "variable '" + m + "' is required").toList());
            }
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("workflowId", def.id());
            p.put("inputs", s.inputs());
            p.put("variables", variables);
            p.put("options", s.options().toMap());
            if (!s.tags().isEmpty()) {
                p.put("tags", s.tags());
            }
            if (!s.metadata().isEmpty()) {
                p.put("metadata", s.metadata());
            }
            emit(EventTypes.RUN_STARTED, null, p);
            for (String root : def.graph().roots()) {
                markDirty(root);
            }
            Long timeout = runTimeoutMs();
            if (timeout != null) {
                // One millisecond past the limit, so the observed duration is strictly greater than it.
                commands.add(new Command.ScheduleTimer(b.runId(), timerId(TimerKind.RUN_TIMEOUT, "", 0),
                        TimerKind.RUN_TIMEOUT, null, 0, b.startedAt().plusMillis(timeout + 1)));
            }
            advance();
            return null;
        }

        Rejection nodeCompleted(RunInput.NodeCompleted c) {
            Rejection r = checkCurrentAttempt(c.nodeId(), c.attempt());
            if (r != null) {
                return r;
            }
            if (b.status() == RunStatus.CANCELLING) {
                drained(c.nodeId(), "completed");
                return null;
            }
            NodeState n = b.node(c.nodeId());
            for (Map.Entry<String, Object> v : c.variables().entrySet()) {
                Map<String, Object> p = new LinkedHashMap<>();
                p.put("name", v.getKey());
                p.put("previous", b.variables().get(v.getKey()));
                p.put("next", v.getValue());
                p.put("nodeId", c.nodeId());
                emit(EventTypes.VARIABLE_CHANGED, c.nodeId(), p);
            }
            complete(c.nodeId(), c.outputs(), c.cost(), n);
            return null;
        }

        Rejection nodeFailed(RunInput.NodeFailed f) {
            Rejection r = checkCurrentAttempt(f.nodeId(), f.attempt());
            if (r != null) {
                return r;
            }
            if (b.status() == RunStatus.CANCELLING) {
                drained(f.nodeId(), "failed");
                return null;
            }
            fail(f.nodeId(), f.error(), f.cost());
            return null;
        }

        Rejection timerFired(RunInput.TimerFired t) {
            if (terminal()) {
                return Rejection.of("stale_timer", "The run has ended.");
            }
            if (b.status() == RunStatus.CANCELLING) {
                NodeState n = t.nodeId() == null ? null : b.node(t.nodeId());
                if (t.kind() == TimerKind.RUN_TIMEOUT) {
                    // Out of time: stop waiting for the in-flight nodes.
                    Map<String, Object> c = b.cancellation() == null ? Map.of() : b.cancellation();
                    finishCancel((String) c.get("reason"), (String) c.get("cancelledBy"));
                    return null;
                }
                if (t.kind() == TimerKind.NODE_TIMEOUT && n != null && n.status() == NodeStatus.RUNNING
                        && n.attempt() == t.attempt()) {
                    drained(t.nodeId(), "timed-out");
                    return null;
                }
                return Rejection.of("stale_timer", "The run is being cancelled.");
            }
            switch (t.kind()) {
                case RUN_TIMEOUT -> {
                    Long limit = runTimeoutMs();
                    long observed = Duration.between(b.startedAt(), now).toMillis();
                    Map<String, Object> p = new LinkedHashMap<>();
                    p.put("kind", "run-duration");
                    p.put("limit", limit == null ? 0 : limit);
                    p.put("observed", Math.max(observed, limit == null ? 0 : limit + 1));
                    emit(EventTypes.CAP_BREACHED, null, p);
                    failRun(new ErrorInfo(ErrorInfo.RUN_TIMEOUT, "The run exceeded its timeout of " + limit + " ms.",
                            Map.of("limitMs", limit == null ? 0 : limit), false), null);
                }
                case NODE_TIMEOUT -> {
                    NodeState n = b.node(t.nodeId());
                    if (n.status() != NodeStatus.RUNNING || n.attempt() != t.attempt()) {
                        return Rejection.of("stale_timer", "The attempt is no longer running.");
                    }
                    commands.add(new Command.CancelNode(b.runId(), t.nodeId(), t.attempt(), "node_timeout"));
                    Node node = def.node(t.nodeId());
                    fail(t.nodeId(), ErrorInfo.retryable(ErrorInfo.NODE_TIMEOUT, "Node '" + t.nodeId()
                            + "' did not finish within " + node.timeoutMs() + " ms."), null);
                }
                case RETRY -> {
                    NodeState n = b.node(t.nodeId());
                    if (n.status() != NodeStatus.RETRY_WAIT || n.attempt() + 1 != t.attempt()) {
                        return Rejection.of("stale_timer", "No retry is waiting for this attempt.");
                    }
                    if (b.status() != RunStatus.PAUSED) {
                        activate(def.node(t.nodeId()));
                    }
                }
                case DELAY -> {
                    NodeState n = b.node(t.nodeId());
                    if (n.status() != NodeStatus.RUNNING || n.attempt() != t.attempt()) {
                        return Rejection.of("stale_timer", "The delay is no longer running.");
                    }
                    complete(t.nodeId(), Map.of("delayedUntil", now.toString()), null, n);
                }
                case INTERRUPT_TIMEOUT -> {
                    OpenInterrupt open = b.interrupts().get(t.nodeId());
                    if (open == null || b.node(t.nodeId()).interrupts() != t.attempt()) {
                        return Rejection.of("stale_timer", "The interrupt is no longer open.");
                    }
                    fail(t.nodeId(), ErrorInfo.of("interrupt_timeout", "Nobody resolved the " + open.kind().wireName()
                            + " interrupt on node '" + t.nodeId() + "' in time."), null);
                }
                default -> throw new IllegalStateException("unhandled timer " + t.kind());
            }
            return null;
        }

        Rejection interruptResolved(RunInput.InterruptResolved r) {
            if (terminal()) {
                return Rejection.of("run_terminal", "The run has ended.");
            }
            if (b.status() == RunStatus.CANCELLING) {
                return Rejection.of("invalid_state", "The run is being cancelled.");
            }
            OpenInterrupt open = b.interrupts().get(r.nodeId());
            if (open == null) {
                NodeState n = b.node(r.nodeId());
                if (def.node(r.nodeId()) != null && n.interrupts() > 0) {
                    return Rejection.of("interrupt_already_resolved", "The interrupt on node '" + r.nodeId()
                            + "' was already resolved.");
                }
                return Rejection.of("interrupt_not_found", "Node '" + r.nodeId() + "' has no open interrupt.");
            }
            if (open.kind() == InterruptKind.APPROVAL) {
                r = new RunInput.InterruptResolved(r.nodeId(), legacyDecisionAsAction(r.resumeValue()), r.resolvedBy());
            }
            Map<String, Object> schema = open.resumeSchema().isEmpty() ? ResumeSchemas.forKind(open.kind())
                    : open.resumeSchema();
            if (!schema.isEmpty()) {
                List<String> errors = SchemaValidator.validateAgainst(schema, r.resumeValue());
                if (!errors.isEmpty()) {
                    return new Rejection("validation_error", "The resume value does not match the interrupt's resume schema.",
                            errors);
                }
            }
            Map<String, Object> answer = Values.asMap(r.resumeValue());
            String action = String.valueOf(answer.get("action"));
            String approver = null;
            if (open.kind() == InterruptKind.APPROVAL) {
                // The host's principal decides; a decidedBy in the body names the approver only when there is none.
                approver = r.resolvedBy() != null ? r.resolvedBy()
                        : answer.get("decidedBy") instanceof String d && !d.isBlank() ? d : null;
                ApprovalPolicy policy = ApprovalPolicy.of(def.node(r.nodeId()));
                if (!policy.mayDecide(approver)) {
                    return new Rejection("forbidden", (approver == null ? "An unidentified caller" : "'" + approver + "'")
                            + " is not among the approvers of the approval on node '" + r.nodeId() + "'.",
                            List.of("approversList=" + policy.approvers()));
                }
                if ("ask".equals(action)) {
                    askApprover(r, open, answer);
                    return null;
                }
                if (policy.required() > 1 && List.of("accept", "edit-accept", "reject").contains(action)) {
                    Object earlier = approver == null ? null : open.votes().get(approver);
                    if (earlier != null && "reject".equals(earlier) != "reject".equals(action)) {
                        return new Rejection("vote_already_cast", "'" + approver + "' already voted " + earlier
                                + " on the approval on node '" + r.nodeId() + "'; a vote cannot be changed.",
                                List.of("decidedBy=" + approver));
                    }
                    if (!quorumReached(r, open, policy, action, approver)) {
                        return null; // a partial or repeated vote: the gate stays open
                    }
                }
            }
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("runId", b.runId());
            p.put("nodeId", r.nodeId());
            p.put("interruptId", open.interruptId());
            p.put("kind", open.kind().wireName());
            p.put("resumeValue", r.resumeValue());
            p.put("resolvedAt", now.toString());
            if (r.resolvedBy() != null) {
                p.put("resolvedBy", r.resolvedBy());
            }
            emit(EventTypes.INTERRUPT_RESOLVED, r.nodeId(), p);
            Map<String, Object> resumed = new LinkedHashMap<>();
            resumed.put("nodeId", r.nodeId());
            resumed.put("interruptId", open.interruptId());
            resumed.put("resumeValue", r.resumeValue());
            emit(EventTypes.NODE_RESUMED, r.nodeId(), resumed);

            Node node = def.node(r.nodeId());
            if (open.kind() == InterruptKind.APPROVAL) {
                switch (action) {
                    case "accept", "edit-accept" -> {
                        if (open.beforeDispatch()) {
                            dispatch(node);
                            advance();
                        } else {
                            complete(r.nodeId(), approvedOutputs(node, answer), null, b.node(r.nodeId()));
                        }
                    }
                    case "reject" -> fail(r.nodeId(), ErrorInfo.of(ErrorInfo.APPROVAL_REJECTED, "The approval on node '"
                            + r.nodeId() + "' was rejected."), null);
                    case "refine" -> refine(node, open, answer, approver);
                    default -> requestInterrupt(node, open.beforeDispatch()); // an action of a custom schema: ask again
                }
            } else if (open.kind() == InterruptKind.EXTERNAL_EVENT && open.beforeDispatch()) {
                Edge e = eventEdge(node);
                if (e != null && e.condition() != null && !eventMatches(e, Values.asMap(r.resumeValue()).get("eventPayload"))) {
                    requestInterrupt(node, eventWait(node, e), true); // not the awaited event: keep waiting
                } else if (node.needsApprovalBeforeDispatch()) {
                    requestInterrupt(node, true);
                } else {
                    dispatch(node);
                    advance();
                }
            } else {
                Object v = r.resumeValue();
                complete(r.nodeId(), v instanceof Map<?, ?> ? Values.asMap(v) : Map.of("value", v), null,
                        b.node(r.nodeId()));
            }
            return null;
        }

        /**
         * OpenWOP's legacy approval answer {@code {decision: approved|rejected, feedback?}} as the action it stands
         * for: approved is accept, rejected with feedback is refine (the feedback as whole-artifact text), rejected
         * without feedback is reject. Any other value is returned as it is.
         */
        static Object legacyDecisionAsAction(Object resumeValue) {
            if (!(resumeValue instanceof Map<?, ?> m) || m.containsKey("action") || !(m.get("decision") instanceof String d)) {
                return resumeValue;
            }
            Map<String, Object> out = new LinkedHashMap<>(Values.asMap(resumeValue));
            String feedback = m.get("feedback") instanceof String f && !f.isBlank() ? f : null;
            switch (d) {
                case "approved" -> out.put("action", "accept");
                case "rejected" -> {
                    out.put("action", feedback == null ? "reject" : "refine");
                    if (feedback != null && !out.containsKey("refineFeedback")) {
                        out.put("refineFeedback", Map.of("scope", "whole", "text", feedback));
                    }
                }
                default -> {
                    return resumeValue;
                }
            }
            out.remove("decision");
            return out;
        }

        /** OpenWOP "ask keeps it open": the question is logged and the same interrupt stays open. */
        void askApprover(RunInput.InterruptResolved r, OpenInterrupt open, Map<String, Object> answer) {
            Map<String, Object> fields = new LinkedHashMap<>(answer);
            fields.put("interruptId", open.interruptId());
            if (r.resolvedBy() != null) {
                fields.put("askedBy", r.resolvedBy());
            }
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("level", "info");
            p.put("message", (r.resolvedBy() == null ? "An approver" : r.resolvedBy())
                    + " asked a question on the approval of node '" + r.nodeId() + "'; it stays open.");
            p.put("nodeId", r.nodeId());
            p.put("fields", fields);
            emit(EventTypes.LOG_APPENDED, r.nodeId(), p);
        }

        /**
         * Records one approver's vote on a quorum gate ({@code approval.received} with {@code quorumProgress}) and
         * returns whether the gate is now decided. Each approver counts once: the same vote again is recorded as a
         * {@code log.appended} and changes nothing (idempotent and auditable, as the quorum profile asks); a
         * changed vote is refused before this is called ({@code vote_already_cast}).
         */
        boolean quorumReached(RunInput.InterruptResolved r, OpenInterrupt open, ApprovalPolicy policy, String action,
                              String approver) {
            String voter = approver != null ? approver : "anonymous-" + (open.votes().size() + 1);
            String vote = "reject".equals(action) ? "reject" : "accept";
            if (open.votes().containsKey(voter)) {
                Map<String, Object> p = new LinkedHashMap<>();
                p.put("level", "info");
                p.put("message", "'" + voter + "' voted " + vote + " again on the approval of node '" + r.nodeId()
                        + "'; a vote counts once.");
                p.put("nodeId", r.nodeId());
                p.put("fields", Map.of("interruptId", open.interruptId(), "decidedBy", voter, "action", action));
                emit(EventTypes.LOG_APPENDED, r.nodeId(), p);
                return false;
            }
            long rejects = open.votesFor("reject") + ("reject".equals(vote) ? 1 : 0);
            long accepts = open.votes().size() + 1 - rejects; // accept and edit-accept both grant
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("nodeId", r.nodeId());
            v.put("interruptId", open.interruptId());
            v.put("action", action);
            v.put("decidedBy", voter);
            v.put("decidedAt", now.toString());
            v.put("quorumProgress", Map.of("granted", accepts, "rejected", rejects, "required", policy.required()));
            emit(EventTypes.APPROVAL_RECEIVED, r.nodeId(), v);
            return policy.rejects(rejects) || accepts >= policy.required();
        }

        /**
         * What an accepted approval gate outputs: the answer, plus {@code artifactData} — the edited artifact after
         * {@code edit-accept}, otherwise the artifact the approvers were shown — so successors read one field either way.
         */
        Map<String, Object> approvedOutputs(Node node, Map<String, Object> answer) {
            Map<String, Object> out = new LinkedHashMap<>(answer);
            if ("edit-accept".equals(answer.get("action")) && answer.containsKey("editedArtifactData")) {
                out.put("artifactData", answer.get("editedArtifactData"));
            } else if (!out.containsKey("artifactData")) {
                Map<String, Object> shown = interruptData(node, node.interrupt());
                if (shown.containsKey("artifactData")) {
                    out.put("artifactData", shown.get("artifactData"));
                }
            }
            return out;
        }

        /**
         * OpenWOP refine: the artifact goes back to be produced again. The feedback is recorded as the run variable
         * {@code refineFeedback} (what the producing nodes read: {@code ${variables.refineFeedback.text}} in their
         * config, a port bound to the variable, or CEL), then {@code capstan.approval.refined} resets the gate and
         * the completed nodes feeding it, which run again; the gate then asks with a new interrupt. A gate with
         * nothing feeding it is asked again. Each round counts against the loop limit ({@code maxLoopIterations})
         * and, as the nodes re-run, against the node-execution cap, so endless refining ends the run.
         */
        void refine(Node gate, OpenInterrupt open, Map<String, Object> answer, String approver) {
            String roundsKey = RunStateBuilder.REFINE_ROUNDS_PREFIX + gate.id();
            int round = b.loopIterations(roundsKey) + 1;
            Integer limit = b.options().maxLoopIterations() != null ? b.options().maxLoopIterations()
                    : def.settings().maxLoopIterations();
            if (limit != null && round > limit) {
                Map<String, Object> p = new LinkedHashMap<>();
                p.put("kind", "loop-iterations");
                p.put("limit", limit);
                p.put("observed", round);
                p.put("nodeId", gate.id());
                emit(EventTypes.CAP_BREACHED, gate.id(), p);
                failRun(new ErrorInfo(ErrorInfo.LOOP_LIMIT_EXCEEDED, "The approval on node '" + gate.id()
                        + "' was sent back for refinement a " + round + "th time; the limit is " + limit + ".",
                        Map.of("nodeId", gate.id()), false), gate.id());
                return;
            }
            List<String> reset = new ArrayList<>();
            for (Edge in : def.graph().incomingForward(gate.id())) {
                if (b.node(in.from()).status() == NodeStatus.COMPLETED && !reset.contains(in.from())) {
                    reset.add(in.from());
                }
            }
            List<String> producers = List.copyOf(reset);
            reset.add(gate.id());
            Map<String, Object> feedback = refineFeedback(answer);

            Map<String, Object> value = new LinkedHashMap<>(feedback);
            value.put("nodeId", gate.id());
            value.put("round", round);
            value.put("producerNodeIds", producers);
            if (approver != null) {
                value.put("decidedBy", approver);
            }
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("name", REFINE_FEEDBACK_VARIABLE);
            v.put("previous", b.variables().get(REFINE_FEEDBACK_VARIABLE));
            v.put("next", value);
            v.put("nodeId", gate.id());
            emit(EventTypes.VARIABLE_CHANGED, gate.id(), v);

            Map<String, Object> p = new LinkedHashMap<>();
            p.put("nodeId", gate.id());
            p.put("interruptId", open.interruptId());
            p.put("round", round);
            p.put("refineFeedback", feedback);
            if (approver != null) {
                p.put("decidedBy", approver);
            }
            p.put("resetNodeIds", List.copyOf(reset));
            emit(EventTypes.APPROVAL_REFINED, gate.id(), p);
            advance();
        }

        /** The structured refine feedback; a legacy {@code feedback} string is whole-artifact text. */
        static Map<String, Object> refineFeedback(Map<String, Object> answer) {
            if (answer.get("refineFeedback") instanceof Map<?, ?> m) {
                Map<String, Object> f = new LinkedHashMap<>(Values.asMap(m));
                f.putIfAbsent("scope", "whole");
                return f;
            }
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("scope", "whole");
            if (answer.get("feedback") instanceof String text && !text.isBlank()) {
                f.put("text", text);
            }
            return f;
        }

        /** An event edge's condition over the event ({@code event}) and the usual roots. */
        boolean eventMatches(Edge e, Object eventPayload) {
            NodeState src = b.node(e.from());
            Map<String, Object> ctx = new LinkedHashMap<>();
            ctx.put("inputs", b.inputs());
            ctx.put("variables", b.variables());
            ctx.put("outputs", outputsByNode());
            ctx.put("output", src.outputs());
            ctx.put("metadata", def.metadata());
            ctx.put("event", eventPayload == null ? Map.of() : eventPayload);
            return ExpressionEnvironment.evaluate(e.condition(), ctx, expressionCostLimit, functions(src)).isTrue();
        }

        Rejection cancel(RunInput.Cancel c) {
            if (terminal()) {
                return Rejection.of("run_terminal", "The run has already ended (" + b.status().wireName() + ").");
            }
            if (c.drain() && b.status() != RunStatus.CANCELLING) {
                List<NodeState> inFlight = new ArrayList<>();
                for (String id : def.graph().topologicalOrder()) {
                    NodeState n = b.node(id);
                    if (n.status() == NodeStatus.RUNNING && def.node(id).kind() == NodeKind.TASK) {
                        inFlight.add(n);
                    }
                }
                if (!inFlight.isEmpty()) {
                    Map<String, Object> p = new LinkedHashMap<>();
                    if (c.reason() != null) {
                        p.put("reason", c.reason());
                    }
                    if (c.cancelledBy() != null) {
                        p.put("cancelledBy", c.cancelledBy());
                    }
                    p.put("inFlightNodeIds", inFlight.stream().map(NodeState::nodeId).toList());
                    emit(EventTypes.RUN_CANCELLING, null, p);
                    // Work that is not running on an executor stops now; running nodes are asked to stop and the run
                    // is cancelled when the last of them has reported.
                    for (String id : def.graph().topologicalOrder()) {
                        NodeState n = b.node(id);
                        boolean running = n.status() == NodeStatus.RUNNING && def.node(id).kind() == NodeKind.TASK;
                        if (n.status().isActive() && !running) {
                            emit(EventTypes.NODE_CANCELLED, id, Map.of("nodeId", id, "reason", "run-cancelled"));
                        }
                    }
                    for (NodeState n : inFlight) {
                        commands.add(new Command.CancelNode(b.runId(), n.nodeId(), n.attempt(), "run-cancelled"));
                    }
                    return null;
                }
            }
            finishCancel(c.reason(), c.cancelledBy());
            return null;
        }

        void finishCancel(String reason, String cancelledBy) {
            cancelActiveNodes("run-cancelled");
            Map<String, Object> p = new LinkedHashMap<>();
            if (reason != null) {
                p.put("reason", reason);
            }
            if (cancelledBy != null) {
                p.put("cancelledBy", cancelledBy);
            }
            p.put("durationMs", durationMs());
            emit(EventTypes.RUN_CANCELLED, null, p);
            commands.add(new Command.CancelRun(b.runId(), reason));
        }

        /** While cancelling, an in-flight node reported (its outcome is discarded); the last one ends the run. */
        void drained(String nodeId, String outcome) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("nodeId", nodeId);
            p.put("reason", "run-cancelled");
            p.put("outcome", outcome);
            emit(EventTypes.NODE_CANCELLED, nodeId, p);
            finishCancelIfDrained();
        }

        void finishCancelIfDrained() {
            if (b.countNodes(NodeStatus.RUNNING) == 0) {
                Map<String, Object> c = b.cancellation() == null ? Map.of() : b.cancellation();
                finishCancel((String) c.get("reason"), (String) c.get("cancelledBy"));
            }
        }

        Rejection pause(RunInput.Pause p) {
            RunStatus s = b.status();
            if (s != RunStatus.RUNNING && !s.isWaiting()) {
                return new Rejection("invalid_state", "Only a running or waiting run can be paused.",
                        List.of("runStatus=" + s.wireName()));
            }
            Map<String, Object> payload = new LinkedHashMap<>();
            if (p.reason() != null) {
                payload.put("reason", p.reason());
            }
            payload.put("drainPolicy", p.drainPolicy().wireName());
            payload.put("pausedAt", now.toString());
            emit(EventTypes.RUN_PAUSED, null, payload);
            if (p.drainPolicy() == DrainPolicy.IMMEDIATE) {
                for (NodeState n : List.copyOf(b.nodes().values())) {
                    if (n.status() == NodeStatus.RUNNING && def.node(n.nodeId()).kind() == NodeKind.TASK) {
                        Map<String, Object> c = new LinkedHashMap<>();
                        c.put("nodeId", n.nodeId());
                        c.put("reason", "run-paused");
                        c.put("requeue", true);
                        emit(EventTypes.NODE_CANCELLED, n.nodeId(), c);
                        commands.add(new Command.CancelNode(b.runId(), n.nodeId(), n.attempt(), "run-paused"));
                    }
                }
            }
            return null;
        }

        Rejection resume(RunInput.Resume r) {
            if (b.status() != RunStatus.PAUSED) {
                return new Rejection("invalid_state", "Only a paused run can be resumed.",
                        List.of("runStatus=" + b.status().wireName()));
            }
            Map<String, Object> p = new LinkedHashMap<>();
            if (r.reason() != null) {
                p.put("reason", r.reason());
            }
            p.put("resumedAt", now.toString());
            emit(EventTypes.RUN_RESUMED, null, p);
            // While paused nothing advanced, so any idle node may be ready now: one full look (pauses are rare).
            markAllDirty();
            for (String id : def.graph().topologicalOrder()) {
                NodeState n = b.node(id);
                if (n.status() == NodeStatus.RETRY_WAIT && !terminal()) {
                    if (n.retryAt() == null || !n.retryAt().isAfter(now)) {
                        activate(def.node(id));
                    } else {
                        commands.add(new Command.ScheduleTimer(b.runId(), timerId(TimerKind.RETRY, id, n.attempt() + 1),
                                TimerKind.RETRY, id, n.attempt() + 1, n.retryAt()));
                    }
                }
            }
            advance();
            return null;
        }

        Rejection reconcile() {
            if (terminal()) {
                return Rejection.of("run_terminal", "The run has ended.");
            }
            if (b.startedAt() == null) {
                return Rejection.of("invalid_state", "The run has not started.");
            }
            if (b.status() == RunStatus.CANCELLING) {
                for (String id : def.graph().topologicalOrder()) {
                    NodeState n = b.node(id);
                    if (n.status() == NodeStatus.RUNNING) {
                        commands.add(new Command.CancelNode(b.runId(), id, n.attempt(), "run-cancelled"));
                    }
                }
                finishCancelIfDrained();
                return null;
            }
            Long timeout = runTimeoutMs();
            if (timeout != null) {
                commands.add(new Command.ScheduleTimer(b.runId(), timerId(TimerKind.RUN_TIMEOUT, "", 0),
                        TimerKind.RUN_TIMEOUT, null, 0, b.startedAt().plusMillis(timeout + 1)));
            }
            markAllDirty();
            for (String id : def.graph().topologicalOrder()) {
                if (terminal()) {
                    return null;
                }
                Node node = def.node(id);
                NodeState n = b.node(id);
                OpenInterrupt open = b.interrupts().get(id);
                if (open != null) {
                    InterruptSpec spec = specOf(node, open);
                    commands.add(new Command.RequestInterrupt(b.runId(), id, open.interruptId(), open.kind(), open.key(),
                            interruptData(node, spec), open.resumeSchema(), spec.timeoutMs()));
                } else if (n.status() == NodeStatus.RETRY_WAIT) {
                    commands.add(new Command.ScheduleTimer(b.runId(), timerId(TimerKind.RETRY, id, n.attempt() + 1),
                            TimerKind.RETRY, id, n.attempt() + 1, n.retryAt() == null ? now : n.retryAt()));
                } else if (n.status() == NodeStatus.RUNNING && node.kind() == NodeKind.DELAY) {
                    commands.add(new Command.ScheduleTimer(b.runId(), timerId(TimerKind.DELAY, id, n.attempt()),
                            TimerKind.DELAY, id, n.attempt(), now));
                } else if (n.status() == NodeStatus.RUNNING && node.kind() == NodeKind.TASK) {
                    ReplaySource.Outcome recorded = replay.outcome(id, n.attempt());
                    if (recorded != null) {
                        if (recorded.error() == null) {
                            complete(id, recorded.outputs(), recorded.cost(), n);
                        } else {
                            fail(id, recorded.error(), recorded.cost());
                        }
                        continue;
                    }
                    commands.add(new Command.DispatchNode(b.runId(), id, node.typeId(), n.attempt(), resolveInputs(node),
                            Interpolator.interpolate(node.config(), b.inputs(), b.variables(), outputsByNode(),
                                    loopContext(id)),
                            node.timeoutMs(), Command.DispatchNode.idempotencyKey(b.runId(), id, n.attempt())));
                }
            }
            advance();
            return null;
        }

        // ---------------------------------------------------------------- node outcomes

        Rejection checkCurrentAttempt(String nodeId, int attempt) {
            if (terminal()) {
                return Rejection.of("run_terminal", "The run has ended.");
            }
            if (def.node(nodeId) == null) {
                return Rejection.of("validation_error", "The workflow has no node '" + nodeId + "'.");
            }
            NodeState n = b.node(nodeId);
            if (n.status() != NodeStatus.RUNNING || n.attempt() != attempt) {
                return Rejection.of("stale_attempt", "Attempt " + attempt + " of node '" + nodeId
                        + "' is not the running attempt; the report is ignored.");
            }
            return null;
        }

        void complete(String nodeId, Map<String, Object> outputs, CostTotals cost, NodeState n) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("nodeId", nodeId);
            p.put("outputs", outputs);
            p.put("durationMs", n.startedAt() == null ? 0 : Math.max(0, Duration.between(n.startedAt(), now).toMillis()));
            p.put("attempt", Math.max(0, n.attempt()));
            if (cost != null) {
                p.put("cost", cost.toMap());
            }
            emit(EventTypes.NODE_COMPLETED, nodeId, p);
            Double budget = budgetUsd();
            if (Budget.exceeded(budget, b.cost())) {
                failRun(new ErrorInfo(ErrorInfo.BUDGET_EXHAUSTED, "The run spent $" + b.cost().usd()
                        + ", more than its budget of $" + budget + ".", Map.of("budgetUsd", budget,
                        "spentUsd", b.cost().usd()), false), nodeId);
                return;
            }
            LoopPosition visits = b.loopPosition(nodeId);
            if (visits != null && visits.hasNext()) {
                // A for_each element or spawned child is done and another one follows: visit the node again
                // before anything after it runs.
                if (revisit(nodeId, visits)) {
                    advance();
                }
                return;
            }
            if (!startVisits(nodeId)) {
                return;
            }
            if (!followLoopEdges(nodeId, true)) {
                return;
            }
            advance();
        }

        /**
         * Records, for each forward for_each / spawn_count edge out of a node that just completed, the visits its
         * target will get: a {@code capstan.loop.reentered} with index 0 carrying the list (or the count). The list
         * is evaluated here, once; the target then reads its position from the state. Returns false when the run
         * ended (the for_each value was not a list).
         */
        boolean startVisits(String nodeId) {
            for (Edge e : def.graph().outgoing(nodeId)) {
                if (!e.repeatsTarget() || def.graph().isLoopEdge(e)) {
                    continue;
                }
                Map<String, Object> p = new LinkedHashMap<>();
                p.put("edgeId", e.id());
                p.put("fromNodeId", e.from());
                p.put("toNodeId", e.to());
                p.put("iteration", 0);
                p.put("resetNodeIds", List.of());
                if (e.forEach() == null) {
                    p.put("index", 0);
                    p.put("count", e.spawnCount());
                    emit(EventTypes.LOOP_REENTERED, e.to(), p);
                    continue;
                }
                NodeState src = b.node(nodeId);
                List<?> items = List.of();
                if (e.condition() == null || evaluate(e.condition(), src).isTrue()) {
                    EvalResult r = evaluate(e.forEach(), src);
                    String where = "The for_each of edge " + e.from() + " → " + e.to() + " ('" + e.forEach().source()
                            + "')";
                    if (r instanceof EvalResult.Failure f) {
                        failRun(new ErrorInfo("for_each_failed", where + " could not be evaluated: " + f.reason(),
                                Map.of("edgeId", e.id()), false), nodeId);
                        return false;
                    }
                    Object value = ((EvalResult.Value) r).value();
                    if (!(value instanceof List<?> list)) {
                        failRun(new ErrorInfo("for_each_not_a_list", where + " evaluated to " + describe(value)
                                + ", not a list.", Map.of("edgeId", e.id()), false), nodeId);
                        return false;
                    }
                    items = list;
                }
                p.put("iteratorVar", e.iteratorVar());
                p.put("index", 0);
                p.put("count", items.size());
                p.put("items", items);
                if (!items.isEmpty()) {
                    p.put("element", items.get(0));
                }
                emit(EventTypes.LOOP_REENTERED, e.to(), p);
            }
            return true;
        }

        static String describe(Object value) {
            if (value == null) {
                return "null";
            }
            String type = value instanceof Map<?, ?> ? "a map" : value instanceof String ? "a string"
                    : value instanceof Boolean ? "a bool" : value instanceof Number ? "a number" : "a value";
            String text = String.valueOf(value);
            return type + " (" + (text.length() > 60 ? text.substring(0, 60) + "…" : text) + ")";
        }

        /** Resets the node for its next for_each element / spawned child. Returns false when the run ended. */
        boolean revisit(String nodeId, LoopPosition at) {
            Edge e = null;
            for (Edge in : def.graph().incomingForward(nodeId)) {
                if (in.id().equals(at.edgeId())) {
                    e = in;
                }
            }
            if (e == null) {
                return true; // a log from another definition: nothing to repeat
            }
            int iteration = at.index() + 1;
            Integer limit = e.forEach() != null ? loopLimit(e) : null;
            if (limit != null && iteration > limit) {
                loopLimitBreached(e, iteration, limit, nodeId);
                return false;
            }
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("edgeId", e.id());
            p.put("fromNodeId", e.from());
            p.put("toNodeId", e.to());
            p.put("iteration", iteration);
            p.put("resetNodeIds", List.of(nodeId));
            if (at.iteratorVar() != null) {
                p.put("iteratorVar", at.iteratorVar());
            }
            p.put("index", iteration);
            p.put("count", at.count());
            if (at.items() != null) {
                p.put("element", at.items().get(iteration));
            }
            emit(EventTypes.LOOP_REENTERED, nodeId, p);
            return true;
        }

        void loopLimitBreached(Edge e, int iteration, int limit, String nodeId) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("kind", "loop-iterations");
            p.put("limit", limit);
            p.put("observed", iteration);
            p.put("nodeId", e.to());
            emit(EventTypes.CAP_BREACHED, e.to(), p);
            failRun(new ErrorInfo(ErrorInfo.LOOP_LIMIT_EXCEEDED, "Loop edge '" + e.id() + "' would re-enter '"
                    + e.to() + "' a " + iteration + "th time; the limit is " + limit + ".", Map.of("edgeId", e.id()),
                    false), nodeId);
        }

        /** What the node's expressions and config read as {@code loop} (empty outside for_each / spawn visits). */
        Map<String, Object> loopContext(String nodeId) {
            LoopPosition at = b.loopPosition(nodeId);
            return at == null ? Map.of() : at.context();
        }

        void fail(String nodeId, ErrorInfo error, CostTotals cost) {
            Node node = def.node(nodeId);
            NodeState n = b.node(nodeId);
            boolean interruptFailure = n.status() == NodeStatus.SUSPENDED || n.status() == NodeStatus.AWAITING_APPROVAL;
            if (!interruptFailure && error.retryable() && n.retriesThisVisit() < node.retry().maxRetries()) {
                int retry = n.retriesThisVisit() + 1;
                long delay = node.retry().delayBeforeRetry(retry);
                Map<String, Object> p = new LinkedHashMap<>();
                p.put("nodeId", nodeId);
                p.put("attempt", n.attempt() + 1);
                p.put("delayMs", delay);
                p.put("lastError", error.toMap());
                if (cost != null) {
                    p.put("cost", cost.toMap()); // a failed attempt may still have spent money
                }
                emit(EventTypes.NODE_RETRIED, nodeId, p);
                if (delay == 0 && b.status() != RunStatus.PAUSED) {
                    activate(node);
                } else {
                    commands.add(new Command.ScheduleTimer(b.runId(), timerId(TimerKind.RETRY, nodeId, n.attempt() + 1),
                            TimerKind.RETRY, nodeId, n.attempt() + 1, now.plusMillis(delay)));
                }
                return;
            }
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("nodeId", nodeId);
            p.put("error", error.toMap());
            p.put("attempts", n.retriesThisVisit() + 1);
            if (cost != null) {
                p.put("cost", cost.toMap());
            }
            emit(EventTypes.NODE_FAILED, nodeId, p);
            if (!followLoopEdges(nodeId, false)) {
                return;
            }
            if (b.node(nodeId).status() == NodeStatus.FAILED && !failureHandled(nodeId)) {
                failRun(error, nodeId);
                return;
            }
            advance();
        }

        /** A failure is handled when some outgoing edge takes it (fallback/error/timeout) or a target expects it. */
        boolean failureHandled(String nodeId) {
            for (Edge e : def.graph().outgoing(nodeId)) {
                if (takenOnFailure(e, b.node(nodeId))) {
                    return true;
                }
                if (!def.graph().isLoopEdge(e) && joinRule(e.to()).toleratesFailure()) {
                    return true;
                }
            }
            return false;
        }

        /** Follows the first taken loop edge out of a finished node. Returns false when the run ended. */
        boolean followLoopEdges(String nodeId, boolean succeeded) {
            for (Edge e : def.graph().outgoing(nodeId)) {
                if (!def.graph().isLoopEdge(e)) {
                    continue;
                }
                NodeState src = b.node(nodeId);
                boolean taken = succeeded ? takenOnSuccess(e, src) : takenOnFailure(e, src);
                if (!taken) {
                    continue;
                }
                int iteration = b.loopIterations(e.id()) + 1;
                Integer limit = loopLimit(e);
                if (limit != null && iteration > limit) {
                    loopLimitBreached(e, iteration, limit, nodeId);
                    return false;
                }
                for (String bodyNode : def.graph().loopBody(e)) {
                    NodeState running = b.node(bodyNode);
                    if (running.status() == NodeStatus.RUNNING && !bodyNode.equals(nodeId)) {
                        // A parallel branch still running inside the body: its result would be stale after the reset.
                        commands.add(new Command.CancelNode(b.runId(), bodyNode, running.attempt(), "loop-reentered"));
                    }
                }
                Map<String, Object> p = new LinkedHashMap<>();
                p.put("edgeId", e.id());
                p.put("fromNodeId", e.from());
                p.put("toNodeId", e.to());
                p.put("iteration", iteration);
                p.put("resetNodeIds", List.copyOf(def.graph().loopBody(e)));
                emit(EventTypes.LOOP_REENTERED, e.to(), p);
                return true;
            }
            return true;
        }

        // ---------------------------------------------------------------- scheduling

        /**
         * Starts or skips every idle node whose join is decided, in topological order, then checks for the end.
         * Only nodes marked dirty by this decision are looked at: a join can change only when one of its sources
         * changed, and starting or skipping a node marks its own targets, which come later in the order.
         */
        void advance() {
            if (terminal() || b.status() == RunStatus.PAUSED) {
                return;
            }
            while (!dirty.isEmpty() && !terminal()) {
                String id = def.graph().topologicalOrder().get(dirty.pollFirst());
                if (b.node(id).status() != NodeStatus.IDLE) {
                    continue;
                }
                switch (join(id)) {
                    case RUN -> activate(def.node(id));
                    case SKIP -> emit(EventTypes.NODE_SKIPPED, id, Map.of("nodeId", id, "reason", "no incoming edge was taken"));
                    case WAIT -> {
                    }
                    default -> throw new IllegalStateException();
                }
            }
            if (terminal()) {
                return;
            }
            int done = b.countNodes(NodeStatus.COMPLETED) + b.countNodes(NodeStatus.FAILED)
                    + b.countNodes(NodeStatus.SKIPPED) + b.countNodes(NodeStatus.CANCELLED);
            int active = b.countNodes(NodeStatus.RUNNING) + b.countNodes(NodeStatus.AWAITING_APPROVAL)
                    + b.countNodes(NodeStatus.RETRY_WAIT) + b.countNodes(NodeStatus.SUSPENDED);
            if (done >= def.graph().topologicalOrder().size()) {
                completeRun();
            } else if (active == 0) {
                failRun(ErrorInfo.of("workflow_stalled", "No node can run and the run has not finished."), null);
            }
        }

        enum JoinDecision { RUN, SKIP, WAIT }

        JoinRule joinRule(String nodeId) {
            return def.graph().joinRule(nodeId);
        }

        JoinDecision join(String nodeId) {
            List<Edge> incoming = def.graph().incomingForward(nodeId);
            if (incoming.isEmpty()) {
                return JoinDecision.RUN;
            }
            JoinRule rule = joinRule(nodeId);
            if (rule.waitsForAll() && incoming.size() > 1) {
                // These rules wait while any source is unsettled: find one, starting where the last search found
                // one, so that a wide join costs O(1) amortised per source that settles instead of O(sources).
                int size = incoming.size();
                int hint = Math.floorMod(b.joinHint(nodeId), size);
                for (int k = 0; k < size; k++) {
                    int i = (hint + k) % size;
                    if (!settled(b.node(incoming.get(i).from()).status())) {
                        b.joinHint(nodeId, i);
                        return JoinDecision.WAIT;
                    }
                }
            }
            int pending = 0;
            int taken = 0;
            int failedSources = 0;
            Integer n = def.graph().joinCount(nodeId);
            for (Edge e : incoming) {
                NodeState src = b.node(e.from());
                switch (src.status()) {
                    case COMPLETED -> taken += takenOnSuccess(e, src) ? 1 : 0;
                    case FAILED -> {
                        failedSources++;
                        taken += takenOnFailure(e, src) ? 1 : 0;
                    }
                    case SKIPPED, CANCELLED -> {
                    }
                    default -> pending++;
                }
            }
            int total = incoming.size();
            return switch (rule) {
                case DEFAULT -> pending > 0 ? JoinDecision.WAIT : taken > 0 ? JoinDecision.RUN : JoinDecision.SKIP;
                case ALL_SUCCESS -> pending > 0 ? JoinDecision.WAIT : taken == total ? JoinDecision.RUN : JoinDecision.SKIP;
                case ANY_SUCCESS -> taken > 0 ? JoinDecision.RUN : pending > 0 ? JoinDecision.WAIT : JoinDecision.SKIP;
                case ALL_COMPLETE -> pending > 0 ? JoinDecision.WAIT : JoinDecision.RUN;
                case NONE_FAILED -> pending > 0 ? JoinDecision.WAIT
                        : failedSources == 0 && taken > 0 ? JoinDecision.RUN : JoinDecision.SKIP;
                case ANY_FAILED -> failedSources > 0 ? JoinDecision.RUN : pending > 0 ? JoinDecision.WAIT : JoinDecision.SKIP;
                case AT_LEAST_N -> {
                    int need = n == null ? total : n;
                    yield taken >= need ? JoinDecision.RUN : taken + pending < need ? JoinDecision.SKIP : JoinDecision.WAIT;
                }
            };
        }

        boolean settled(NodeStatus s) {
            return s == NodeStatus.COMPLETED || s == NodeStatus.FAILED || s == NodeStatus.SKIPPED
                    || s == NodeStatus.CANCELLED;
        }

        boolean takenOnSuccess(Edge e, NodeState src) {
            return switch (e.mode()) {
                case SEQUENTIAL, PARALLEL, EVENT, SPAWN -> true;
                case CONDITIONAL, LOOP -> e.forEach() != null ? forEachTaken(e)
                        : e.condition() == null || evaluate(e, src).isTrue();
                case SWITCH -> switchTarget(e, src);
                case FALLBACK, ERROR, TIMEOUT -> false;
            };
        }

        boolean takenOnFailure(Edge e, NodeState src) {
            return switch (e.mode()) {
                case FALLBACK -> true;
                case ERROR -> e.condition() == null || evaluate(e, src).isTrue();
                case TIMEOUT -> src.error() != null && ErrorInfo.NODE_TIMEOUT.equals(src.error().code());
                default -> false;
            };
        }

        /** A switch edge is taken when its case matches the selector, or it is the default and no case matches. */
        boolean switchTarget(Edge e, NodeState src) {
            EvalResult r = e.condition() == null ? new EvalResult.Failure("no selector", false) : evaluate(e, src);
            Object value = r instanceof EvalResult.Value v ? v.value() : null;
            if (!e.defaultCase()) {
                return value != null && Objects.equals(String.valueOf(value), String.valueOf(e.caseValue()));
            }
            for (Edge other : def.graph().outgoing(e.from())) {
                if (Objects.equals(other.switchGroup(), e.switchGroup()) && !other.defaultCase() && value != null
                        && Objects.equals(String.valueOf(value), String.valueOf(other.caseValue()))) {
                    return false;
                }
            }
            return true;
        }

        /** A for_each edge is taken when it was evaluated (at its source's completion) to a non-empty list. */
        boolean forEachTaken(Edge e) {
            LoopPosition at = b.loopPosition(e.to());
            return at != null && at.edgeId().equals(e.id()) && at.count() > 0;
        }

        EvalResult evaluate(Edge e, NodeState src) {
            return evaluate(e.condition(), src);
        }

        EvalResult evaluate(dev.capstan.workflow.expr.CompiledExpression expr, NodeState src) {
            Map<String, Object> ctx = new LinkedHashMap<>();
            ctx.put("inputs", b.inputs());
            ctx.put("variables", b.variables());
            ctx.put("outputs", outputsByNode());
            ctx.put("output", src.outputs());
            ctx.put("status", src.status().name().toLowerCase(java.util.Locale.ROOT));
            ctx.put("metadata", def.metadata());
            ctx.put("loop", loopContext(src.nodeId()));
            return ExpressionEnvironment.evaluate(expr, ctx, expressionCostLimit, functions(src));
        }

        /** The OSOP helpers for an expression that belongs to {@code owner} (an edge's source node), or null. */
        RunFunctions functions(NodeState owner) {
            return new RunFunctions() {
                @Override
                public String status(String nodeId) {
                    return switch (b.node(nodeId).status()) {
                        case IDLE -> "pending";
                        case RUNNING -> "running";
                        case AWAITING_APPROVAL, SUSPENDED -> "waiting";
                        case RETRY_WAIT -> "retrying";
                        case COMPLETED -> "completed";
                        case FAILED -> "failed";
                        case SKIPPED -> "skipped";
                        case CANCELLED -> "cancelled";
                    };
                }

                @Override
                public long attempt() {
                    return owner == null ? 1 : Math.max(0, owner.attempt()) + 1;
                }

                @Override
                public Map<String, Object> errorOf(String nodeId) {
                    ErrorInfo err = b.node(nodeId).error();
                    return err == null ? null : err.toMap();
                }

                @Override
                public long durationOf(String nodeId) {
                    NodeState n = b.node(nodeId);
                    if (n.startedAt() == null) {
                        return 0;
                    }
                    Instant end = n.endedAt() != null && !n.endedAt().isBefore(n.startedAt()) ? n.endedAt() : now;
                    return Math.max(0, Duration.between(n.startedAt(), end).toMillis());
                }

                @Override
                public Instant now() {
                    return now;
                }
            };
        }

        /**
         * Node id → outputs of completed nodes, as a live view over the run state: looking one node up costs O(1),
         * so an interpolation or a condition that names a node does not pay for every node of the run.
         */
        Map<String, Object> outputsByNode() {
            return new java.util.AbstractMap<>() {
                @Override
                public Object get(Object key) {
                    NodeState n = b.nodes().get(key);
                    return n != null && n.status() == NodeStatus.COMPLETED ? n.outputs() : null;
                }

                @Override
                public boolean containsKey(Object key) {
                    return get(key) != null;
                }

                @Override
                public java.util.Set<Map.Entry<String, Object>> entrySet() {
                    Map<String, Object> out = new LinkedHashMap<>();
                    for (NodeState n : b.nodes().values()) {
                        if (n.status() == NodeStatus.COMPLETED) {
                            out.put(n.nodeId(), n.outputs());
                        }
                    }
                    return java.util.Collections.unmodifiableMap(out).entrySet();
                }
            };
        }

        /** Checks limits, then starts the node (or asks for its approval first). */
        void activate(Node node) {
            if (terminal()) {
                return;
            }
            int limit = maxNodeExecutions();
            if (b.nodeExecutions() + 1 > limit) {
                Map<String, Object> p = new LinkedHashMap<>();
                p.put("kind", "node-executions");
                p.put("limit", limit);
                p.put("observed", b.nodeExecutions() + 1);
                p.put("nodeId", node.id());
                emit(EventTypes.CAP_BREACHED, node.id(), p);
                failRun(new ErrorInfo(ErrorInfo.RECURSION_LIMIT_EXCEEDED, "Starting node '" + node.id()
                        + "' would exceed the limit of " + limit + " node executions.", Map.of("limit", limit), false),
                        node.id());
                return;
            }
            Double budget = budgetUsd();
            if (Budget.wouldExceed(budget, b.cost(), node)) {
                failRun(new ErrorInfo(ErrorInfo.BUDGET_EXHAUSTED, "Node '" + node.id() + "' is estimated at $"
                        + node.cost().usd() + "; with $" + b.cost().usd() + " spent that would exceed the budget of $"
                        + budget + ", so it was not started.", Map.of("budgetUsd", budget, "spentUsd", b.cost().usd(),
                        "estimateUsd", node.cost().usd()), false), node.id());
                return;
            }
            NodeState n = b.node(node.id());
            Edge event = n.status() == NodeStatus.IDLE ? eventEdge(node) : null;
            if (event != null) {
                // OSOP event edge: the target runs when a matching external event arrives, not when its source ends.
                requestInterrupt(node, eventWait(node, event), true);
                return;
            }
            if (node.needsApprovalBeforeDispatch() && n.status() == NodeStatus.IDLE) {
                requestInterrupt(node, true);
                return;
            }
            dispatch(node);
        }

        void dispatch(Node node) {
            NodeState n = b.node(node.id());
            int attempt = n.attempt() + 1;
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("nodeId", node.id());
            p.put("typeId", node.typeId());
            p.put("attempt", attempt);
            emit(EventTypes.NODE_STARTED, node.id(), p);
            switch (node.kind()) {
                case INTERRUPT -> requestInterrupt(node, false);
                case DELAY -> {
                    Map<String, Object> inputs = resolveInputs(node);
                    Long delay = Values.asLong(inputs.getOrDefault("delayMs", node.config().get("delayMs")));
                    commands.add(new Command.ScheduleTimer(b.runId(), timerId(TimerKind.DELAY, node.id(), attempt),
                            TimerKind.DELAY, node.id(), attempt, now.plusMillis(delay == null ? 0 : Math.max(0, delay))));
                }
                case TASK -> {
                    ReplaySource.Outcome recorded = replay.outcome(node.id(), attempt);
                    if (recorded != null) {
                        if (recorded.error() == null) {
                            complete(node.id(), recorded.outputs(), recorded.cost(), b.node(node.id()));
                        } else {
                            fail(node.id(), recorded.error(), recorded.cost());
                        }
                        return;
                    }
                    Map<String, Object> config = Interpolator.interpolate(node.config(), b.inputs(), b.variables(),
                            outputsByNode(), loopContext(node.id()));
                    commands.add(new Command.DispatchNode(b.runId(), node.id(), node.typeId(), attempt,
                            resolveInputs(node), config, node.timeoutMs(), Command.DispatchNode.idempotencyKey(b.runId(), node.id(), attempt)));
                    if (node.timeoutMs() != null) {
                        commands.add(new Command.ScheduleTimer(b.runId(), timerId(TimerKind.NODE_TIMEOUT, node.id(), attempt),
                                TimerKind.NODE_TIMEOUT, node.id(), attempt, now.plusMillis(node.timeoutMs())));
                    }
                }
                default -> throw new IllegalStateException();
            }
        }

        void requestInterrupt(Node node, boolean beforeDispatch) {
            requestInterrupt(node, node.interrupt(), beforeDispatch);
        }

        /** The OSOP event edge into the node that makes it wait for an external event before it runs, or null. */
        Edge eventEdge(Node node) {
            for (Edge e : def.graph().incomingForward(node.id())) {
                if (e.mode() == EdgeMode.EVENT && b.node(e.from()).status() == NodeStatus.COMPLETED) {
                    return e;
                }
            }
            return null;
        }

        /** An external-event interrupt standing for an event edge: its eventType is the edge's condition. */
        InterruptSpec eventWait(Node node, Edge e) {
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("eventType", e.condition() == null ? "event" : e.condition().source());
            data.put("correlation", Map.of("runId", b.runId(), "nodeId", node.id(), "edgeId", e.id()));
            return new InterruptSpec(InterruptKind.EXTERNAL_EVENT, data, null, null);
        }

        /** The spec an open interrupt was requested with (the node's own, or an event edge's wait). */
        InterruptSpec specOf(Node node, OpenInterrupt open) {
            if (open.kind() == InterruptKind.EXTERNAL_EVENT && open.beforeDispatch()) {
                Edge e = eventEdge(node);
                if (e != null) {
                    return eventWait(node, e);
                }
            }
            return node.interrupt();
        }

        /**
         * An interrupt's data in its OpenWOP shape. An approval's data is interpolated like a node's config, so its
         * {@code artifactData} can show what the nodes before it produced ({@code ${outputs.draft.text}}) — after a
         * refine, the new version.
         */
        Map<String, Object> interruptData(Node node, InterruptSpec spec) {
            Map<String, Object> given = spec.data();
            if (spec.kind() == InterruptKind.APPROVAL) {
                given = Interpolator.interpolate(given, b.inputs(), b.variables(), outputsByNode(), loopContext(node.id()));
            }
            return InterruptData.forKind(spec.kind(), node.id(), given);
        }

        void requestInterrupt(Node node, InterruptSpec spec, boolean beforeDispatch) {
            NodeState n = b.node(node.id());
            String interruptId = ids.nextId();
            int count = n.interrupts() + 1;
            String key = b.runId() + ":" + node.id() + ":" + count;
            Map<String, Object> data = interruptData(node, spec);
            Map<String, Object> schema = spec.resumeSchema() == null ? ResumeSchemas.forKind(spec.kind()) : spec.resumeSchema();
            // interrupt.requested mirrors suspend-request.schema.json, which is closed: identity goes on the envelope
            // (nodeId) and on node.suspended (interruptId).
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("kind", spec.kind().wireName());
            p.put("key", key);
            p.put("data", data);
            if (!schema.isEmpty()) {
                p.put("resumeSchema", schema);
            }
            if (spec.timeoutMs() != null) {
                p.put("timeoutMs", spec.timeoutMs());
            }
            emit(EventTypes.INTERRUPT_REQUESTED, node.id(), p);
            Map<String, Object> suspended = new LinkedHashMap<>();
            suspended.put("nodeId", node.id());
            suspended.put("interruptId", interruptId);
            suspended.put("kind", spec.kind().wireName());
            suspended.put("key", key);
            suspended.put("requestedAt", now.toString());
            if (beforeDispatch) {
                suspended.put("beforeDispatch", true);
            }
            emit(EventTypes.NODE_SUSPENDED, node.id(), suspended);
            commands.add(new Command.RequestInterrupt(b.runId(), node.id(), interruptId, spec.kind(), key, data, schema,
                    spec.timeoutMs()));
            if (spec.timeoutMs() != null) {
                commands.add(new Command.ScheduleTimer(b.runId(), timerId(TimerKind.INTERRUPT_TIMEOUT, node.id(), count),
                        TimerKind.INTERRUPT_TIMEOUT, node.id(), count, now.plusMillis(spec.timeoutMs())));
            }
        }

        Map<String, Object> resolveInputs(Node node) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<String, PortValue> in : node.inputs().entrySet()) {
                PortValue pv = in.getValue();
                Object v = null;
                if (pv instanceof PortValue.Static st) {
                    v = st.value();
                } else if (pv instanceof PortValue.Variable var) {
                    v = b.variables().get(var.variableName());
                } else if (pv instanceof PortValue.Connection c) {
                    v = b.node(c.nodeId()).outputs().get(c.outputKey());
                } else if (pv instanceof PortValue.Expression x) {
                    Map<String, Object> ctx = new LinkedHashMap<>();
                    ctx.put("inputs", b.inputs());
                    ctx.put("variables", b.variables());
                    ctx.put("outputs", outputsByNode());
                    ctx.put("metadata", def.metadata());
                    EvalResult r = ExpressionEnvironment.evaluate(x.expression(), ctx, expressionCostLimit,
                            functions(b.node(node.id())));
                    v = r instanceof EvalResult.Value val ? val.value() : null;
                }
                out.put(in.getKey(), v);
            }
            return out;
        }

        // ---------------------------------------------------------------- run end

        void completeRun() {
            Map<String, Object> outputs = new LinkedHashMap<>();
            for (String id : def.graph().topologicalOrder()) {
                boolean sink = def.graph().outgoing(id).stream().allMatch(def.graph()::isLoopEdge);
                NodeState n = b.node(id);
                if (sink && n.status() == NodeStatus.COMPLETED) {
                    outputs.put(id, n.outputs());
                }
            }
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("outputs", outputs);
            p.put("durationMs", durationMs());
            p.put("cost", b.cost().toMap());
            emit(EventTypes.RUN_COMPLETED, null, p);
            commands.add(new Command.CompleteRun(b.runId(), outputs));
        }

        void failRun(ErrorInfo error, String failedNodeId) {
            if (terminal()) {
                return;
            }
            cancelActiveNodes("run-failed");
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("error", error.toMap());
            if (failedNodeId != null) {
                p.put("failedNodeId", failedNodeId);
            }
            p.put("durationMs", durationMs());
            emit(EventTypes.RUN_FAILED, null, p);
            commands.add(new Command.FailRun(b.runId(), error));
        }

        void cancelActiveNodes(String reason) {
            for (String id : def.graph().topologicalOrder()) {
                NodeState n = b.node(id);
                if (n.status().isActive()) {
                    emit(EventTypes.NODE_CANCELLED, id, Map.of("nodeId", id, "reason", reason));
                    if (n.status() == NodeStatus.RUNNING) {
                        commands.add(new Command.CancelNode(b.runId(), id, n.attempt(), reason));
                    }
                }
            }
        }

        long durationMs() {
            return b.startedAt() == null ? 0 : Math.max(0, Duration.between(b.startedAt(), now).toMillis());
        }

        // ---------------------------------------------------------------- limits

        int maxNodeExecutions() {
            RunOptions o = b.options();
            int limit = o.maxNodeExecutions() != null ? o.maxNodeExecutions()
                    : def.settings().maxNodeExecutions() != null ? def.settings().maxNodeExecutions()
                    : RunOptions.DEFAULT_MAX_NODE_EXECUTIONS;
            if (o.recursionLimit() != null) {
                limit = Math.min(limit, o.recursionLimit());
            }
            return limit;
        }

        Long runTimeoutMs() {
            return b.options().runTimeoutMs() != null ? b.options().runTimeoutMs() : def.settings().runTimeoutMs();
        }

        Double budgetUsd() {
            return b.options().budgetUsd() != null ? b.options().budgetUsd() : def.settings().budgetUsd();
        }

        Integer loopLimit(Edge e) {
            if (e.maxIterations() != null) {
                return e.maxIterations();
            }
            return b.options().maxLoopIterations() != null ? b.options().maxLoopIterations()
                    : def.settings().maxLoopIterations();
        }

        String timerId(TimerKind kind, String nodeId, int attempt) {
            return b.runId() + "/" + kind.name().toLowerCase(java.util.Locale.ROOT) + "/" + nodeId + "/" + attempt;
        }
    }
}
