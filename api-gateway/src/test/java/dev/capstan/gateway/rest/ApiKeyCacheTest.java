package dev.capstan.gateway.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.devstack.testing.ErrorEnvelopeAssertions;
import dev.capstan.devstack.testing.PostgresTestResource;
import dev.capstan.gateway.support.Admin;
import dev.capstan.gateway.support.ServicesResource;
import dev.capstan.gateway.support.TestIssuers;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * The key lookup cache: a request with a recently used key does not read the database, so a change
 * written behind the gateway's back (as another replica's admin API would) shows only after the TTL,
 * while a revocation through this replica's admin API applies at once.
 */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@WithTestResource(ServicesResource.class)
@WithTestResource(TestIssuers.class)
class ApiKeyCacheTest {

    @ConfigProperty(name = "quarkus.datasource.jdbc.url")
    String jdbcUrl;

    @ConfigProperty(name = "capstan.gateway.auth.key-cache-ttl")
    Duration ttl;

    private int status(String key) {
        return given().header("Authorization", "Bearer " + key).when().get("/v1/workflows/cache-probe").then().extract().statusCode();
    }

    @Test
    void aRevocationByAnotherReplicaIsSeenWithinTheTtlAndNotBefore() throws Exception {
        Admin.tenant("tenant-cache", null);
        Map<String, String> key = Admin.key("tenant-cache", List.of("manifest:read"), null);
        assertThat(status(key.get("key"))).as("admitted, the service answers").isEqualTo(404);

        long revokedAt = System.nanoTime();
        try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", "postgres");
             PreparedStatement revoke = c.prepareStatement("UPDATE api_keys SET revoked_at = now() WHERE id = ?")) {
            revoke.setString(1, key.get("id"));
            assertThat(revoke.executeUpdate()).isEqualTo(1);
        }
        // Served from the cache: the database already says revoked.
        assertThat(status(key.get("key"))).as("still admitted from the cache").isEqualTo(404);

        long deadline = revokedAt + ttl.toNanos() + Duration.ofSeconds(5).toNanos();
        int seen = 404;
        while (seen != 401 && System.nanoTime() < deadline) {
            Thread.sleep(200);
            seen = status(key.get("key"));
        }
        assertThat(seen).as("refused once the cached entry expired").isEqualTo(401);
        ErrorEnvelopeAssertions.assertEnvelope(given().header("Authorization", "Bearer " + key.get("key"))
                .when().get("/v1/workflows/cache-probe"), 401, "key_revoked");
    }

    @Test
    void aRevocationThroughThisReplicasAdminApiAppliesAtOnce() {
        Admin.tenant("tenant-cache", null);
        Map<String, String> key = Admin.key("tenant-cache", List.of("manifest:read"), null);
        assertThat(status(key.get("key"))).isEqualTo(404);
        assertThat(status(key.get("key"))).isEqualTo(404);
        Admin.admin().when().delete("/admin/v1/keys/" + key.get("id")).then().statusCode(200);
        ErrorEnvelopeAssertions.assertEnvelope(given().header("Authorization", "Bearer " + key.get("key"))
                .when().get("/v1/workflows/cache-probe"), 401, "key_revoked");
    }

    @Test
    void aTenantsNewRateLimitThroughTheAdminApiAppliesAtOnceToItsCachedKeys() {
        Admin.tenant("tenant-cache-limit", null);
        String key = Admin.key("tenant-cache-limit", List.of("manifest:read"), null).get("key");
        assertThat(status(key)).isEqualTo(404);
        Admin.admin().body(Map.of("rateLimit", Map.of("capacity", 1, "refillPerSecond", 0.001)))
                .when().patch("/admin/v1/tenants/tenant-cache-limit").then().statusCode(200);
        assertThat(status(key)).isEqualTo(404);
        assertThat(status(key)).as("the new limit of 1 holds at once").isEqualTo(429);
    }
}
