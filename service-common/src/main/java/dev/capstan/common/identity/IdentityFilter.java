package dev.capstan.common.identity;

import dev.capstan.common.error.ApiException;
import dev.capstan.common.error.ErrorCode;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.container.ContainerRequestContext;
import java.time.Clock;
import java.util.List;
import java.util.regex.Pattern;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Refuses any call to a protected path that does not carry a valid identity token from the gateway,
 * and records the verified identity in {@link CurrentCaller}.
 */
@ApplicationScoped
public class IdentityFilter {

    private final IdentityToken tokens;
    private final String protectedPrefix;
    private final List<Pattern> publicPaths;
    private final CurrentCaller caller;
    private final Clock clock = Clock.systemUTC();

    public IdentityFilter(IdentityConfig config, CurrentCaller caller) {
        this.tokens = new IdentityToken(config.secret());
        this.protectedPrefix = config.protectedPrefix();
        this.publicPaths = config.publicPaths().orElse(List.of()).stream().map(Pattern::compile).toList();
        this.caller = caller;
    }

    @ServerRequestFilter(preMatching = true)
    public void verify(ContainerRequestContext request) {
        String path = request.getUriInfo().getRequestUri().getRawPath();
        if (!path.startsWith(protectedPrefix) || publicPaths.stream().anyMatch(p -> p.matcher(path).matches())) {
            return;
        }
        CallerIdentity identity = tokens.verify(request.getHeaderString(IdentityToken.HEADER), clock.instant())
                .orElseThrow(() -> new ApiException(ErrorCode.UNAUTHENTICATED,
                        "This service accepts calls only through the Capstan gateway."));
        caller.set(identity);
    }
}
