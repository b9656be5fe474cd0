package dev.capstan.run.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * OpenWOP signed interrupt tokens: {@code base64url(payload) + "." + base64url(hmacSha256(secret, payload))}, the
 * payload being the JSON {@code {runId, nodeId, interruptId, expiresAt, intent}}. Plain logic, no clock of its own:
 * expiry is the caller's check, so a token can be told apart as forged (empty) or expired (verified, then compared).
 */
public final class InterruptTokens {

    /** What a token allows: {@code resolve} also allows inspecting; {@code inspect} only that. */
    public enum Intent {
        RESOLVE("resolve"), INSPECT("inspect");

        private final String wireName;

        Intent(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }

        public static Optional<Intent> parse(String value) {
            for (Intent intent : values()) {
                if (intent.wireName.equals(value)) {
                    return Optional.of(intent);
                }
            }
            return Optional.empty();
        }
    }

    /** The signed claims of a token. */
    public record Claims(String runId, String nodeId, String interruptId, Instant expiresAt, Intent intent) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();
    private static final int MIN_SECRET_LENGTH = 32;
    /** Far more than any real token; refuses oversized input before decoding it. */
    private static final int MAX_TOKEN_LENGTH = 4096;

    private final byte[] signingSecret;
    private final List<byte[]> verifyingSecrets;

    /**
     * @param secret   signs new tokens and verifies them
     * @param previous secrets of earlier rotations, accepted when verifying only
     */
    public InterruptTokens(String secret, List<String> previous) {
        this.signingSecret = checked(secret);
        List<byte[]> all = new ArrayList<>();
        all.add(signingSecret);
        previous.forEach(p -> all.add(checked(p)));
        this.verifyingSecrets = List.copyOf(all);
    }

    public String sign(Claims claims) {
        ObjectNode payload = JSON.createObjectNode();
        payload.put("runId", claims.runId());
        payload.put("nodeId", claims.nodeId());
        payload.put("interruptId", claims.interruptId());
        payload.put("expiresAt", claims.expiresAt().toString());
        payload.put("intent", claims.intent().wireName());
        byte[] json = payload.toString().getBytes(StandardCharsets.UTF_8);
        return B64.encodeToString(json) + "." + B64.encodeToString(mac(signingSecret, json));
    }

    /** The claims of a token this service signed (with any accepted secret); empty for anything else. */
    public Optional<Claims> verify(String token) {
        if (token == null || token.length() > MAX_TOKEN_LENGTH) {
            return Optional.empty();
        }
        int dot = token.indexOf('.');
        if (dot <= 0 || dot != token.lastIndexOf('.')) {
            return Optional.empty();
        }
        try {
            byte[] json = B64D.decode(token.substring(0, dot));
            byte[] signature = B64D.decode(token.substring(dot + 1));
            boolean valid = false;
            for (byte[] secret : verifyingSecrets) {
                // Every secret is tried, so the time taken does not tell which one matched.
                valid |= MessageDigest.isEqual(signature, mac(secret, json));
            }
            if (!valid) {
                return Optional.empty();
            }
            JsonNode payload = JSON.readTree(json);
            Optional<Intent> intent = Intent.parse(payload.path("intent").asText(""));
            String runId = payload.path("runId").asText("");
            String nodeId = payload.path("nodeId").asText("");
            String interruptId = payload.path("interruptId").asText("");
            if (intent.isEmpty() || runId.isEmpty() || nodeId.isEmpty() || interruptId.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(new Claims(runId, nodeId, interruptId, Instant.parse(payload.path("expiresAt").asText("")),
                    intent.get()));
        } catch (IllegalArgumentException | IOException | DateTimeParseException e) {
            // Not base64, not JSON or without a valid expiry: not a token this service issued.
            return Optional.empty();
        }
    }

    private static byte[] checked(String secret) {
        if (secret == null || secret.length() < MIN_SECRET_LENGTH) {
            throw new IllegalArgumentException("An interrupt token secret must have at least " + MIN_SECRET_LENGTH + " characters");
        }
        return secret.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] mac(byte[] secret, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    }
}
