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
        String secret = ConfigProvider.getConfig().getValue("capstan.identity.secret", String.class);
        return new IdentityToken(secret).sign(new CallerIdentity(tenant, "key:test-" + tenant, Set.of(scopes), false,
                Instant.now().plusSeconds(300)));
    }
}
