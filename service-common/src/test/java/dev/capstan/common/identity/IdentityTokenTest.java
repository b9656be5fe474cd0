package dev.capstan.common.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

class IdentityTokenTest {

    private static final String SECRET = "a-test-secret-that-is-long-enough-0123";
    private static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");
    private final IdentityToken tokens = new IdentityToken(SECRET);
    private final CallerIdentity alice = new CallerIdentity("acme", "key:k1", Set.of("runs:read", "runs:create"), false, NOW.plusSeconds(60));

    @Test
    void aSignedTokenVerifiesToTheSameIdentity() {
        assertThat(tokens.verify(tokens.sign(alice), NOW)).contains(alice);
    }

    @Test
    void aTokenSignedWithAnotherSecretIsRefused() {
        String forged = new IdentityToken("another-secret-that-is-long-enough-999").sign(alice);
        assertThat(tokens.verify(forged, NOW)).isEmpty();
    }

    @Test
    void aTamperedPayloadIsRefused() {
        String token = tokens.sign(alice);
        String other = tokens.sign(new CallerIdentity("evil", "key:k1", Set.of("runs:read"), false, NOW.plusSeconds(60)));
        String spliced = other.substring(0, other.indexOf('.')) + token.substring(token.indexOf('.'));
        assertThat(tokens.verify(spliced, NOW)).isEmpty();
    }

    @Test
    void anExpiredTokenIsRefused() {
        assertThat(tokens.verify(tokens.sign(alice), NOW.plusSeconds(60))).isEmpty();
    }

    @Test
    void garbageIsRefusedWithoutAnException() {
        assertThat(tokens.verify("not-a-token", NOW)).isEmpty();
        assertThat(tokens.verify("a.b.c", NOW)).isEmpty();
        assertThat(tokens.verify("%%%.###", NOW)).isEmpty();
        assertThat(tokens.verify(null, NOW)).isEmpty();
    }
}
