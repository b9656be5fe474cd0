package dev.capstan.common.identity;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.List;
import java.util.Optional;

/** How a service checks the identity the gateway forwards. */
@ConfigMapping(prefix = "capstan.identity")
public interface IdentityConfig {

    /** The secret shared with the gateway that signs identity tokens (32+ characters). */
    String secret();

    /** Paths under this prefix require a verified identity; health, metrics and OpenAPI stay open. */
    @WithDefault("/v1/")
    String protectedPrefix();

    /**
     * Paths under the prefix that carry their own credential instead (regular expressions matched against the whole raw
     * path), e.g. run-service's signed interrupt tokens {@code /v1/interrupts/[^/]+}. None by default.
     */
    Optional<List<String>> publicPaths();
}
