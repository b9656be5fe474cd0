package dev.capstan.webhook.service;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * OpenWOP webhook signature scheme {@code v1}: {@code sha256=} + hex HMAC-SHA256 keyed with the subscription's
 * secret over {@code "{timestamp}.{rawBody}"}, where timestamp is the {@code X-openwop-Timestamp} value.
 */
public final class WebhookSignature {

    public static final String ALGORITHM = "v1";

    private WebhookSignature() {
    }

    public static String sign(String secret, long timestampSeconds, byte[] rawBody) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((timestampSeconds + ".").getBytes(StandardCharsets.US_ASCII));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(rawBody));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }
}
