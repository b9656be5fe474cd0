package dev.capstan.gateway.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import dev.capstan.devstack.PostgresServer;
import dev.capstan.devstack.testing.ErrorEnvelopeAssertions;
import dev.capstan.devstack.testing.PostgresTestResource;
import dev.capstan.gateway.support.Admin;
import dev.capstan.gateway.support.ServicesResource;
import dev.capstan.gateway.support.TestIssuers;
import dev.capstan.gateway.support.TwoTenants;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Webhook and registry paths through the gateway to the real webhook-service and registry-service. */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@WithTestResource(ServicesResource.class)
@WithTestResource(TestIssuers.class)
class WebhookAndRegistryRoutingTest {

    @ConfigProperty(name = "capstan.test.services", defaultValue = "not configured")
    String services;

    @ConfigProperty(name = "capstan.test.registry-jdbc-url", defaultValue = "none")
    String registryJdbcUrl;

    @BeforeEach
    void servicesRunning() {
        Assumptions.assumeTrue("started".equals(services), "services " + services);
    }

    private static Response subscribe(String credential) {
        return given().header("Authorization", "Bearer " + credential).contentType("application/json")
                .body(Map.of("url", "https://hooks.example.com/" + UUID.randomUUID(), "events", List.of("run.completed")))
                .when().post("/v1/webhooks");
    }

    @Test
    void webhooksAreTheTenantsOwnAndNeedWebhooksManage() {
        // A key and a token of tenant A subscribe; the service discloses the secret once.
        String byKey = subscribe(TwoTenants.keyA()).then().statusCode(201).body("secret", startsWith("whsec_"))
                .extract().path("webhookId");
        String byToken = subscribe(TestIssuers.token(TestIssuers.SHARED, "alice", "tenant-a", "webhooks:manage"))
                .then().statusCode(201).extract().path("webhookId");

        // Tenant B cannot remove them, by key or token.
        for (String credential : List.of(TwoTenants.keyB(), TwoTenants.token("tenant-b"))) {
            for (String webhook : List.of(byKey, byToken)) {
                ErrorEnvelopeAssertions.assertEnvelope(given().header("Authorization", "Bearer " + credential)
                        .when().delete("/v1/webhooks/" + webhook), 404, "subscription_not_found");
            }
        }
        // Without webhooks:manage the gateway refuses before the service sees the call.
        String noManage = Admin.key("tenant-a", TwoTenants.ALL.stream().filter(s -> !s.equals("webhooks:manage")).toList(), null).get("key");
        ErrorEnvelopeAssertions.assertEnvelope(subscribe(noManage), 403, "forbidden")
                .body("details.missingScopes", equalTo(List.of("webhooks:manage")));
        ErrorEnvelopeAssertions.assertEnvelope(given().header("Authorization", "Bearer " + noManage)
                .when().delete("/v1/webhooks/" + byKey), 403, "forbidden");
        // The service's own validation reaches the client in the envelope.
        ErrorEnvelopeAssertions.assertEnvelope(given().header("Authorization", "Bearer " + TwoTenants.keyA()).contentType("application/json")
                .body(Map.of("url", "http://127.0.0.1/hook", "events", List.of("run.completed"))).when().post("/v1/webhooks"),
                400, "webhook_url_rejected");

        // Tenant A removes both; a second removal is 404.
        for (String webhook : List.of(byKey, byToken)) {
            given().header("Authorization", "Bearer " + TwoTenants.keyA()).when().delete("/v1/webhooks/" + webhook).then().statusCode(204);
            given().header("Authorization", "Bearer " + TwoTenants.keyA()).when().delete("/v1/webhooks/" + webhook).then().statusCode(404);
        }
    }

    @Test
    void packReadsReachTheRegistryForAnyAuthenticatedCallerAndWritesNeedTheirScopes() throws Exception {
        String pack = "pack-" + UUID.randomUUID().toString().substring(0, 8);
        try (Connection c = DriverManager.getConnection(registryJdbcUrl, PostgresServer.USER, PostgresServer.PASSWORD);
             PreparedStatement insert = c.prepareStatement("INSERT INTO pack_versions (name, version, tarball_sha256, manifest, tarball, publisher)"
                     + " VALUES (?, '1.0.0', ?, '{}'::jsonb, '\\x00'::bytea, 'test')")) {
            insert.setString(1, pack);
            insert.setString(2, "sha-" + pack);
            assertThat(insert.executeUpdate()).isEqualTo(1);
        }
        // Reads need only an authenticated caller, of either tenant, by key or token.
        String auditOnly = Admin.key("tenant-b", List.of("audit:read"), null).get("key");
        for (String credential : List.of(auditOnly, TwoTenants.token("tenant-a"),
                TestIssuers.token(TestIssuers.TENANT_B, "bob", null, null))) {
            given().header("Authorization", "Bearer " + credential).when().get("/v1/packs/" + pack)
                    .then().statusCode(200).body("name", equalTo(pack)).body("versions[0].version", equalTo("1.0.0"));
        }
        ErrorEnvelopeAssertions.assertEnvelope(given().header("Authorization", "Bearer " + auditOnly)
                .when().get("/v1/packs/no-such-pack"), 404, "not_found");
        ErrorEnvelopeAssertions.assertEnvelope(given().when().get("/v1/packs/" + pack), 401, "unauthenticated");

        // Publishing and yanking need packs:publish / packs:yank / packs:yank-revert, checked by the gateway.
        Map<String, String[]> writes = Map.of(
                "packs:publish", new String[] {"PUT", "/v1/packs/" + pack + "/-/" + pack + "-1.0.1.tgz"},
                "packs:yank", new String[] {"POST", "/v1/packs/" + pack + "/-/1.0.0/yank"},
                "packs:yank-revert", new String[] {"DELETE", "/v1/packs/" + pack + "/-/1.0.0/yank"});
        for (var write : writes.entrySet()) {
            String lacking = Admin.key("tenant-a", TwoTenants.ALL.stream().filter(s -> !s.equals(write.getKey())).toList(), null).get("key");
            ErrorEnvelopeAssertions.assertEnvelope(given().header("Authorization", "Bearer " + lacking)
                    .when().request(write.getValue()[0], write.getValue()[1]), 403, "forbidden")
                    .body("details.missingScopes", equalTo(List.of(write.getKey())));
            // With the scope the call reaches registry-service (which does not serve writes yet: its own 404/405).
            int status = given().header("Authorization", "Bearer " + TwoTenants.keyA())
                    .when().request(write.getValue()[0], write.getValue()[1]).then().extract().statusCode();
            assertThat(status).as(write.getKey()).isIn(404, 405);
        }
        // The pack is unchanged: no write went through.
        given().header("Authorization", "Bearer " + auditOnly).when().get("/v1/packs/" + pack)
                .then().statusCode(200).body("versions.size()", equalTo(1)).body("versions[0].yanked", equalTo(false));
    }
}
