package dev.capstan.common.identity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The short-lived token the gateway signs for each call it forwards, so that a service trusts the
 * tenant, principal and scopes without seeing the client's credential:
 * {@code base64url(json) + "." + base64url(hmacSha256(secret, base64url(json)))}.
 */
public final class IdentityToken {

    public static final String HEADER = "X-Capstan-Identity";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();

    private final byte[] secret;

    public IdentityToken(String secret) {
        if (secret == null || secret.length() < 32) {
            throw new IllegalArgumentException("The identity secret must have at least 32 characters");
        }
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
    }

    public String sign(CallerIdentity identity) {
        ObjectNode body = JSON.createObjectNode();
        body.put("tenant", identity.tenant());
        body.put("principal", identity.principal());
        ArrayNode scopes = body.putArray("scopes");
        identity.scopes().stream().sorted().forEach(scopes::add);
        body.put("test", identity.testMode());
        body.put("exp", identity.expiresAt().getEpochSecond());
        String payload = B64.encodeToString(body.toString().getBytes(StandardCharsets.UTF_8));
        return payload + "." + B64.encodeToString(mac(payload));
    }

    /** The identity in the token, if its signature holds and it has not expired at {@code now}. */
    public Optional<CallerIdentity> verify(String token, Instant now) {
        if (token == null) {
            return Optional.empty();
        }
        int dot = token.indexOf('.');
        if (dot <= 0 || dot != token.lastIndexOf('.')) {
            return Optional.empty();
        }
        String payload = token.substring(0, dot);
        try {
            byte[] signature = B64D.decode(token.substring(dot + 1));
            if (!MessageDigest.isEqual(signature, mac(payload))) {
                return Optional.empty();
            }
            JsonNode body = JSON.readTree(B64D.decode(payload));
            Instant expiresAt = Instant.ofEpochSecond(body.path("exp").asLong(0));
            if (!expiresAt.isAfter(now)) {
                return Optional.empty();
            }
            Set<String> scopes = new HashSet<>();
            body.path("scopes").forEach(scope -> scopes.add(scope.asText()));
            return Optional.of(new CallerIdentity(body.path("tenant").asText(null), body.path("principal").asText(null),
                    scopes, body.path("test").asBoolean(false), expiresAt));
        } catch (IllegalArgumentException | IOException e) {
            // Not base64, not JSON, or missing tenant/principal: not a token we issued.
            return Optional.empty();
        }
    }

    private byte[] mac(String payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return mac.doFinal(payload.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}
