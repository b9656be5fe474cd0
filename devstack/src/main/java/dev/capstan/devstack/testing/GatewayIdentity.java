package dev.capstan.devstack.testing;

import dev.capstan.common.identity.CallerIdentity;
import dev.capstan.common.identity.IdentityToken;
import java.time.Instant;
import java.util.Set;
import org.eclipse.microprofile.config.ConfigProvider;

/** Mints the identity token the gateway would forward, so a service can be tested on its own. */
public final class GatewayIdentity {

    private GatewayIdentity() {
    }

    /** A valid token for {@code tenant} holding {@code scopes}, signed with the application's configured secret. */
    public static String token(String tenant, String... scopes) {
        return sign(tenant, false, scopes);
    }

    /** The same for a test-mode key ({@code hk_test_…}). */
    public static String testModeToken(String tenant, String... scopes) {
        return sign(tenant, true, scopes);
    }

    private static String sign(String tenant, boolean testMode, String... scopes) {
        String secret = ConfigProvider.getConfig().getValue("capstan.identity.secret", String.class);
        return new IdentityToken(secret).sign(new CallerIdentity(tenant, "key:test-" + tenant, Set.of(scopes), testMode,
                Instant.now().plusSeconds(300)));
    }
}
