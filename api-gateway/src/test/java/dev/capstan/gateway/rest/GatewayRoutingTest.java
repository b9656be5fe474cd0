package dev.capstan.gateway.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;

import dev.capstan.common.identity.CallerIdentity;
import dev.capstan.common.identity.IdentityToken;
import dev.capstan.devstack.testing.ErrorEnvelopeAssertions;
import dev.capstan.devstack.testing.PostgresTestResource;
import dev.capstan.gateway.service.RouteTable;
import dev.capstan.gateway.service.RouteTable.Route;
import dev.capstan.gateway.support.Admin;
import dev.capstan.gateway.support.ServicesResource;
import dev.capstan.gateway.support.TestIssuers;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Through the gateway against the real run-service, with two tenants, API keys and OIDC tokens. */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@WithTestResource(ServicesResource.class)
@WithTestResource(TestIssuers.class)
class GatewayRoutingTest {

    private static final List<String> ALL = List.of("manifest:read", "runs:create", "runs:read", "runs:cancel",
            "artifacts:read", "webhooks:manage", "approvals:respond", "packs:publish", "packs:yank",
            "packs:yank-revert", "audit:read", "workspace:read", "workspace:write");

    @ConfigProperty(name = "capstan.test.services", defaultValue = "not configured")
    String runService;

    private static String keyA;
    private static String keyB;

    @BeforeEach
    void tenantsAndKeys() {
        org.junit.jupiter.api.Assumptions.assumeTrue("started".equals(runService), "services " + runService);
        if (keyA == null) {
            Admin.tenant("tenant-a", null);
            Admin.tenant("tenant-b", null);
            keyA = Admin.key("tenant-a", ALL, null).get("key");
            keyB = Admin.key("tenant-b", ALL, null).get("key");
        }
    }

    private static String register(String key, String workflowId) {
        given().header("Authorization", "Bearer " + key).contentType("application/json")
                .body("{\"id\":\"" + workflowId + "\",\"name\":\"" + workflowId + "\",\"version\":\"1.0\",\"nodes\":[{\"id\":\"n\","
                        + "\"typeId\":\"core.noop\",\"name\":\"N\",\"position\":{\"x\":0,\"y\":0},\"config\":{},\"inputs\":{}}],"
                        + "\"edges\":[],\"triggers\":[],\"variables\":[],\"metadata\":{},\"settings\":{}}")
                .when().post("/v1/workflows")
                .then().statusCode(201).body("workflowId", equalTo(workflowId));
        return workflowId;
    }

    @Test
    void aTenantNeverSeesAnotherTenantsWorkflowWithKeysOrTokens() {
        String workflow = register(keyA, "wf-" + UUID.randomUUID());
        given().header("Authorization", "Bearer " + keyA).when().get("/v1/workflows/" + workflow)
                .then().statusCode(200).body("id", equalTo(workflow));
        ErrorEnvelopeAssertions.assertEnvelope(given().header("Authorization", "Bearer " + keyB)
                .when().get("/v1/workflows/" + workflow), 404, "not_found");

        String tokenA = TestIssuers.token(TestIssuers.SHARED, "alice", "tenant-a", "manifest:read workspace:write");
        String tokenB = TestIssuers.token(TestIssuers.TENANT_B, "bob", null, "manifest:read");
        given().header("Authorization", "Bearer " + tokenA).when().get("/v1/workflows/" + workflow)
                .then().statusCode(200).body("id", equalTo(workflow));
        ErrorEnvelopeAssertions.assertEnvelope(given().header("Authorization", "Bearer " + tokenB)
                .when().get("/v1/workflows/" + workflow), 404, "not_found");
        // A tenant's workflow registered by its OIDC user is its own too.
        String byToken = register(tokenA, "wf-oidc-" + UUID.randomUUID());
        given().header("Authorization", "Bearer " + keyA).when().get("/v1/workflows/" + byToken).then().statusCode(200);
        given().header("Authorization", "Bearer " + keyB).when().get("/v1/workflows/" + byToken).then().statusCode(404);
    }

    @Test
    void aTenantNeverSeesAnotherTenantsRunOnAnyRunRoute() {
        String workflow = register(keyA, "wf-run-" + UUID.randomUUID());
        String runId = given().header("Authorization", "Bearer " + keyA).contentType("application/json")
                .body(Map.of("workflowId", workflow, "inputs", Map.of()))
                .when().post("/v1/runs")
                .then().statusCode(201).extract().path("runId");
        given().header("Authorization", "Bearer " + keyA).when().get("/v1/runs/" + runId)
                .then().statusCode(200).body("runId", equalTo(runId));

        String b = "Bearer " + keyB;
        ErrorEnvelopeAssertions.assertEnvelope(given().header("Authorization", b).when().get("/v1/runs/" + runId), 404, "not_found");
        ErrorEnvelopeAssertions.assertEnvelope(given().header("Authorization", b).when().get("/v1/runs/" + runId + "/events/poll"),
                404, "not_found");
        ErrorEnvelopeAssertions.assertEnvelope(given().header("Authorization", b).accept("text/event-stream")
                .when().get("/v1/runs/" + runId + "/events"), 404, "not_found");
        for (String action : List.of("/cancel", ":pause", ":resume", "/interrupts/n")) {
            ErrorEnvelopeAssertions.assertEnvelope(given().header("Authorization", b).contentType("application/json")
                    .body(Map.of("resumeValue", Map.of("action", "accept")))
                    .when().post("/v1/runs/" + runId + action), 404, "not_found");
        }
        given().header("Authorization", b).when().get("/v1/runs")
                .then().statusCode(200).body("runs.runId", org.hamcrest.Matchers.not(org.hamcrest.Matchers.hasItem(runId)));
        given().header("Authorization", b).contentType("application/json").body(Map.of("runIds", List.of(runId)))
                .when().post("/v1/runs:bulk-cancel")
                .then().statusCode(200).body("results[0].ok", equalTo(false)).body("results[0].error.code", equalTo("not_found"));
        // Tenant A's own cancel still works.
        given().header("Authorization", "Bearer " + keyA).contentType("application/json").body("{}")
                .when().post("/v1/runs/" + runId + "/cancel")
                .then().statusCode(200).body("status", equalTo("cancelled"));
    }

    @Test
    void anIdentityHeaderSentByTheClientIsReplacedByTheGatewaysOwn() {
        String workflow = register(keyA, "wf-" + UUID.randomUUID());
        String forged = new IdentityToken(ServicesResource.IDENTITY_SECRET).sign(new CallerIdentity("tenant-a", "forger",
                Set.copyOf(ALL), false, Instant.now().plusSeconds(60)));
        given().header("Authorization", "Bearer " + keyB).header(IdentityToken.HEADER, forged)
                .when().get("/v1/workflows/" + workflow).then().statusCode(404);
    }

    @Test
    void everyRouteRefusesAKeyOrTokenLackingExactlyOneOfItsScopes() {
        Map<String, String> keysLacking = new java.util.HashMap<>();
        int checked = 0;
        for (Route route : RouteTable.routes()) {
            String path = route.template().replaceAll("\\{[^}]+}", "x1");
            for (String scope : route.scopes()) {
                List<String> allBut = ALL.stream().filter(s -> !s.equals(scope)).toList();
                String key = keysLacking.computeIfAbsent(scope, s -> Admin.key("tenant-a", allBut, null).get("key"));
                String token = TestIssuers.token(TestIssuers.SHARED, "frank", "tenant-a", String.join(" ", allBut));
                for (String credential : List.of(key, token)) {
                    Response refused = given().urlEncodingEnabled(false).header("Authorization", "Bearer " + credential)
                            .contentType("application/json").body("{}").when().request(route.method(), path);
                    ErrorEnvelopeAssertions.assertEnvelope(refused, 403, "forbidden")
                            .body("details.missingScopes", equalTo(List.of(scope)))
                            .body("details.requiredScopes", equalTo(new TreeSet<>(route.scopes()).stream().toList()));
                    checked++;
                }
            }
        }
        assertThat(checked).isGreaterThan(100);
    }

    @Test
    void everyRouteAdmitsACallerWithExactlyItsScopesAndReachesTheRealService() {
        String auditOnly = Admin.key("tenant-a", List.of("audit:read"), null).get("key");
        Map<Set<String>, String> keysByScopes = new java.util.HashMap<>();
        for (Route route : RouteTable.routes()) {
            String path = route.template().replaceAll("\\{[^}]+}", "x1");
            String exact = route.scopes().isEmpty() ? auditOnly
                    : keysByScopes.computeIfAbsent(route.scopes(), scopes -> Admin.key("tenant-a", List.copyOf(scopes), null).get("key"));
            Response admitted = given().urlEncodingEnabled(false).header("Authorization", "Bearer " + exact)
                    .contentType("application/json").body("{}").when().request(route.method(), path);
            if (route.tokenInPath()) {
                // The gateway admits anyone there; the made-up token is the service's to refuse (InterruptTokenThroughGatewayTest).
                ErrorEnvelopeAssertions.assertEnvelope(admitted, 401, "unauthenticated")
                        .body("message", org.hamcrest.Matchers.containsString("interrupt token"));
                continue;
            }
            // Whatever the service makes of the made-up ids, it answered: no refusal by the gateway, no 5xx other
            // than a service's own 501 for a compatible-surface endpoint it declares unserved.
            assertThat(admitted.statusCode()).as(route.method() + " " + route.template()).isNotIn(401, 403, 429, 500, 502, 503, 504);
            assertThat(admitted.header("X-Correlation-Id")).isNotBlank();
        }
    }

    @Test
    void missingUnknownRevokedAndExpiredCredentialsGetTheirCodes() {
        ErrorEnvelopeAssertions.assertEnvelope(given().when().get("/v1/workflows/x"), 401, "unauthenticated");
        ErrorEnvelopeAssertions.assertEnvelope(given().header("Authorization", "Basic abc").when().get("/v1/workflows/x"), 401, "unauthenticated");
        ErrorEnvelopeAssertions.assertEnvelope(given().header("Authorization", "Bearer hk_" + "0".repeat(64))
                .when().get("/v1/workflows/x"), 401, "unauthenticated");
        ErrorEnvelopeAssertions.assertEnvelope(given().header("Authorization", "Bearer not-a-key")
                .when().get("/v1/workflows/x"), 401, "unauthenticated");

        Map<String, String> revoked = Admin.key("tenant-a", ALL, null);
        given().header("Authorization", "Bearer " + revoked.get("key")).when().get("/v1/workflows/x").then().statusCode(404);
        Admin.admin().when().delete("/admin/v1/keys/" + revoked.get("id")).then().statusCode(200).body("revokedAt", notNullValue());
        ErrorEnvelopeAssertions.assertEnvelope(given().header("Authorization", "Bearer " + revoked.get("key"))
                .when().get("/v1/workflows/x"), 401, "key_revoked");

        Map<String, String> expired = Admin.key("tenant-a", ALL, OffsetDateTime.now().minusMinutes(1).toString());
        ErrorEnvelopeAssertions.assertEnvelope(given().header("Authorization", "Bearer " + expired.get("key"))
                .when().get("/v1/workflows/x"), 401, "key_expired");

        // Expiry set later through the admin API, and lifted again.
        Map<String, String> later = Admin.key("tenant-a", ALL, null);
        Admin.admin().body(Map.of("expiresAt", OffsetDateTime.now().minusSeconds(1).toString()))
                .when().patch("/admin/v1/keys/" + later.get("id")).then().statusCode(200);
        ErrorEnvelopeAssertions.assertEnvelope(given().header("Authorization", "Bearer " + later.get("key"))
                .when().get("/v1/workflows/x"), 401, "key_expired");
        Admin.admin().body("{\"expiresAt\":null}").when().patch("/admin/v1/keys/" + later.get("id")).then().statusCode(200);
        given().header("Authorization", "Bearer " + later.get("key")).when().get("/v1/workflows/x").then().statusCode(404);
    }

    @Test
    void rotationIssuesAWorkingKeyAndRevokesTheOldOne() {
        Map<String, String> old = Admin.key("tenant-a", List.of("manifest:read"), null);
        var rotated = Admin.admin().body("{}").when().post("/admin/v1/keys/" + old.get("id") + "/rotate")
                .then().statusCode(201).body("replaces", equalTo(old.get("id"))).body("scopes", hasItem("manifest:read"))
                .extract().jsonPath();
        ErrorEnvelopeAssertions.assertEnvelope(given().header("Authorization", "Bearer " + old.get("key"))
                .when().get("/v1/workflows/x"), 401, "key_revoked");
        given().header("Authorization", "Bearer " + rotated.getString("key")).when().get("/v1/workflows/x").then().statusCode(404);
    }

    @Test
    void oidcTokensAreVerifiedAndBoundToTheirTenant() {
        String path = "/v1/workflows/" + register(keyB, "wf-" + UUID.randomUUID());
        // The tenant-b issuer serves only tenant-b: its tokens need no tenant claim, and may not name another.
        given().header("Authorization", "Bearer " + TestIssuers.token(TestIssuers.TENANT_B, "bob", null, "manifest:read"))
                .when().get(path).then().statusCode(200);
        ErrorEnvelopeAssertions.assertEnvelope(given().header("Authorization", "Bearer "
                + TestIssuers.token(TestIssuers.TENANT_B, "bob", "tenant-a", "manifest:read")).when().get(path), 403, "forbidden");
        // The shared issuer names the tenant in a claim: missing or unknown tenant is 403.
        ErrorEnvelopeAssertions.assertEnvelope(given().header("Authorization", "Bearer "
                + TestIssuers.token(TestIssuers.SHARED, "carol", null, "manifest:read")).when().get(path), 403, "forbidden");
        ErrorEnvelopeAssertions.assertEnvelope(given().header("Authorization", "Bearer "
                + TestIssuers.token(TestIssuers.SHARED, "carol", "no-such-tenant", "manifest:read")).when().get(path), 403, "forbidden");
        // Roles map to scopes; a token without the scope is 403.
        given().header("Authorization", "Bearer " + TestIssuers.token(TestIssuers.SHARED, "dave", "tenant-b", null, "workflow-reader"))
                .when().get(path).then().statusCode(200);
        ErrorEnvelopeAssertions.assertEnvelope(given().header("Authorization", "Bearer "
                + TestIssuers.token(TestIssuers.SHARED, "erin", "tenant-b", "runs:read")).when().get(path), 403, "forbidden");
        // Expired, untrusted or tampered tokens are 401.
        ErrorEnvelopeAssertions.assertEnvelope(given().header("Authorization", "Bearer "
                + TestIssuers.expiredToken("tenant-b", "manifest:read")).when().get(path), 401, "unauthenticated");
        ErrorEnvelopeAssertions.assertEnvelope(given().header("Authorization", "Bearer "
                + TestIssuers.token(TestIssuers.UNTRUSTED, "mallory", "tenant-b", "manifest:read")).when().get(path), 401, "unauthenticated");
        String token = TestIssuers.token(TestIssuers.TENANT_B, "bob", null, "manifest:read");
        String tampered = token.substring(0, token.length() - 4) + (token.endsWith("AAAA") ? "BBBB" : "AAAA");
        ErrorEnvelopeAssertions.assertEnvelope(given().header("Authorization", "Bearer " + tampered).when().get(path), 401, "unauthenticated");
    }

    @Test
    void aBurstOverTheTenantsLimitGets429WithRetryAfter() {
        Admin.tenant("tenant-burst", Map.of("capacity", 3, "refillPerSecond", 0.001));
        String key = Admin.key("tenant-burst", List.of("manifest:read"), null).get("key");
        for (int i = 0; i < 3; i++) {
            given().header("Authorization", "Bearer " + key).when().get("/v1/workflows/x").then().statusCode(404);
        }
        ErrorEnvelopeAssertions.assertEnvelope(given().header("Authorization", "Bearer " + key).when().get("/v1/workflows/x"), 429, "rate_limited")
                .header("Retry-After", notNullValue())
                .body("details.retryAfterMs", greaterThan(0))
                .body("details.scope", equalTo("tenant"));
        // Another tenant is not affected.
        given().header("Authorization", "Bearer " + keyB).when().get("/v1/workflows/x").then().statusCode(404);
    }

    @Test
    void unknownPathsUnversionedRootsAndOversizedBodiesAreRefusedInTheEnvelope() {
        ErrorEnvelopeAssertions.assertEnvelope(given().header("Authorization", "Bearer " + keyA).when().get("/v1/no-such-thing"), 404, "not_found");
        ErrorEnvelopeAssertions.assertEnvelope(given().when().get("/v1/no-such-thing"), 401, "unauthenticated");
        ErrorEnvelopeAssertions.assertEnvelope(given().header("Authorization", "Bearer " + keyA).when().patch("/v1/workflows/x"), 405, "method_not_allowed");
        ErrorEnvelopeAssertions.assertEnvelope(given().header("Authorization", "Bearer " + keyA).when().get("/runs/x"), 400, "validation_error");
        ErrorEnvelopeAssertions.assertEnvelope(given().header("Authorization", "Bearer " + keyA).contentType("application/json")
                .body("{\"pad\":\"" + "x".repeat(1_100_000) + "\"}").when().post("/v1/workflows"), 413, "payload_too_large");
    }

    @Test
    void everyAnswerCarriesTheCorrelationId() {
        given().header("Authorization", "Bearer " + keyA).header("X-Correlation-Id", "corr-123")
                .when().get("/v1/workflows/x").then().statusCode(404).header("X-Correlation-Id", equalTo("corr-123"));
        given().when().get("/v1/workflows/x").then().statusCode(401).header("X-Correlation-Id", notNullValue());
    }

    @Test
    void theAdminApiNeedsTheAdminCredential() {
        ErrorEnvelopeAssertions.assertEnvelope(given().contentType("application/json").body("{\"id\":\"sneaky\"}")
                .when().post("/admin/v1/tenants"), 401, "unauthenticated");
        ErrorEnvelopeAssertions.assertEnvelope(given().header("Authorization", "Bearer " + keyA).contentType("application/json")
                .body("{\"id\":\"sneaky\"}").when().post("/admin/v1/tenants"), 401, "unauthenticated");
        ErrorEnvelopeAssertions.assertEnvelope(Admin.admin().body(Map.of("tenant", "tenant-a", "scopes", List.of("runs:everything")))
                .when().post("/admin/v1/keys"), 400, "validation_error");
        Admin.admin().when().get("/admin/v1/tenants/tenant-a/keys").then().statusCode(200)
                .body("keys[0].prefix", startsWith("hk_")).body("keys[0].key", equalTo(null));
    }
}
