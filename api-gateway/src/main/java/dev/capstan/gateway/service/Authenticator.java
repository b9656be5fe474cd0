package dev.capstan.gateway.service;

import dev.capstan.common.error.ApiException;
import dev.capstan.common.error.ErrorCode;
import dev.capstan.gateway.repository.CredentialStore.StoredKey;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Turns the {@code Authorization} header into a {@link Caller}: OpenWOP API keys ({@code hk_...},
 * {@code hk_test_...}) against the stored hashes, anything shaped like a JWT through the OIDC issuers.
 * Every refusal is 401 with the OpenWOP code; a valid credential without a tenant is 403.
 */
@ApplicationScoped
public class Authenticator {

    /** Compiled once: it is checked on every request that carries a token. */
    private static final Pattern JWT = Pattern.compile("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+");

    private final CredentialCache store;
    private final Clock clock;
    private final MeterRegistry meters;

    public Authenticator(CredentialCache store, Clock clock, MeterRegistry meters) {
        this.store = store;
        this.clock = clock;
        this.meters = meters;
    }

    /** The bearer credential of a header value, or null when there is none. */
    public static String bearer(String authorization) {
        if (authorization == null || authorization.length() < 8 || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String token = authorization.substring(7).trim();
        return token.isEmpty() ? null : token;
    }

    public static boolean isApiKey(String token) {
        return token.startsWith(ApiKeyService.LIVE_PREFIX);
    }

    /** Three base64url parts: a JWT, to be verified by the OIDC layer. */
    public static boolean looksLikeJwt(String token) {
        return JWT.matcher(token).matches();
    }

    /**
     * Authenticates a request: {@code oidc} verifies a JWT (it is the OIDC layer's deferred identity,
     * subscribed only for JWTs).
     */
    public Uni<Caller> authenticate(String authorization, Supplier<Uni<Caller>> oidc) {
        String token = bearer(authorization);
        if (token == null) {
            return refuse("missing", ErrorCode.UNAUTHENTICATED, "Send Authorization: Bearer <API key or token>.");
        }
        if (isApiKey(token)) {
            return apiKey(token);
        }
        if (looksLikeJwt(token)) {
            return oidc.get();
        }
        return refuse("malformed", ErrorCode.UNAUTHENTICATED, "The bearer credential is neither an API key nor a token.");
    }

    private Uni<Caller> apiKey(String key) {
        String hash = ApiKeyService.hash(key);
        return store.findKeyByHash(hash).flatMap(found -> {
            // The lookup is by the hash of a 256-bit secret; the equality check is repeated in constant time.
            if (found.isEmpty() || !MessageDigest.isEqual(found.get().keyHash().getBytes(StandardCharsets.US_ASCII),
                    hash.getBytes(StandardCharsets.US_ASCII))) {
                return refuse("unknown_key", ErrorCode.UNAUTHENTICATED, "The API key is not valid.");
            }
            StoredKey stored = found.get();
            OffsetDateTime now = OffsetDateTime.now(clock);
            if (stored.revokedAt() != null) {
                return refuse("key_revoked", ErrorCode.KEY_REVOKED, "The API key has been revoked.");
            }
            if (stored.expiresAt() != null && !stored.expiresAt().isAfter(now)) {
                return refuse("key_expired", ErrorCode.KEY_EXPIRED, "The API key has expired.");
            }
            RateLimiter.Limit limit = stored.rateCapacity() == null || stored.rateRefillPerSecond() == null ? null
                    : new RateLimiter.Limit(stored.rateCapacity(), stored.rateRefillPerSecond());
            return Uni.createFrom().item(new Caller(stored.tenantId(), "key:" + stored.id(), stored.scopes(),
                    stored.testMode(), stored.id(), limit));
        });
    }

    /** Counts the refusal by a fixed reason (never the credential) and fails with the envelope. */
    public <T> Uni<T> refuse(String reason, ErrorCode code, String message) {
        meters.counter("capstan.gateway.auth.refused", "reason", reason).increment();
        return Uni.createFrom().failure(new ApiException(code, message));
    }
}
