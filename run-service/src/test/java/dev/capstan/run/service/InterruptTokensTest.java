package dev.capstan.run.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.run.service.InterruptTokens.Claims;
import dev.capstan.run.service.InterruptTokens.Intent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class InterruptTokensTest {

    private static final String SECRET = "current-secret-0123456789-0123456789";
    private static final String OLD = "previous-secret-0123456789-012345678";
    private static final Claims CLAIMS = new Claims("run_1", "gate", "int-1", Instant.parse("2030-01-01T00:00:00Z"), Intent.INSPECT);

    @Test
    void aSignedTokenCarriesTheOpenWopPayloadAndVerifiesToTheSameClaims() {
        InterruptTokens tokens = new InterruptTokens(SECRET, List.of());
        String token = tokens.sign(CLAIMS);
        String payload = new String(Base64.getUrlDecoder().decode(token.substring(0, token.indexOf('.'))), StandardCharsets.UTF_8);
        assertThat(payload).isEqualTo("{\"runId\":\"run_1\",\"nodeId\":\"gate\",\"interruptId\":\"int-1\","
                + "\"expiresAt\":\"2030-01-01T00:00:00Z\",\"intent\":\"inspect\"}");
        assertThat(tokens.verify(token)).contains(CLAIMS);
    }

    @Test
    void tokensOfAPreviousSecretStillVerifyAfterARotationButAreNeverSignedWithIt() {
        String old = new InterruptTokens(OLD, List.of()).sign(CLAIMS);
        InterruptTokens rotated = new InterruptTokens(SECRET, List.of(OLD));
        assertThat(rotated.verify(old)).contains(CLAIMS);
        assertThat(new InterruptTokens(SECRET, List.of()).verify(old)).isEmpty();
        assertThat(new InterruptTokens(OLD, List.of()).verify(rotated.sign(CLAIMS))).isEmpty();
    }

    @Test
    void anythingButAnIntactTokenOfOurOwnIsRefused() {
        InterruptTokens tokens = new InterruptTokens(SECRET, List.of());
        String token = tokens.sign(CLAIMS);
        String signature = token.substring(token.indexOf('.') + 1);
        String otherPayload = Base64.getUrlEncoder().withoutPadding().encodeToString(
                "{\"runId\":\"run_2\",\"nodeId\":\"gate\",\"interruptId\":\"int-1\",\"expiresAt\":\"2030-01-01T00:00:00Z\",\"intent\":\"resolve\"}"
                        .getBytes(StandardCharsets.UTF_8));
        for (String bad : List.of(otherPayload + "." + signature, token + "x", "x" + token, "", ".", "a.b", "a.b.c",
                token.replace('.', '!'), "x".repeat(5000))) {
            assertThat(tokens.verify(bad)).as(bad).isEmpty();
        }
        assertThat(tokens.verify(null)).isEmpty();
    }

    @Test
    void aShortSecretIsRefused() {
        assertThatThrownBy(() -> new InterruptTokens("short", List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new InterruptTokens(SECRET, List.of("short"))).isInstanceOf(IllegalArgumentException.class);
    }
}
