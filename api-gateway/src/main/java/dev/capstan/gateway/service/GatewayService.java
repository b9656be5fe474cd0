package dev.capstan.gateway.service;

import dev.capstan.common.error.ApiException;
import dev.capstan.common.error.ErrorCode;
import dev.capstan.common.identity.CallerIdentity;
import dev.capstan.common.identity.IdentityConfig;
import dev.capstan.common.identity.IdentityToken;
import dev.capstan.gateway.config.GatewayConfig;
import dev.capstan.gateway.service.RouteTable.Route;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * The decision for one request, in the OpenWOP order: authenticate (401), rate-limit (429), find the
 * route (404/405), check the scopes (403); then sign the identity the service will trust.
 */
@ApplicationScoped
public class GatewayService {

    /**
     * A request the gateway will forward: its route, caller and the signed identity token (both null on a route
     * whose credential is a token in its path).
     */
    public record Admitted(Route route, Caller caller, String identityToken) {
    }

    private final Authenticator authenticator;
    private final OidcIssuers oidc;
    private final RateLimiter limiter;
    private final IdentityToken tokens;
    private final Duration identityTtl;
    private final Clock clock;
    private final MeterRegistry meters;

    public GatewayService(Authenticator authenticator, OidcIssuers oidc, RateLimiter limiter, IdentityConfig identity,
                          GatewayConfig config, Clock clock, MeterRegistry meters) {
        this.authenticator = authenticator;
        this.oidc = oidc;
        this.limiter = limiter;
        this.tokens = new IdentityToken(identity.secret());
        this.identityTtl = config.identityTtl();
        this.clock = clock;
        this.meters = meters;
    }

    /**
     * Admits or refuses a request. {@code oidcIdentity} is the OIDC layer's deferred identity; it is
     * subscribed (and the token verified) only when the bearer credential is a JWT.
     */
    public Uni<Admitted> admit(String method, String path, String authorization, String clientAddress,
                               Supplier<Uni<SecurityIdentity>> oidcIdentity) {
        Optional<Route> tokenRoute = RouteTable.resolve(method, path).filter(Route::tokenInPath);
        if (tokenRoute.isPresent()) {
            return Uni.createFrom().item(() -> tokenInPath(tokenRoute.get(), clientAddress));
        }
        return authenticator.authenticate(authorization, () -> oidcIdentity.get().flatMap(oidc::toCaller))
                .map(caller -> decide(method, path, caller));
    }

    /**
     * A route whose signed token in the path is the credential (OpenWOP {@code /v1/interrupts/{token}}): no API key or
     * bearer is asked for, and any sent is ignored (and not forwarded); the caller is rate-limited by its address.
     */
    private Admitted tokenInPath(Route route, String clientAddress) {
        RateLimiter.Decision limit = limiter.acquireAnonymous(clientAddress == null ? "unknown" : clientAddress);
        if (!limit.allowed()) {
            meters.counter("capstan.gateway.rate_limited", "scope", limit.scope()).increment();
            throw new RateLimitedException(limit);
        }
        return new Admitted(route, null, null);
    }

    private Admitted decide(String method, String path, Caller caller) {
        RateLimiter.Decision limit = limiter.acquire(caller.tenant(), caller.tenantLimit(), caller.keyId());
        if (!limit.allowed()) {
            meters.counter("capstan.gateway.rate_limited", "scope", limit.scope()).increment();
            throw new RateLimitedException(limit);
        }
        Optional<Route> found = RouteTable.resolve(method, path);
        if (found.isEmpty()) {
            if (RouteTable.knowsPath(path)) {
                throw new ApiException(ErrorCode.METHOD_NOT_ALLOWED, "This method is not allowed on this path.");
            }
            throw new ApiException(ErrorCode.NOT_FOUND, "No resource exists at this path.");
        }
        Route route = found.get();
        if (!caller.scopes().containsAll(route.scopes())) {
            TreeSet<String> missing = new TreeSet<>(route.scopes());
            missing.removeAll(caller.scopes());
            meters.counter("capstan.gateway.forbidden", "route", route.template()).increment();
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("requiredScopes", new TreeSet<>(route.scopes()).stream().toList());
            details.put("missingScopes", missing.stream().toList());
            throw new ApiException(ErrorCode.FORBIDDEN, "The credentials lack the scope " + String.join(", ", missing) + ".", details);
        }
        String token = tokens.sign(new CallerIdentity(caller.tenant(), caller.principal(), caller.scopes(), caller.testMode(),
                clock.instant().plus(identityTtl)));
        return new Admitted(route, caller, token);
    }

    /** 429 {@code rate_limited} with the wait in {@code details.retryAfterMs} (and {@code Retry-After} in seconds). */
    public static final class RateLimitedException extends ApiException {
        private final long retryAfterMillis;

        RateLimitedException(RateLimiter.Decision decision) {
            super(ErrorCode.RATE_LIMITED, "Too many requests for this " + decision.scope() + "; retry later.",
                    Map.of("retryAfterMs", decision.retryAfterMillis(), "scope", decision.scope()));
            this.retryAfterMillis = decision.retryAfterMillis();
        }

        public long retryAfterSeconds() {
            return Math.max(1, (retryAfterMillis + 999) / 1000);
        }
    }
}
