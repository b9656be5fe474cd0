package dev.capstan.run.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.capstan.common.error.ApiException;
import dev.capstan.common.error.ErrorCode;
import dev.capstan.run.repository.IdempotencyRepository;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.function.Supplier;

/**
 * OpenWOP Idempotency-Key semantics (digest §6) for mutating endpoints: the same key and body replay the
 * first response; a different body is 409 {@code idempotency_key_mismatch}; a request still in flight is
 * 409 {@code idempotency_in_flight}. Refusals (4xx) and failures (5xx) are not kept, so a corrected or
 * retried request runs again.
 */
@ApplicationScoped
public class IdempotencyService {

    private static final int LEASE_SECONDS = 30;
    private static final int MAX_KEY_LENGTH = 255;

    /** A response to send, and whether it is a replay of an earlier one. */
    public record Outcome(int status, String body, boolean replayed) {
    }

    private final IdempotencyRepository records;
    private final ObjectMapper canonical = JsonMapper.builder()
            .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();

    public IdempotencyService(IdempotencyRepository records) {
        this.records = records;
    }

    /** Runs {@code action} at most once per (tenant, endpoint, key) and request body. */
    public Uni<Outcome> once(String tenantId, String endpoint, String key, Object request, Supplier<Uni<Outcome>> action) {
        if (key == null) {
            return action.get();
        }
        if (key.isBlank() || key.length() > MAX_KEY_LENGTH) {
            throw ApiException.validation("Idempotency-Key must have 1 to " + MAX_KEY_LENGTH + " characters.",
                    Map.of("field", "Idempotency-Key"));
        }
        String digest = digest(request);
        return records.claim(tenantId, endpoint, key, digest).flatMap(claimed -> claimed
                ? execute(tenantId, endpoint, key, action)
                : records.find(tenantId, endpoint, key, LEASE_SECONDS).flatMap(existing -> {
                    if (existing == null) {
                        // Released between our claim and read: try once more from the start.
                        return once(tenantId, endpoint, key, request, action);
                    }
                    if (!existing.requestDigest().equals(digest)) {
                        throw new ApiException(ErrorCode.IDEMPOTENCY_KEY_MISMATCH,
                                "This Idempotency-Key was used with a different request body.", Map.of());
                    }
                    if (existing.state().equals("completed")) {
                        return Uni.createFrom().item(new Outcome(existing.responseStatus(), existing.responseBody(), true));
                    }
                    if (existing.leaseExpired()) {
                        return records.takeOver(tenantId, endpoint, key, digest, LEASE_SECONDS)
                                .flatMap(taken -> taken ? execute(tenantId, endpoint, key, action) : inFlight());
                    }
                    return inFlight();
                }));
    }

    private Uni<Outcome> execute(String tenantId, String endpoint, String key, Supplier<Uni<Outcome>> action) {
        Uni<Outcome> result;
        try {
            result = action.get();
        } catch (RuntimeException e) {
            result = Uni.createFrom().failure(e);
        }
        return result
                .call(outcome -> records.complete(tenantId, endpoint, key, outcome.status(), outcome.body()))
                .onFailure().call(e -> records.release(tenantId, endpoint, key));
    }

    private static Uni<Outcome> inFlight() {
        return Uni.createFrom().failure(new ApiException(ErrorCode.IDEMPOTENCY_IN_FLIGHT,
                "A request with this Idempotency-Key is still being processed; retry shortly.", Map.of("retryAfter", 1)));
    }

    private String digest(Object request) {
        try {
            byte[] bytes = canonical.writeValueAsBytes(request);
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("Request digest failed", e);
        }
    }

}
