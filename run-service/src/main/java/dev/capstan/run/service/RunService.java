package dev.capstan.run.service;

import dev.capstan.common.error.ApiException;
import dev.capstan.common.error.ErrorCode;
import dev.capstan.common.identity.CallerIdentity;
import dev.capstan.run.repository.RunRepository;
import dev.capstan.run.repository.RunRow;
import dev.capstan.run.service.RunCoordinator.RunInfo;
import dev.capstan.workflow.engine.DrainPolicy;
import dev.capstan.workflow.engine.Rejection;
import dev.capstan.workflow.engine.Forks;
import dev.capstan.workflow.engine.RunInput;
import dev.capstan.workflow.event.RunEvent;
import dev.capstan.workflow.model.RunStatus;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/** The runs API: create, read, cancel and poll a tenant's runs. */
@ApplicationScoped
public class RunService {

    private static final int POLL_PAGE = 500;

    private final RunCoordinator coordinator;
    private final RunRepository runs;
    private final RunEventBus bus;
    private final JsonCodec json;

    public RunService(RunCoordinator coordinator, RunRepository runs, RunEventBus bus, JsonCodec json) {
        this.coordinator = coordinator;
        this.runs = runs;
        this.bus = bus;
        this.json = json;
    }

    public Uni<RunRow> start(CallerIdentity caller, String workflowId, Map<String, Object> inputs, Map<String, Object> configurable,
                             List<String> tags, Map<String, Object> metadata) {
        if (workflowId == null || workflowId.isBlank()) {
            throw ApiException.validation("workflowId is required.", Map.of("field", "workflowId"));
        }
        RunOptionsPolicy.validate(configurable, caller.testMode());
        Map<String, Object> executorOptions = RunOptionsPolicy.executorOptions(caller.testMode(), configurable);
        return coordinator.start(caller.tenant(), workflowId, inputs == null ? Map.of() : inputs,
                new RunInfo(configurable, tags, metadata, executorOptions));
    }

    /** A fork: the new run, and the mode and point it was forked at. */
    public record ForkResult(RunRow row, String mode, long fromSeq) {
    }

    /** Validates an OpenWOP fork body ({mode, fromSeq?, runOptionsOverlay?}, closed) and forks an owned run. */
    public Uni<ForkResult> fork(String tenantId, String runId, Map<String, Object> body) {
        Map<String, Object> b = body == null ? Map.of() : body;
        for (String key : b.keySet()) {
            if (!List.of("mode", "fromSeq", "runOptionsOverlay").contains(key)) {
                throw ApiException.validation("Unknown field '" + key + "' in the fork request.", Map.of("field", key));
            }
        }
        Object mode = b.get("mode");
        if (!"replay".equals(mode) && !"branch".equals(mode)) {
            throw ApiException.validation("mode must be 'replay' or 'branch'.", Map.of("field", "mode"));
        }
        Object from = b.get("fromSeq");
        if (from != null && !(from instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()))) {
            throw ApiException.validation("fromSeq must be an integer.", Map.of("field", "fromSeq"));
        }
        if (from == null && "branch".equals(mode)) {
            throw ApiException.validation("A branch fork needs fromSeq.", Map.of("field", "fromSeq"));
        }
        long fromSeq = from == null ? 0 : ((Number) from).longValue();
        if (fromSeq < 0) {
            throw ApiException.validation("fromSeq must not be negative.", Map.of("field", "fromSeq"));
        }
        Object overlay = b.get("runOptionsOverlay");
        if (overlay != null && !(overlay instanceof Map<?, ?>)) {
            throw ApiException.validation("runOptionsOverlay must be an object.", Map.of("field", "runOptionsOverlay"));
        }
        if (overlay != null && "replay".equals(mode)) {
            throw ApiException.validation("A replay fork takes no runOptionsOverlay; use a branch fork.",
                    Map.of("field", "runOptionsOverlay"));
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> overlayMap = (Map<String, Object>) overlay;
        if (overlayMap != null) {
            RunOptionsPolicy.validate(overlayMap, false);
        }
        return coordinator.fork(tenantId, runId, "replay".equals(mode) ? Forks.Mode.REPLAY : Forks.Mode.BRANCH, fromSeq, overlayMap)
                .map(row -> new ForkResult(row, (String) mode, fromSeq));
    }

    /** The RunSnapshot; another tenant's run is 404. */
    public Uni<Map<String, Object>> snapshot(String tenantId, String runId) {
        return owned(tenantId, runId).map(row -> json.readMap(row.snapshotJson()));
    }

    public Uni<RunRow> cancel(String tenantId, String runId, String reason, String principal) {
        return control(tenantId, runId, new RunInput.Cancel(reason, principal));
    }

    public Uni<RunRow> pause(String tenantId, String runId, String reason, DrainPolicy drainPolicy) {
        return control(tenantId, runId, new RunInput.Pause(reason, drainPolicy));
    }

    public Uni<RunRow> resume(String tenantId, String runId, String reason) {
        return control(tenantId, runId, new RunInput.Resume(reason));
    }

    /** Resolves the open interrupt on {@code nodeId}; of concurrent resolutions exactly one wins. */
    public Uni<RunRow> resolveInterrupt(String tenantId, String runId, String nodeId, Object resumeValue, String principal) {
        return control(tenantId, runId, new RunInput.InterruptResolved(nodeId, resumeValue, principal));
    }

    /** Applies a control input to an owned run and returns the run as committed; a refusal becomes its API error. */
    private Uni<RunRow> control(String tenantId, String runId, RunInput input) {
        return owned(tenantId, runId).flatMap(row -> coordinator.apply(runId, input, null)
                .flatMap(decision -> {
                    if (decision.rejected()) {
                        throw refusal(decision.rejection(), row, input);
                    }
                    return runs.find(tenantId, runId);
                }));
    }

    private static ApiException refusal(Rejection rejection, RunRow row, RunInput input) {
        Map<String, Object> details = new java.util.LinkedHashMap<>();
        details.put("runStatus", row.status());
        if (!rejection.details().isEmpty()) {
            details.put("problems", rejection.details());
        }
        ErrorCode code = switch (rejection.code()) {
            case "interrupt_not_found" -> ErrorCode.INTERRUPT_NOT_FOUND;
            case "interrupt_already_resolved" -> ErrorCode.INTERRUPT_ALREADY_RESOLVED;
            case "validation_error" -> ErrorCode.VALIDATION_ERROR;
            case "forbidden" -> ErrorCode.FORBIDDEN;
            // OpenWOP: answering an interrupt that a cancellation closed is 422 interrupt_cancelled.
            case "run_terminal" -> input instanceof RunInput.InterruptResolved && "cancelled".equals(row.status())
                    ? ErrorCode.INTERRUPT_CANCELLED : ErrorCode.RUN_TERMINAL;
            default -> ErrorCode.CONFLICT;
        };
        return new ApiException(code, rejection.message(), details);
    }

    /**
     * Events after {@code lastSequence}; when there are none yet and the run is live, waits up to
     * {@code timeout} for the next commit.
     */
    public Uni<PollResult> poll(String tenantId, String runId, long lastSequence, Duration timeout) {
        return owned(tenantId, runId).flatMap(row -> runs.events(runId, lastSequence, POLL_PAGE).flatMap(events -> {
            if (!events.isEmpty() || terminal(row.status())) {
                return Uni.createFrom().item(result(events, terminal(row.status())));
            }
            Uni<Void> next = Uni.createFrom().emitter(emitter -> {
                AutoCloseable subscription = bus.subscribe(runId, committed -> emitter.complete(null));
                emitter.onTermination(() -> {
                    try {
                        subscription.close();
                    } catch (Exception ignored) {
                        // Unsubscribing cannot fail.
                    }
                });
            });
            return next.ifNoItem().after(timeout).recoverWithItem((Void) null)
                    .flatMap(ignored -> runs.events(runId, lastSequence, POLL_PAGE))
                    .map(later -> result(later, false));
        }));
    }

    public record RunSummary(String runId, String workflowId, String status, List<String> tags, String createdAt) {
    }

    public record RunPage(List<RunSummary> runs, String nextCursor) {
    }

    /** The tenant's runs, newest first; the cursor is opaque to clients. */
    public Uni<RunPage> list(String tenantId, RunRepository.RunFilter filter, String cursor, int limit) {
        Instant cursorAt = null;
        String cursorRun = null;
        if (cursor != null && !cursor.isBlank()) {
            try {
                String[] parts = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split("\\|", 2);
                cursorAt = Instant.parse(parts[0]);
                cursorRun = parts[1];
            } catch (RuntimeException e) {
                throw ApiException.validation("cursor is not one this service issued.", Map.of("field", "cursor"));
            }
        }
        return runs.page(tenantId, filter, cursorAt, cursorRun, limit + 1).map(rows -> {
            List<RunSummary> page = rows.stream().limit(limit)
                    .map(r -> new RunSummary(r.runId(), r.workflowId(), r.status(), r.tags(), r.createdAt().toString())).toList();
            String next = null;
            if (rows.size() > limit) {
                RunRepository.RunSummaryRow last = rows.get(limit - 1);
                next = Base64.getUrlEncoder().withoutPadding().encodeToString(
                        (last.createdAt().toString() + "|" + last.runId()).getBytes(StandardCharsets.UTF_8));
            }
            return new RunPage(page, next);
        });
    }

    public record PollResult(List<RunEvent> events, boolean complete) {
    }

    /** Complete once the reader has the terminal event: in this page, or before it when the run had ended. */
    private static PollResult result(List<RunEvent> events, boolean runWasTerminal) {
        boolean complete = events.stream().anyMatch(RunEvent::isTerminal) || (events.isEmpty() && runWasTerminal);
        return new PollResult(events, complete);
    }

    private Uni<RunRow> owned(String tenantId, String runId) {
        return runs.find(tenantId, runId).map(row -> {
            if (row == null) {
                throw new ApiException(ErrorCode.NOT_FOUND, "Run " + runId + " not found", Map.of("runId", runId));
            }
            return row;
        });
    }

    private static boolean terminal(String status) {
        for (RunStatus known : RunStatus.values()) {
            if (known.wireName().equals(status)) {
                return known.isTerminal();
            }
        }
        return false;
    }

}
