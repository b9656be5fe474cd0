package dev.capstan.gateway.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import dev.capstan.common.identity.CallerIdentity;
import dev.capstan.common.identity.IdentityToken;
import dev.capstan.devstack.testing.ErrorEnvelopeAssertions;
import dev.capstan.devstack.testing.PostgresTestResource;
import dev.capstan.gateway.support.ServicesResource;
import dev.capstan.gateway.support.TestIssuers;
import dev.capstan.gateway.support.TwoTenants;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code /v1/interrupts/{token}} through the gateway to the real run-service: no API key or bearer is needed (the
 * token is the credential), whatever credential or identity a client sends is not passed on, and the route is still
 * rate-limited, per client address.
 */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@WithTestResource(ServicesResource.class)
@WithTestResource(TestIssuers.class)
class InterruptTokenThroughGatewayTest {

    private static final String APPROVAL = "{\"id\":\"%s\",\"name\":\"approval\",\"version\":\"1.0\",\"nodes\":[{\"id\":\"gate\","
            + "\"typeId\":\"core.approvalGate\",\"name\":\"Gate\",\"position\":{\"x\":0,\"y\":0},\"config\":{\"title\":\"Ship it?\","
            + "\"actions\":[\"accept\",\"reject\"]},\"inputs\":{}}],\"edges\":[],\"triggers\":[],\"variables\":[],\"metadata\":{},"
            + "\"settings\":{}}";

    @ConfigProperty(name = "capstan.test.services", defaultValue = "not configured")
    String services;

    @BeforeEach
    void servicesRunning() {
        Assumptions.assumeTrue("started".equals(services), "services " + services);
    }

    private static String waitingRun(String keyA) {
        String workflowId = "wf-token-" + UUID.randomUUID();
        given().header("Authorization", "Bearer " + keyA).contentType("application/json").body(APPROVAL.formatted(workflowId))
                .when().post("/v1/workflows").then().statusCode(201);
        return TwoTenants.run(keyA, workflowId);
    }

    private static String mint(String keyA, String runId, String intent) {
        return given().header("Authorization", "Bearer " + keyA).contentType("application/json").body(Map.of("intent", intent))
                .when().post("/v1/runs/" + runId + "/interrupts/gate/tokens")
                .then().statusCode(201).body("url", org.hamcrest.Matchers.startsWith("/v1/interrupts/")).extract().path("token");
    }

    @Test
    void aTokenInspectsAndResolvesItsInterruptWithoutAnyOtherCredential() {
        String keyA = TwoTenants.keyA();
        String runId = waitingRun(keyA);
        String inspectOnly = mint(keyA, runId, "inspect");
        String token = mint(keyA, runId, "resolve");

        given().when().get("/v1/interrupts/" + inspectOnly).then().statusCode(200)
                .body("kind", equalTo("approval")).body("data.title", equalTo("Ship it?"));
        ErrorEnvelopeAssertions.assertEnvelope(given().contentType("application/json")
                .body(Map.of("resumeValue", Map.of("action", "accept"))).when().post("/v1/interrupts/" + inspectOnly), 403, "forbidden");

        // Tenant B's key and a forged identity ride along: neither is forwarded, and neither is needed.
        String forged = new IdentityToken(ServicesResource.IDENTITY_SECRET).sign(new CallerIdentity("tenant-b", "forger",
                Set.copyOf(TwoTenants.ALL), false, Instant.now().plusSeconds(60)));
        Response resolved = given().header("Authorization", "Bearer " + TwoTenants.keyB()).header(IdentityToken.HEADER, forged)
                .contentType("application/json").body(Map.of("resumeValue", Map.of("action", "accept")))
                .when().post("/v1/interrupts/" + token);
        resolved.then().statusCode(200).body("runId", equalTo(runId)).body("nodeId", equalTo("gate"));
        assertThat(resolved.header("X-Correlation-Id")).isNotBlank();

        given().header("Authorization", "Bearer " + keyA).when().get("/v1/runs/" + runId)
                .then().statusCode(200).body("status", equalTo("completed"));
        given().header("Authorization", "Bearer " + keyA).queryParam("timeout", 0).when().get("/v1/runs/" + runId + "/events/poll")
                .then().statusCode(200).body("events.payload.resolvedBy", hasItem("signed-token"));
        ErrorEnvelopeAssertions.assertEnvelope(given().contentType("application/json")
                .body(Map.of("resumeValue", Map.of("action", "accept"))).when().post("/v1/interrupts/" + token), 409,
                "interrupt_already_resolved");
    }

    @Test
    void aMadeUpTokenIsRefusedByTheServiceAndOtherMethodsStillNeedCredentials() {
        ErrorEnvelopeAssertions.assertEnvelope(given().when().get("/v1/interrupts/not-a-token"), 401, "unauthenticated");
        ErrorEnvelopeAssertions.assertEnvelope(given().contentType("application/json").body(Map.of("resumeValue", 1))
                .when().post("/v1/interrupts/eyJydW5JZCI6InIifQ.c2lnbmF0dXJl"), 401, "unauthenticated");
        // Only GET and POST take the token as credential; any other method is refused before routing.
        ErrorEnvelopeAssertions.assertEnvelope(given().when().delete("/v1/interrupts/whatever"), 401, "unauthenticated");
        // Minting needs approvals:respond.
        String readOnly = dev.capstan.gateway.support.Admin.key("tenant-a", List.of("runs:read"), null).get("key");
        ErrorEnvelopeAssertions.assertEnvelope(given().header("Authorization", "Bearer " + readOnly).contentType("application/json")
                .body("{}").when().post("/v1/runs/r1/interrupts/gate/tokens"), 403, "forbidden")
                .body("details.missingScopes", equalTo(List.of("approvals:respond")));
    }

    @Test
    void unauthenticatedTokenCallsAreRateLimitedPerClientAddress() {
        // The test profile gives each address 50 calls and (practically) no refill; this address is the test's own.
        String address = "203.0.113.7";
        Response refused = null;
        for (int i = 0; i < 60 && refused == null; i++) {
            Response r = given().header("X-Forwarded-For", address).when().get("/v1/interrupts/not-a-token");
            if (r.statusCode() == 429) {
                refused = r;
            } else {
                assertThat(r.statusCode()).isEqualTo(401);
            }
        }
        assertThat(refused).as("the 51st call from one address").isNotNull();
        ErrorEnvelopeAssertions.assertEnvelope(refused, 429, "rate_limited").body("details.scope", equalTo("client"));
        assertThat(refused.header("Retry-After")).isNotBlank();
        // Another address is not affected.
        given().header("X-Forwarded-For", "198.51.100.9").when().get("/v1/interrupts/not-a-token").then().statusCode(401);
    }
}
