package dev.capstan.common.identity;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How a service checks the identity the gateway forwards. */
@ConfigMapping(prefix = "capstan.identity")
public interface IdentityConfig {

    /** The secret shared with the gateway that signs identity tokens (32+ characters). */
    String secret();

    /** Paths under this prefix require a verified identity; health, metrics and OpenAPI stay open. */
    @WithDefault("/v1/")
    String protectedPrefix();
}
