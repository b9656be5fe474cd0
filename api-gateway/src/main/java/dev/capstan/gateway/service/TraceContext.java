package dev.capstan.gateway.service;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.UUID;
import java.util.regex.Pattern;

/** The correlation id and W3C {@code traceparent} the gateway puts on every forwarded request. */
public final class TraceContext {

    private static final Pattern CORRELATION_ID = Pattern.compile("[A-Za-z0-9._-]{1,128}");
    private static final Pattern TRACEPARENT = Pattern.compile("00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})");
    private static final SecureRandom RANDOM = new SecureRandom();

    private TraceContext() {
    }

    /** The client's correlation id when it is a plain token, otherwise a new one. */
    public static String correlationId(String fromClient) {
        return fromClient != null && CORRELATION_ID.matcher(fromClient).matches() ? fromClient : UUID.randomUUID().toString();
    }

    /**
     * A traceparent for the forwarded call: the client's trace continued with the gateway's own span id,
     * or a new sampled trace when the client sent none (or a malformed one).
     */
    public static String childTraceparent(String fromClient) {
        if (fromClient != null) {
            var m = TRACEPARENT.matcher(fromClient.trim());
            if (m.matches() && !m.group(1).equals("0".repeat(32)) && !m.group(2).equals("0".repeat(16))) {
                return "00-" + m.group(1) + "-" + hex(8) + "-" + m.group(3);
            }
        }
        return "00-" + hex(16) + "-" + hex(8) + "-01";
    }

    private static String hex(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
