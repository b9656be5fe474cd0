package dev.capstan.run.rest.compat;

import dev.capstan.common.identity.CallerIdentity;
import dev.capstan.common.identity.IdentityConfig;
import dev.capstan.common.identity.IdentityToken;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * The shared {@code IdentityFilter} protects only {@code /v1/}; this one requires the gateway's identity on the
 * compatible surfaces ({@code /api/v1/workflows…}, {@code /workflows…}, {@code /config}) as well, and refuses in
 * each surface's own error shape. Other paths are left exactly as they were.
 */
public class CompatIdentityFilter {

    private final IdentityToken tokens;
    private final CompatCaller caller;
    private final Clock clock = Clock.systemUTC();

    public CompatIdentityFilter(IdentityConfig config, CompatCaller caller) {
        this.tokens = new IdentityToken(config.secret());
        this.caller = caller;
    }

    /** Which surface a path belongs to, if any. */
    enum Surface { OPERATIVUS, AGENTOS }

    static Optional<Surface> surface(String path) {
        if (path.equals("/api/v1/workflows") || path.startsWith("/api/v1/workflows/")) {
            return Optional.of(Surface.OPERATIVUS);
        }
        if (path.equals("/workflows") || path.startsWith("/workflows/") || path.equals("/config")) {
            return Optional.of(Surface.AGENTOS);
        }
        return Optional.empty();
    }

    @ServerRequestFilter(preMatching = true)
    public Response verify(ContainerRequestContext request) {
        Optional<Surface> surface = surface(request.getUriInfo().getRequestUri().getRawPath());
        if (surface.isEmpty()) {
            return null;
        }
        Optional<CallerIdentity> identity = tokens.verify(request.getHeaderString(IdentityToken.HEADER), clock.instant());
        if (identity.isPresent()) {
            caller.set(identity.get());
            return null;
        }
        String detail = "This service accepts calls only through the Capstan gateway.";
        return surface.get() == Surface.OPERATIVUS
                ? OperativusErrors.problem(401, "Unauthorized", "urn:problem-type:unauthorized", detail)
                : Response.status(401).type(MediaType.APPLICATION_JSON_TYPE).entity(Map.of("detail", detail)).build();
    }
}
