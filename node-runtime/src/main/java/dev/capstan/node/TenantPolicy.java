package dev.capstan.node;

import java.util.Optional;

/**
 * A tenant's execution policy from a store (the executor's {@code tenant_policy} table), when it has one. An
 * empty value leaves the decision to {@link NodeRuntimeSettings}; a present one decides for that tenant. An
 * install-wide {@code allowPrivateTargets} in the settings still allows private targets for everyone.
 */
public record TenantPolicy(Optional<Boolean> allowExec, Optional<Boolean> allowPrivateTargets) {

    public static final TenantPolicy NONE = new TenantPolicy(Optional.empty(), Optional.empty());

    public TenantPolicy {
        allowExec = allowExec == null ? Optional.empty() : allowExec;
        allowPrivateTargets = allowPrivateTargets == null ? Optional.empty() : allowPrivateTargets;
    }

    /** Whether HTTP and LLM nodes of the tenant may reach loopback, private and metadata addresses. */
    public boolean privateTargetsAllowed(NodeRuntimeSettings.Http settings, String tenantId) {
        return settings.allowPrivateTargets()
                || allowPrivateTargets.orElseGet(() -> settings.privateTargetTenants().map(l -> l.contains(tenantId)).orElse(false));
    }

    /** Whether the tenant's policy allows shell nodes (the run must allow them too). */
    public boolean execAllowed(NodeRuntimeSettings.Shell settings, String tenantId) {
        return allowExec.orElseGet(() -> settings.allowExecTenants().map(l -> l.contains(tenantId)).orElse(false));
    }
}
