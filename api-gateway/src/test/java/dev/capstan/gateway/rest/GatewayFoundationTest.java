package dev.capstan.gateway.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;

import dev.capstan.devstack.testing.ErrorEnvelopeAssertions;
import dev.capstan.devstack.testing.PostgresTestResource;
import dev.capstan.gateway.service.ApiKeyService;
import io.quarkus.test.common.WithTestResource;
import dev.capstan.gateway.support.ServicesResource;
import dev.capstan.gateway.support.TestIssuers;
import io.quarkus.test.junit.QuarkusTest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@WithTestResource(ServicesResource.class)
@WithTestResource(TestIssuers.class)
class GatewayFoundationTest {

    @ConfigProperty(name = "quarkus.datasource.jdbc.url")
    String jdbcUrl;

    @ConfigProperty(name = "capstan.gateway.bootstrap.api-key")
    String bootstrapKey;

    @Test
    void readinessReportsTheRealDatabaseUp() {
        given().when().get("/q/health/ready")
                .then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem("Reactive PostgreSQL connections health check"));
    }

    @Test
    void theBootstrapKeyIsStoredOnlyAsItsHashAndBoundToTheDemoTenant() throws Exception {
        try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", "postgres");
             Statement s = c.createStatement();
             ResultSet rows = s.executeQuery("SELECT tenant_id, key_hash, key_prefix, test_mode, scopes::text FROM api_keys WHERE tenant_id = 'demo'")) {
            assertThat(rows.next()).isTrue();
            assertThat(rows.getString("tenant_id")).isEqualTo("demo");
            assertThat(rows.getString("key_hash")).isEqualTo(ApiKeyService.hash(bootstrapKey)).doesNotContain(bootstrapKey);
            assertThat(bootstrapKey).startsWith(rows.getString("key_prefix")).isNotEqualTo(rows.getString("key_prefix"));
            assertThat(rows.getBoolean("test_mode")).isTrue();
            assertThat(rows.getString(5)).contains("runs:create");
            assertThat(rows.next()).as("one key, even after restarts of the bootstrap").isFalse();
        }
    }

    @Test
    void discoveryIsCacheableAndRevalidatesWithItsEtag() {
        String etag = given().when().get("/.well-known/openwop")
                .then().statusCode(200)
                .header("Cache-Control", "public, max-age=300")
                .header("ETag", notNullValue())
                .body("protocolVersion", equalTo("1.0"))
                .body("fixtures", org.hamcrest.Matchers.hasItems("conformance-noop", "conformance-approval", "conformance-idempotent"))
                .body("implementation.name", equalTo("capstan"))
                .extract().header("ETag");
        given().header("If-None-Match", etag).when().get("/.well-known/openwop")
                .then().statusCode(304);
        given().header("If-None-Match", "\"stale\"").when().get("/.well-known/openwop")
                .then().statusCode(200);
    }

    @Test
    void malformedRequestsGetTheErrorEnvelope() {
        ErrorEnvelopeAssertions.assertEnvelope(given().contentType("application/json").body("{")
                .when().post("/.well-known/openwop"), 405, "method_not_allowed");
        ErrorEnvelopeAssertions.assertEnvelope(given().when().get("/no/such/route"), 404, "not_found");
        ErrorEnvelopeAssertions.assertEnvelope(given().accept("text/csv").when().get("/.well-known/openwop"), 406, "not_acceptable");
    }
}
