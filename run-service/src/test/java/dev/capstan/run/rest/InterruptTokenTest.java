package dev.capstan.run.rest;

import static dev.capstan.run.testing.RunsClient.caller;
import static dev.capstan.run.testing.RunsClient.eventsUntil;
import static dev.capstan.run.testing.RunsClient.eventsUntilComplete;
import static dev.capstan.run.testing.RunsClient.register;
import static dev.capstan.run.testing.RunsClient.start;
import static dev.capstan.run.testing.RunsClient.types;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.capstan.common.identity.IdentityToken;
import dev.capstan.devstack.testing.ErrorEnvelopeAssertions;
import dev.capstan.run.service.InterruptTokens;
import dev.capstan.run.service.InterruptTokens.Claims;
import dev.capstan.run.service.InterruptTokens.Intent;
import dev.capstan.run.testing.WithTestExecutor;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * The signed-token surface {@code /v1/interrupts/{token}}: the token alone (no gateway identity) inspects and resolves
 * the interrupt it was minted for, and is refused once expired, tampered with, used up or outlived by its run.
 */
@QuarkusTest
class InterruptTokenTest extends WithTestExecutor {

    private static final String TENANT = "tenant-tokens";

    @ConfigProperty(name = "capstan.run.interrupt-tokens.secret")
    String secret;

    private static Response mint(String tenant, String runId, String nodeId, Map<String, Object> body) {
        return given().header(IdentityToken.HEADER, caller(tenant)).contentType("application/json").body(body)
                .when().post("/v1/runs/" + runId + "/interrupts/" + nodeId + "/tokens");
    }

    private static String token(String runId, String intent) {
        return mint(TENANT, runId, "gate", Map.of("intent", intent)).then().statusCode(201)
                .body("intent", equalTo(intent)).body("runId", equalTo(runId)).body("nodeId", equalTo("gate"))
                .extract().path("token");
    }

    /** No identity header: the token is the only credential. */
    private static Response resolveWith(String token, Object resumeValue) {
        return given().contentType("application/json").body(Map.of("resumeValue", resumeValue))
                .when().post("/v1/interrupts/" + token);
    }

    private static Response inspectWith(String token) {
        return given().when().get("/v1/interrupts/" + token);
    }

    private static String waitingApproval() throws Exception {
        register(TENANT, "conformance-approval");
        String runId = start(TENANT, "conformance-approval", Map.of());
        eventsUntil(TENANT, runId, "node.suspended");
        return runId;
    }

    @Test
    void resolvingThroughATokenContinuesTheRunToCompletionAndUsesTheTokenUp() throws Exception {
        String runId = waitingApproval();
        Response minted = mint(TENANT, runId, "gate", Map.of());
        minted.then().statusCode(201).body("intent", equalTo("resolve"));
        String token = minted.path("token");
        assertThat((String) minted.path("url")).isEqualTo("/v1/interrupts/" + token);
        Instant expiresAt = Instant.parse(minted.path("expiresAt"));
        assertThat(expiresAt).isAfter(Instant.now()).isBefore(Instant.now().plusSeconds(31 * 60));

        resolveWith(token, Map.of("action", "accept")).then().statusCode(200)
                .body("runId", equalTo(runId)).body("nodeId", equalTo("gate"));

        List<Map<String, Object>> events = eventsUntilComplete(TENANT, runId);
        assertThat(types(events)).contains("interrupt.resolved").endsWith("run.completed");
        Map<String, Object> resolved = events.stream().filter(e -> "interrupt.resolved".equals(e.get("type"))).findFirst().orElseThrow();
        @SuppressWarnings("unchecked")
        Map<String, Object> payload = (Map<String, Object>) resolved.get("payload");
        assertThat(payload).containsEntry("resolvedBy", "signed-token");

        ErrorEnvelopeAssertions.assertEnvelope(resolveWith(token, Map.of("action", "accept")), 409, "interrupt_already_resolved");
        ErrorEnvelopeAssertions.assertEnvelope(inspectWith(token), 409, "interrupt_already_resolved");
    }

    @Test
    void inspectingReturnsTheInterruptPayloadAndAnInspectOnlyTokenCannotResolve() throws Exception {
        String runId = waitingApproval();
        String inspectOnly = token(runId, "inspect");
        String resolving = token(runId, "resolve");

        for (String token : List.of(inspectOnly, resolving)) {
            Response inspected = inspectWith(token);
            inspected.then().statusCode(200).body("kind", equalTo("approval"))
                    .body("key", equalTo(runId + ":gate:1")).body("data.title", equalTo("Conformance approval"));
            Map<String, Object> body = inspected.jsonPath().getMap("$");
            assertThat(body.keySet()).as("InterruptPayload is closed").isSubsetOf("kind", "key", "resumeSchema", "timeoutMs", "data");
        }

        ErrorEnvelopeAssertions.assertEnvelope(resolveWith(inspectOnly, Map.of("action", "accept")), 403, "forbidden");
        ErrorEnvelopeAssertions.assertEnvelope(resolveWith(resolving, Map.of("action", "maybe")), 400, "validation_error");
        given().header(IdentityToken.HEADER, caller(TENANT)).when().get("/v1/runs/" + runId)
                .then().statusCode(200).body("status", equalTo("waiting-approval"));
        resolveWith(resolving, Map.of("action", "reject")).then().statusCode(200);
        assertThat(types(eventsUntilComplete(TENANT, runId))).endsWith("run.failed");
    }

    @Test
    void anExpiredTokenIsGoneAndTheTokenNeverOutlivesWhatWasAsked() throws Exception {
        String runId = waitingApproval();
        String interruptId = (String) eventsUntil(TENANT, runId, "node.suspended").stream()
                .filter(e -> "node.suspended".equals(e.get("type"))).map(e -> ((Map<?, ?>) e.get("payload")).get("interruptId"))
                .findFirst().orElseThrow();
        InterruptTokens signer = new InterruptTokens(secret, List.of());
        String expired = signer.sign(new Claims(runId, "gate", interruptId, Instant.now().minusSeconds(1), Intent.RESOLVE));

        ErrorEnvelopeAssertions.assertEnvelope(resolveWith(expired, Map.of("action", "accept")), 410, "interrupt_expired");
        ErrorEnvelopeAssertions.assertEnvelope(inspectWith(expired), 410, "interrupt_expired");

        // A token signed the same way but still in date works: the 410 was the expiry, nothing else.
        String live = signer.sign(new Claims(runId, "gate", interruptId, Instant.now().plusSeconds(600), Intent.INSPECT));
        inspectWith(live).then().statusCode(200);

        Response shortLived = mint(TENANT, runId, "gate", Map.of("ttlMs", 60_000));
        assertThat(Instant.parse(shortLived.path("expiresAt"))).isBefore(Instant.now().plusSeconds(61));
        ErrorEnvelopeAssertions.assertEnvelope(mint(TENANT, runId, "gate", Map.of("ttlMs", 0)), 400, "validation_error");
        ErrorEnvelopeAssertions.assertEnvelope(mint(TENANT, runId, "gate", Map.of("intent", "admin")), 400, "validation_error");
    }

    @Test
    void aTamperedForgedOrMalformedTokenIsUnauthenticated() throws Exception {
        String runId = waitingApproval();
        String inspectOnly = token(runId, "inspect");
        String[] parts = inspectOnly.split("\\.");
        String claims = new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.UTF_8);
        String upgraded = Base64.getUrlEncoder().withoutPadding().encodeToString(
                claims.replace("\"inspect\"", "\"resolve\"").getBytes(StandardCharsets.UTF_8)) + "." + parts[1];
        inspectWith(inspectOnly).then().statusCode(200);
        String forged = new InterruptTokens("someone-elses-secret-0123456789-abcdef", List.of())
                .sign(new Claims(runId, "gate", "whatever", Instant.now().plusSeconds(600), Intent.RESOLVE));

        for (String bad : List.of(upgraded, forged, "not-a-token", parts[0], parts[0] + ".", "a.b.c")) {
            ErrorEnvelopeAssertions.assertEnvelope(resolveWith(bad, Map.of("action", "accept")), 401, "unauthenticated");
            ErrorEnvelopeAssertions.assertEnvelope(inspectWith(bad), 401, "unauthenticated");
        }
        given().header(IdentityToken.HEADER, caller(TENANT)).when().get("/v1/runs/" + runId)
                .then().statusCode(200).body("status", equalTo("waiting-approval"));
        // Only the token route is open: anything else under /v1/ still needs the gateway's identity.
        ErrorEnvelopeAssertions.assertEnvelope(given().when().get("/v1/runs/" + runId), 401, "unauthenticated");
        ErrorEnvelopeAssertions.assertEnvelope(given().when().get("/v1/interrupts/" + inspectOnly + "/more"), 401, "unauthenticated");
    }

    @Test
    void aTokenOfACancelledRunIsDead() throws Exception {
        String runId = waitingApproval();
        String token = token(runId, "resolve");
        given().header(IdentityToken.HEADER, caller(TENANT)).contentType("application/json").body("{}")
                .when().post("/v1/runs/" + runId + "/cancel").then().statusCode(200).body("status", equalTo("cancelled"));

        ErrorEnvelopeAssertions.assertEnvelope(resolveWith(token, Map.of("action", "accept")), 409, "interrupt_already_resolved");
        ErrorEnvelopeAssertions.assertEnvelope(inspectWith(token), 409, "interrupt_already_resolved");
        ErrorEnvelopeAssertions.assertEnvelope(mint(TENANT, runId, "gate", Map.of()), 409, "run_terminal");
    }

    @Test
    void tenConcurrentResolutionsThroughTokensHaveExactlyOneWinner() throws Exception {
        String runId = waitingApproval();
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            tokens.add(token(runId, "resolve"));
        }
        ExecutorService pool = Executors.newFixedThreadPool(10);
        try {
            List<Callable<Integer>> attempts = tokens.stream()
                    .<Callable<Integer>>map(t -> () -> resolveWith(t, Map.of("action", "accept")).statusCode()).toList();
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> status : pool.invokeAll(attempts)) {
                statuses.add(status.get());
            }
            assertThat(statuses.stream().filter(s -> s == 200)).hasSize(1);
            assertThat(statuses.stream().filter(s -> s != 200)).allMatch(s -> s == 409);
        } finally {
            pool.shutdownNow();
        }
        assertThat(types(eventsUntilComplete(TENANT, runId)).stream().filter("interrupt.resolved"::equals)).hasSize(1);
    }

    @Test
    void onlyTheOwnerMayMintAndOnlyForAnOpenInterrupt() throws Exception {
        String runId = waitingApproval();
        ErrorEnvelopeAssertions.assertEnvelope(mint("tenant-elsewhere", runId, "gate", Map.of()), 404, "not_found");
        ErrorEnvelopeAssertions.assertEnvelope(mint(TENANT, runId, "no-such-node", Map.of()), 404, "interrupt_not_found");
        ErrorEnvelopeAssertions.assertEnvelope(given().header(IdentityToken.HEADER,
                        dev.capstan.devstack.testing.GatewayIdentity.token(TENANT, "runs:read")).contentType("application/json")
                .body("{}").when().post("/v1/runs/" + runId + "/interrupts/gate/tokens"), 403, "forbidden");
    }
}
