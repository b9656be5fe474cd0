package dev.capstan.run.rest.compat;

import dev.capstan.common.identity.CallerIdentity;
import dev.capstan.run.service.compat.CompatException;
import jakarta.enterprise.context.RequestScoped;

/** The gateway-verified caller of a compatible-surface request, set by {@link CompatIdentityFilter}. */
@RequestScoped
public class CompatCaller {

    private CallerIdentity identity;

    void set(CallerIdentity identity) {
        this.identity = identity;
    }

    /** The caller holding {@code scope}; 403 in the surface's own shape otherwise. */
    public CallerIdentity require(String scope) {
        if (identity == null) {
            throw new CompatException(401, "Unauthorized", "urn:problem-type:unauthorized",
                    "This service accepts calls only through the Capstan gateway.");
        }
        if (!identity.hasScope(scope)) {
            throw new CompatException(403, "Forbidden", "urn:problem-type:forbidden", "The credentials lack the scope " + scope + ".");
        }
        return identity;
    }
}
