package dev.capstan.gateway.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import dev.capstan.devstack.testing.ErrorEnvelopeAssertions;
import dev.capstan.devstack.testing.PostgresTestResource;
import dev.capstan.gateway.support.Admin;
import dev.capstan.gateway.support.ServicesResource;
import dev.capstan.gateway.support.TestIssuers;
import dev.capstan.gateway.support.TwoTenants;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * OIDC issuers registered and removed through the admin API, verified against the local issuer
 * (quarkus-test-oidc-server): trusted from registration, bound to their tenant, scopes from their own
 * role mapping, refused again once removed.
 */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@WithTestResource(ServicesResource.class)
@WithTestResource(TestIssuers.class)
class OidcIssuerAdminTest {

    @ConfigProperty(name = "keycloak.url", defaultValue = "none")
    String keycloakUrl;

    @ConfigProperty(name = "capstan.test.services", defaultValue = "not configured")
    String services;

    @BeforeEach
    void servicesRunning() {
        Assumptions.assumeTrue("started".equals(services), "services " + services);
    }

    private Map<String, Object> issuer(String iss, String tenant, Map<String, List<String>> roles) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("issuer", iss);
        body.put("authServerUrl", keycloakUrl + "/realms/quarkus");
        if (tenant != null) {
            body.put("tenant", tenant);
        }
        body.put("roleScopes", roles);
        return body;
    }

    @Test
    void anIssuerRegisteredForATenantIsTrustedUntilRemoved() {
        String iss = "https://idp-" + UUID.randomUUID() + ".example.com";
        String workflowA = TwoTenants.workflow(TwoTenants.keyA(), "wf-idp-a-" + UUID.randomUUID());
        String workflowB = TwoTenants.workflow(TwoTenants.keyB(), "wf-idp-b-" + UUID.randomUUID());
        String token = TestIssuers.token(iss, "alice", null, null, "acme-readers");

        // Before registration the issuer is not trusted.
        ErrorEnvelopeAssertions.assertEnvelope(given().header("Authorization", "Bearer " + token)
                .when().get("/v1/workflows/" + workflowA), 401, "unauthenticated");

        String id = Admin.admin().body(issuer(iss, "tenant-a", Map.of("acme-readers", List.of("manifest:read"))))
                .when().post("/admin/v1/oidc-issuers")
                .then().statusCode(201).body("id", startsWith("iss_")).body("tenant", equalTo("tenant-a"))
                .body("source", equalTo("admin")).extract().path("id");
        Admin.admin().when().get("/admin/v1/oidc-issuers").then().statusCode(200).body("issuers.issuer", hasItem(iss))
                .body("issuers.issuer", hasItem(TestIssuers.SHARED));

        // Trusted now: tenant A's workflow, by the role the issuer maps to manifest:read; tenant B's is 404.
        given().header("Authorization", "Bearer " + token).when().get("/v1/workflows/" + workflowA)
                .then().statusCode(200).body("id", equalTo(workflowA));
        ErrorEnvelopeAssertions.assertEnvelope(given().header("Authorization", "Bearer " + token)
                .when().get("/v1/workflows/" + workflowB), 404, "not_found");
        // The mapping grants only what it says; a token naming another tenant is refused.
        ErrorEnvelopeAssertions.assertEnvelope(given().header("Authorization", "Bearer " + token)
                .when().get("/v1/runs"), 403, "forbidden");
        ErrorEnvelopeAssertions.assertEnvelope(given().header("Authorization", "Bearer "
                + TestIssuers.token(iss, "alice", "tenant-b", "manifest:read")).when().get("/v1/workflows/" + workflowB), 403, "forbidden");

        // Removed: refused again, at once.
        Admin.admin().when().delete("/admin/v1/oidc-issuers/" + id).then().statusCode(204);
        ErrorEnvelopeAssertions.assertEnvelope(given().header("Authorization", "Bearer " + token)
                .when().get("/v1/workflows/" + workflowA), 401, "unauthenticated");
        Admin.admin().when().get("/admin/v1/oidc-issuers").then().body("issuers.issuer", not(hasItem(iss)));
        ErrorEnvelopeAssertions.assertEnvelope(Admin.admin().when().delete("/admin/v1/oidc-issuers/" + id), 404, "not_found");
    }

    @Test
    void anIssuerWithATenantClaimServesTheTenantsItsTokensName() {
        String iss = "https://shared-idp-" + UUID.randomUUID() + ".example.com";
        String workflowB = TwoTenants.workflow(TwoTenants.keyB(), "wf-idp-claim-" + UUID.randomUUID());
        Map<String, Object> body = issuer(iss, null, Map.of());
        body.put("tenantClaim", "org");
        String id = Admin.admin().body(body).when().post("/admin/v1/oidc-issuers")
                .then().statusCode(201).body("tenantClaim", equalTo("org")).extract().path("id");
        String forB = io.smallrye.jwt.build.Jwt.issuer(iss).subject("bob").claim("org", "tenant-b").claim("scope", "manifest:read")
                .expiresAt(java.time.Instant.now().plusSeconds(300)).jws().keyId("1").sign("privateKey.jwk");
        String forA = io.smallrye.jwt.build.Jwt.issuer(iss).subject("bob").claim("org", "tenant-a").claim("scope", "manifest:read")
                .expiresAt(java.time.Instant.now().plusSeconds(300)).jws().keyId("1").sign("privateKey.jwk");
        given().header("Authorization", "Bearer " + forB).when().get("/v1/workflows/" + workflowB).then().statusCode(200);
        ErrorEnvelopeAssertions.assertEnvelope(given().header("Authorization", "Bearer " + forA)
                .when().get("/v1/workflows/" + workflowB), 404, "not_found");
        Admin.admin().when().delete("/admin/v1/oidc-issuers/" + id).then().statusCode(204);
    }

    @Test
    void invalidDuplicateAndConfiguredIssuersAreRefused() {
        ErrorEnvelopeAssertions.assertEnvelope(Admin.admin().body(Map.of("issuer", "not a url")).when().post("/admin/v1/oidc-issuers"),
                400, "validation_error");
        ErrorEnvelopeAssertions.assertEnvelope(Admin.admin().body(issuer("https://x.example.com", null, Map.of("r", List.of("runs:everything"))))
                .when().post("/admin/v1/oidc-issuers"), 400, "validation_error");
        ErrorEnvelopeAssertions.assertEnvelope(Admin.admin().body(issuer("https://y.example.com", "no-such-tenant", Map.of()))
                .when().post("/admin/v1/oidc-issuers"), 404, "not_found");
        ErrorEnvelopeAssertions.assertEnvelope(Admin.admin().body(issuer(TestIssuers.SHARED, null, Map.of()))
                .when().post("/admin/v1/oidc-issuers"), 409, "conflict");
        String iss = "https://dup-" + UUID.randomUUID() + ".example.com";
        String id = Admin.admin().body(issuer(iss, "tenant-a", Map.of())).when().post("/admin/v1/oidc-issuers")
                .then().statusCode(201).extract().path("id");
        ErrorEnvelopeAssertions.assertEnvelope(Admin.admin().body(issuer(iss, "tenant-b", Map.of()))
                .when().post("/admin/v1/oidc-issuers"), 409, "conflict");
        Admin.admin().when().delete("/admin/v1/oidc-issuers/" + id).then().statusCode(204);
        ErrorEnvelopeAssertions.assertEnvelope(given().contentType("application/json").body(issuer(iss, null, Map.of()))
                .when().post("/admin/v1/oidc-issuers"), 401, "unauthenticated");
    }
}
