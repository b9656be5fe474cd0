package dev.capstan.gateway.service;

import java.util.Set;

/** The OpenWOP v1 scopes. None implies another. */
public final class Scopes {

    public static final Set<String> ALL = Set.of("manifest:read", "runs:create", "runs:read", "runs:cancel",
            "artifacts:read", "webhooks:manage", "approvals:respond", "packs:publish", "packs:yank",
            "packs:yank-revert", "audit:read", "workspace:read", "workspace:write");

    private Scopes() {
    }
}
