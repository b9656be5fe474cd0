package dev.capstan.common.identity;

import dev.capstan.common.error.ApiException;
import dev.capstan.common.error.ErrorCode;
import jakarta.enterprise.context.RequestScoped;

/** The verified caller of the current request, set by {@link IdentityFilter}. */
@RequestScoped
public class CurrentCaller {

    private CallerIdentity identity;

    void set(CallerIdentity identity) {
        this.identity = identity;
    }

    /** The caller; a request without a verified identity never reaches code that asks. */
    public CallerIdentity get() {
        if (identity == null) {
            throw new ApiException(ErrorCode.UNAUTHENTICATED, "This service accepts calls only through the Capstan gateway.");
        }
        return identity;
    }

    public String tenant() {
        return get().tenant();
    }

    /** Fails with 403 {@code forbidden} unless the caller holds the scope. */
    public CallerIdentity require(String scope) {
        CallerIdentity caller = get();
        if (!caller.hasScope(scope)) {
            throw new ApiException(ErrorCode.FORBIDDEN, "The credentials lack the scope " + scope + ".",
                    java.util.Map.of("requiredScope", scope));
        }
        return caller;
    }
}
