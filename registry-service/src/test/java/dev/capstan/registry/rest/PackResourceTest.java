package dev.capstan.registry.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import dev.capstan.common.identity.IdentityToken;
import dev.capstan.devstack.testing.ErrorEnvelopeAssertions;
import dev.capstan.devstack.testing.GatewayIdentity;
import dev.capstan.devstack.testing.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
class PackResourceTest {

    @ConfigProperty(name = "quarkus.datasource.jdbc.url")
    String jdbcUrl;

    @Test
    void readinessReportsTheRealDatabaseUp() {
        given().when().get("/q/health/ready")
                .then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem("Reactive PostgreSQL connections health check"));
    }

    @Test
    void aPublishedPackIsListedWithItsVersionsInPublicationOrder() throws Exception {
        try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", "postgres");
             PreparedStatement insert = c.prepareStatement("INSERT INTO pack_versions (name, version, tarball_sha256, manifest, tarball, publisher, published_at, yanked) "
                     + "VALUES ('community.demo', ?, ?, '{}'::jsonb, '\\x00'::bytea, 'tenant-a', now() + (? || ' seconds')::interval, ?)")) {
            insert.setString(1, "1.0.0");
            insert.setString(2, "sha256-aaa");
            insert.setString(3, "0");
            insert.setBoolean(4, true);
            insert.executeUpdate();
            insert.setString(1, "1.1.0");
            insert.setString(2, "sha256-bbb");
            insert.setString(3, "1");
            insert.setBoolean(4, false);
            insert.executeUpdate();
        }
        given().header(IdentityToken.HEADER, GatewayIdentity.token("tenant-b", "manifest:read"))
                .when().get("/v1/packs/community.demo")
                .then().statusCode(200)
                .body("name", equalTo("community.demo"))
                .body("versions.version", contains("1.0.0", "1.1.0"))
                .body("versions.integrity", contains("sha256-aaa", "sha256-bbb"))
                .body("versions.yanked", contains(true, false));
    }

    @Test
    void malformedRequestsGetTheErrorEnvelope() {
        String id = GatewayIdentity.token("tenant-a", "manifest:read");
        ErrorEnvelopeAssertions.assertEnvelope(given().header(IdentityToken.HEADER, id)
                .when().get("/v1/packs/community.missing"), 404, "not_found");
        ErrorEnvelopeAssertions.assertEnvelope(given().header(IdentityToken.HEADER, id).contentType("application/json")
                .body("{").when().post("/v1/packs/community.demo"), 405, "method_not_allowed");
        ErrorEnvelopeAssertions.assertEnvelope(given().when().get("/v1/packs/community.demo"), 401, "unauthenticated");
        ErrorEnvelopeAssertions.assertEnvelope(given().when().get("/nothing/here"), 404, "not_found");
    }
}
