package dev.capstan.gateway.rest;

import dev.capstan.common.error.ApiException;
import dev.capstan.common.error.ErrorCode;
import dev.capstan.gateway.config.GatewayConfig;
import dev.capstan.gateway.service.Authenticator;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.container.ContainerRequestContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/** Opens {@code /admin/} only to the configured admin credential, compared in constant time. */
@ApplicationScoped
public class AdminAuthFilter {

    private final Optional<byte[]> token;

    public AdminAuthFilter(GatewayConfig config) {
        this.token = config.admin().token().filter(t -> !t.isBlank()).map(t -> t.getBytes(StandardCharsets.UTF_8));
    }

    @ServerRequestFilter(preMatching = true)
    public void check(ContainerRequestContext request) {
        if (!request.getUriInfo().getRequestUri().getRawPath().startsWith("/admin/")) {
            return;
        }
        String presented = Authenticator.bearer(request.getHeaderString("Authorization"));
        if (token.isEmpty() || presented == null
                || !MessageDigest.isEqual(token.get(), presented.getBytes(StandardCharsets.UTF_8))) {
            throw new ApiException(ErrorCode.UNAUTHENTICATED, "The admin API needs the admin credential.");
        }
    }
}
