package dev.capstan.run.service;

import dev.capstan.common.error.ApiException;
import dev.capstan.common.error.ErrorCode;
import dev.capstan.run.config.InterruptTokenConfig;
import dev.capstan.run.repository.InterruptEventRepository;
import dev.capstan.run.repository.InterruptEventRepository.RequestedInterrupt;
import dev.capstan.run.repository.RunRepository;
import dev.capstan.run.repository.RunRow;
import dev.capstan.run.service.InterruptTokens.Claims;
import dev.capstan.run.service.InterruptTokens.Intent;
import dev.capstan.workflow.engine.Rejection;
import dev.capstan.workflow.engine.RunInput;
import dev.capstan.workflow.model.RunStatus;
import dev.capstan.workflow.state.OpenInterrupt;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * OpenWOP's signed-token surface for interrupts: minting a token for an open interrupt (by a caller who may answer
 * it), inspecting and resolving through one. A token names no tenant: its signature is checked first, then the run
 * it names gives the tenant. A token dies with its interrupt (resolved, replaced) and with its run (ended).
 */
@ApplicationScoped
public class InterruptTokenService {

    /** Who resolved an interrupt through a token (OpenWOP {@code resolvedBy} is opaque). */
    public static final String RESOLVED_BY = "signed-token";

    public record MintedToken(String token, String url, String intent, String runId, String nodeId, String interruptId,
                              String expiresAt) {
    }

    public record TokenResolution(String runId, String nodeId, String status) {
    }

    private final InterruptTokens tokens;
    private final InterruptTokenConfig config;
    private final RunRepository runs;
    private final InterruptEventRepository interrupts;
    private final RunCoordinator coordinator;
    private final MeterRegistry meters;
    private final Clock clock = Clock.systemUTC();

    public InterruptTokenService(InterruptTokenConfig config, RunRepository runs, InterruptEventRepository interrupts,
                                 RunCoordinator coordinator, MeterRegistry meters) {
        this.tokens = new InterruptTokens(config.secret(), config.previousSecrets().orElse(List.of()));
        this.config = config;
        this.runs = runs;
        this.interrupts = interrupts;
        this.coordinator = coordinator;
        this.meters = meters;
    }

    /**
     * A token for the open interrupt on {@code nodeId} of a tenant's run, living {@code ttlMs} (default 30 min) but never
     * past the interrupt's own timeout.
     */
    public Uni<MintedToken> mint(String tenantId, String runId, String nodeId, String intentName, Long ttlMs) {
        Intent intent = intentName == null ? Intent.RESOLVE : Intent.parse(intentName).orElseThrow(() ->
                ApiException.validation("intent must be 'resolve' or 'inspect'.", Map.of("field", "intent")));
        Duration ttl = ttlMs == null ? config.defaultTtl() : Duration.ofMillis(ttlMs);
        if (ttl.isNegative() || ttl.isZero() || ttl.compareTo(config.maxTtl()) > 0) {
            throw ApiException.validation("ttlMs must be between 1 and " + config.maxTtl().toMillis() + ".",
                    Map.of("field", "ttlMs", "maxTtlMs", config.maxTtl().toMillis()));
        }
        return runs.find(tenantId, runId).flatMap(row -> {
            if (row == null) {
                throw new ApiException(ErrorCode.NOT_FOUND, "Run " + runId + " not found", Map.of("runId", runId));
            }
            if (terminal(row)) {
                throw new ApiException(ErrorCode.RUN_TERMINAL, "The run has ended; its interrupts take no answers.",
                        Map.of("runStatus", row.status()));
            }
            return openInterrupt(runId, nodeId).map(open -> {
                if (open == null) {
                    throw new ApiException(ErrorCode.INTERRUPT_NOT_FOUND, "Node '" + nodeId + "' has no open interrupt.",
                            Map.of("runId", runId, "nodeId", nodeId));
                }
                Instant now = clock.instant();
                Instant expiresAt = now.plus(ttl);
                Instant deadline = open.deadline();
                if (deadline != null && deadline.isBefore(expiresAt)) {
                    expiresAt = deadline;
                }
                if (!expiresAt.isAfter(now)) {
                    throw new ApiException(ErrorCode.INTERRUPT_EXPIRED, "The interrupt's own timeout has passed.",
                            Map.of("runId", runId, "nodeId", nodeId));
                }
                String token = tokens.sign(new Claims(runId, nodeId, open.interruptId(), expiresAt, intent));
                meters.counter("capstan.interrupt_tokens.minted", "intent", intent.wireName()).increment();
                return new MintedToken(token, "/v1/interrupts/" + token, intent.wireName(), runId, nodeId, open.interruptId(),
                        expiresAt.toString());
            });
        });
    }

    /** The InterruptPayload ({@code suspend-request.schema.json}) of the token's interrupt, while it is open. */
    public Uni<Map<String, Object>> inspect(String token) {
        Claims claims = verified(token);
        return liveRun(claims).flatMap(row -> openInterrupt(claims.runId(), claims.nodeId())).map(open -> {
            if (open == null || !open.interruptId().equals(claims.interruptId())) {
                throw used("inspect", claims);
            }
            meters.counter("capstan.interrupt_tokens.used", "intent", "inspect", "outcome", "ok").increment();
            return open.payload();
        });
    }

    /** Resolves the token's interrupt as {@code POST /v1/runs/{runId}/interrupts/{nodeId}} does; one concurrent resolve wins. */
    public Uni<TokenResolution> resolve(String token, Object resumeValue) {
        Claims claims = verified(token);
        if (claims.intent() != Intent.RESOLVE) {
            meters.counter("capstan.interrupt_tokens.used", "intent", "resolve", "outcome", "forbidden").increment();
            throw new ApiException(ErrorCode.FORBIDDEN, "This token may inspect the interrupt, not resolve it.",
                    Map.of("intent", claims.intent().wireName()));
        }
        if (resumeValue == null) {
            throw ApiException.validation("resumeValue is required.", Map.of("field", "resumeValue"));
        }
        // Checked again in the step that resolves: the interrupt must still be the one the token was minted for.
        RunCoordinator.StepExtras sameInterrupt = RunCoordinator.StepExtras.guard(state -> {
            OpenInterrupt open = state.interrupts().get(claims.nodeId());
            return open != null && claims.interruptId().equals(open.interruptId()) ? null
                    : Rejection.of("interrupt_already_resolved", "The interrupt this token was minted for is no longer open.");
        });
        return liveRun(claims).flatMap(row -> coordinator.apply(claims.runId(),
                        new RunInput.InterruptResolved(claims.nodeId(), resumeValue, RESOLVED_BY), null, sameInterrupt))
                .flatMap(decision -> {
                    if (decision.rejected()) {
                        throw refusal(decision.rejection(), claims);
                    }
                    return runs.findById(claims.runId());
                })
                .map(row -> {
                    meters.counter("capstan.interrupt_tokens.used", "intent", "resolve", "outcome", "ok").increment();
                    return new TokenResolution(claims.runId(), claims.nodeId(), row.status());
                });
    }

    private Claims verified(String token) {
        Claims claims = tokens.verify(token).orElseThrow(() -> {
            meters.counter("capstan.interrupt_tokens.refused", "reason", "signature").increment();
            return new ApiException(ErrorCode.UNAUTHENTICATED, "The interrupt token is not one this service signed.");
        });
        if (!claims.expiresAt().isAfter(clock.instant())) {
            meters.counter("capstan.interrupt_tokens.refused", "reason", "expired").increment();
            throw new ApiException(ErrorCode.INTERRUPT_EXPIRED, "The interrupt token expired at " + claims.expiresAt() + ".",
                    Map.of("expiresAt", claims.expiresAt().toString()));
        }
        return claims;
    }

    /** The token's run, while it has not ended (an ended run's tokens are dead). */
    private Uni<RunRow> liveRun(Claims claims) {
        return runs.findById(claims.runId()).map(row -> {
            if (row == null) {
                throw new ApiException(ErrorCode.NOT_FOUND, "Run " + claims.runId() + " not found", Map.of("runId", claims.runId()));
            }
            if (terminal(row)) {
                throw used(claims.intent().wireName(), claims);
            }
            return row;
        });
    }

    private ApiException used(String intent, Claims claims) {
        meters.counter("capstan.interrupt_tokens.used", "intent", intent, "outcome", "dead").increment();
        return new ApiException(ErrorCode.INTERRUPT_ALREADY_RESOLVED,
                "The interrupt this token was minted for was resolved, or its run ended.",
                Map.of("runId", claims.runId(), "nodeId", claims.nodeId(), "interruptId", claims.interruptId()));
    }

    private ApiException refusal(Rejection rejection, Claims claims) {
        if ("validation_error".equals(rejection.code())) {
            Map<String, Object> details = new LinkedHashMap<>();
            if (!rejection.details().isEmpty()) {
                details.put("problems", rejection.details());
            }
            return new ApiException(ErrorCode.VALIDATION_ERROR, rejection.message(), details);
        }
        // Resolved meanwhile, replaced by a new interrupt, or the run is ending: the token is dead either way.
        return used("resolve", claims);
    }

    /** The open interrupt of a node as a token sees it: its id, its payload and when it times out. */
    private record OpenView(String interruptId, Map<String, Object> payload, Instant deadline) {
    }

    private Uni<OpenView> openInterrupt(String runId, String nodeId) {
        return coordinator.state(runId).flatMap(state -> {
            OpenInterrupt open = state == null ? null : state.interrupts().get(nodeId);
            if (open == null || open.interruptId() == null) {
                return Uni.createFrom().nullItem();
            }
            return interrupts.latest(runId, nodeId).map(latest -> view(open, latest));
        });
    }

    private static OpenView view(OpenInterrupt open, RequestedInterrupt latest) {
        if (latest == null || !open.interruptId().equals(latest.suspended().get("interruptId"))) {
            return null;
        }
        // InterruptPayload is closed: exactly kind, key, resumeSchema, timeoutMs and data.
        Map<String, Object> payload = new LinkedHashMap<>();
        for (String field : List.of("kind", "key", "resumeSchema", "timeoutMs", "data")) {
            if (latest.requested().get(field) != null) {
                payload.put(field, latest.requested().get(field));
            }
        }
        Instant deadline = null;
        if (latest.requested().get("timeoutMs") instanceof Number timeout && timeout.longValue() > 0
                && latest.suspended().get("requestedAt") instanceof String requestedAt) {
            try {
                deadline = Instant.parse(requestedAt).plusMillis(timeout.longValue());
            } catch (DateTimeParseException e) {
                deadline = null;
            }
        }
        return new OpenView(open.interruptId(), payload, deadline);
    }

    private static boolean terminal(RunRow row) {
        for (RunStatus status : RunStatus.values()) {
            if (status.wireName().equals(row.status())) {
                return status.isTerminal();
            }
        }
        return false;
    }
}
