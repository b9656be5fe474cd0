package dev.capstan.gateway.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.capstan.common.openwop.ConformanceFixtures;
import dev.capstan.gateway.config.GatewayConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The OpenWOP discovery document. It advertises only what the platform implements now: a capability
 * family is added here in the same change that makes it work, never before.
 */
@ApplicationScoped
public class DiscoveryService {

    public record Document(byte[] json, String etag, int maxAgeSeconds) {
    }

    private final Document document;

    public DiscoveryService(ObjectMapper json, GatewayConfig config) throws JsonProcessingException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("protocolVersion", "1.0");
        body.put("supportedEnvelopes", List.of());
        body.put("schemaVersions", Map.of());
        Map<String, Object> limits = new LinkedHashMap<>();
        limits.put("clarificationRounds", 0);
        limits.put("schemaRounds", 0);
        limits.put("envelopesPerTurn", 0);
        // Enforced by the gateway's proxy (413 payload_too_large).
        limits.put("maxRequestBodyBytes", config.proxy().maxRequestBodyBytes());
        body.put("limits", limits);
        body.put("implementation", Map.of("name", "capstan", "version", implementationVersion(), "vendor", "Capstan"));
        body.put("supportedTransports", List.of("rest"));
        // Run-service keeps Idempotency-Key records in its single PostgreSQL database.
        body.put("idempotency", Map.of("crossRegion", "single-region"));
        // Run-service serves :pause/:resume with both drain policies and bulk cancel of up to 100 runs.
        body.put("runs", Map.of(
                "pauseResume", Map.of("supported", true, "drainPolicies", List.of("immediate", "drain-current-node")),
                "bulkCancel", Map.of("supported", true, "maxRunIds", 100)));
        // The gateway issues test-mode keys (hk_test_...) and forwards test mode to the services.
        body.put("testing", Map.of("testKeyPrefix", ApiKeyService.TEST_PREFIX));
        // run-service forks runs (POST /v1/runs/{id}:fork); a replay reuses the source's recorded node outcomes.
        body.put("replay", Map.of("supported", true, "modes", List.of("replay", "branch"),
                "sideEffectSuppression", "recorded-outcome"));
        // webhook-service delivers signed run events (scheme v1), best effort: one attempt, circuit breaker, no retry.
        body.put("webhooks", Map.of("supported", true, "signatureAlgorithms", List.of("v1"), "durable", false));
        // run-service starts core.subWorkflow children and seeds them through inputMapping.
        body.put("subWorkflow", Map.of("inputMapping", true));
        if (config.advertiseFixtures()) {
            body.put("fixtures", ConformanceFixtures.ids());
        }
        byte[] bytes = json.writeValueAsBytes(body);
        this.document = new Document(bytes, "\"" + sha256(bytes).substring(0, 32) + "\"", config.discoveryMaxAgeSeconds());
    }

    public Document document() {
        return document;
    }

    private static String implementationVersion() {
        String version = DiscoveryService.class.getPackage().getImplementationVersion();
        return version == null ? "dev" : version;
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
