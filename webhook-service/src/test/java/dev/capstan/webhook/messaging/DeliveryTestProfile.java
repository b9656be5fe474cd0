package dev.capstan.webhook.messaging;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/**
 * Delivery tests post to a receiver on loopback over plain http, so private targets are allowed (registration
 * and delivery); the circuit stays open 2 s instead of an hour, and 6 failures mark a subscription failed.
 */
public class DeliveryTestProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "capstan.webhook.allow-private-targets", "true",
                "capstan.webhook.breaker.open-duration", "2s",
                "capstan.webhook.breaker.failure-limit", "6");
    }
}
