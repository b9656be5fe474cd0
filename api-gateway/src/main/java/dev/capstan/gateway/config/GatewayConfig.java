package dev.capstan.gateway.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.Optional;
import java.util.Set;

/** Gateway settings. */
@ConfigMapping(prefix = "capstan.gateway")
public interface GatewayConfig {

    Bootstrap bootstrap();

    /** How long clients may cache the discovery document. */
    @WithDefault("300")
    int discoveryMaxAgeSeconds();

    /** A tenant and API key created at start-up if missing: the local platform's demo tenant. */
    interface Bootstrap {
        Optional<String> tenant();

        /** The full key ({@code hk_...} or {@code hk_test_...}); only its hash is stored. */
        Optional<String> apiKey();

        @WithDefault("manifest:read,runs:create,runs:read,runs:cancel,artifacts:read,webhooks:manage,approvals:respond,packs:publish,packs:yank,packs:yank-revert,audit:read,workspace:read,workspace:write")
        Set<String> scopes();
    }
}
