package dev.capstan.gateway.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import dev.capstan.devstack.testing.ErrorEnvelopeAssertions;
import dev.capstan.devstack.testing.PostgresTestResource;
import dev.capstan.gateway.service.RouteTable;
import dev.capstan.gateway.service.RouteTable.Route;
import dev.capstan.gateway.service.RouteTable.Service;
import dev.capstan.gateway.support.ServicesResource;
import dev.capstan.gateway.support.TestIssuers;
import dev.capstan.gateway.support.TwoTenants;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Tenant B, with an all-scope API key and with OIDC tokens of both kinds of issuer, gets 404 on every
 * route that names tenant A's workflow, run or webhook, and sees none of them in lists; tenant A's
 * resources are untouched afterwards. The real run-service and webhook-service answer behind the gateway.
 */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@WithTestResource(ServicesResource.class)
@WithTestResource(TestIssuers.class)
class TenantIsolationTest {

    /**
     * One id-bearing request: method, template (ids filled from tenant A's resources) and body. {@code onApprovalRun}:
     * the ids are those of A's run waiting on an approval that shows an artifact (so B's 404 is not mere absence).
     */
    private record Case(String method, String template, String body, boolean onApprovalRun) {
        Case(String method, String template, String body) {
            this(method, template, body, false);
        }
    }

    private static final String DEFINITION = "{\"id\":\"%s\",\"name\":\"renamed\",\"version\":\"2.0\",\"nodes\":[{\"id\":\"n\","
            + "\"typeId\":\"core.noop\",\"name\":\"N\",\"position\":{\"x\":0,\"y\":0},\"config\":{},\"inputs\":{}}],"
            + "\"edges\":[],\"triggers\":[],\"variables\":[],\"metadata\":{},\"settings\":{}}";

    /** Every id-bearing route the services implement, with a body they would accept from the owner. */
    private static final List<Case> CASES = List.of(
            new Case("GET", "/v1/workflows/{workflowId}", null),
            new Case("PUT", "/v1/workflows/{workflowId}", DEFINITION),
            new Case("DELETE", "/v1/workflows/{workflowId}", null),
            new Case("GET", "/v1/runs/{runId}", null),
            new Case("GET", "/v1/runs/{runId}/events", null),
            new Case("GET", "/v1/runs/{runId}/events/poll", null),
            new Case("POST", "/v1/runs/{runId}/cancel", "{\"reason\":\"not yours\"}"),
            new Case("POST", "/v1/runs/{runId}:pause", "{}"),
            new Case("POST", "/v1/runs/{runId}:resume", "{}"),
            new Case("POST", "/v1/runs/{runId}/interrupts/{nodeId}", "{\"resumeValue\":{\"action\":\"accept\"}}"),
            new Case("POST", "/v1/runs/{runId}:fork", "{\"mode\":\"replay\"}"),
            new Case("GET", "/v1/runs/{runId}/artifacts/{artifactId}", null, true),
            new Case("POST", "/v1/runs/{runId}/interrupts/{nodeId}/tokens", "{}", true),
            new Case("DELETE", "/v1/webhooks/{webhookId}", null));

    /**
     * Id-bearing routes in the gateway's table that no service implements yet: even the owner gets 404
     * there, so nothing can leak (checked below; when a service implements one, it moves to CASES).
     */
    private static final Set<String> NOT_SERVED_YET = Set.of();

    /**
     * Routes whose path parameter is a signed token, not a tenant's id: they name no tenant and take no tenant
     * credential (the token, minted by its run's tenant, is the credential and names one interrupt of one run).
     * Their isolation is that only A can mint a token for A's interrupt (the mint route is in CASES) and that a token
     * reaches nothing but its own interrupt (InterruptTokenThroughGatewayTest, run-service's InterruptTokenTest).
     */
    private static final Set<String> TOKEN_IN_PATH = Set.of("GET /v1/interrupts/{token}", "POST /v1/interrupts/{token}");

    /** An approval gate that shows an artifact; a run of it is waiting for the answer (and has the artifact) at once. */
    private static final String APPROVAL = "{\"id\":\"%s\",\"name\":\"approval\",\"version\":\"1.0\",\"nodes\":[{\"id\":\"gate\","
            + "\"typeId\":\"core.approvalGate\",\"name\":\"Gate\",\"position\":{\"x\":0,\"y\":0},\"config\":{\"title\":\"Check\","
            + "\"artifactId\":\"draft-a\",\"artifactType\":\"document\",\"artifactData\":{\"text\":\"tenant A's draft\"}},"
            + "\"inputs\":{}}],\"edges\":[],\"triggers\":[],\"variables\":[],\"metadata\":{},\"settings\":{}}";

    /**
     * The compatible surfaces answer a foreign id as their upstreams do: 404 in their own error shape, except where
     * the upstream is silent for unknown ids (Operativus DELETE of a workflow → 204, run lists → empty).
     * Their isolation is checked by effect (tenant A's workflow and run are untouched) and by what B reads.
     */
    private static final Map<String, Integer> COMPAT_SILENT = Map.of(
            "DELETE /api/v1/workflows/{id}", 204,
            "GET /api/v1/workflows/{id}/runs", 200,
            "GET /workflows/{workflowId}/runs", 200);

    @ConfigProperty(name = "capstan.test.services", defaultValue = "not configured")
    String services;

    @BeforeEach
    void servicesRunning() {
        Assumptions.assumeTrue("started".equals(services), "services " + services);
    }

    @Test
    void tenantBGets404OnEveryRouteNamingTenantAsResourcesWithKeysAndTokens() {
        String keyA = TwoTenants.keyA();
        String workflow = TwoTenants.workflow(keyA, "wf-iso-" + UUID.randomUUID());
        String run = TwoTenants.run(keyA, workflow);
        String webhook = given().header("Authorization", "Bearer " + keyA).contentType("application/json")
                .body(Map.of("url", "https://hooks.example.com/a", "events", List.of("run.completed")))
                .when().post("/v1/webhooks").then().statusCode(201).extract().path("webhookId");
        Map<String, String> ids = Map.of("workflowId", workflow, "id", workflow, "runId", run, "nodeId", "n",
                "webhookId", webhook, "artifactId", "artifact-1", "stepId", "n", "edgeId", "e1");
        String approvalRun = approvalRun(keyA);
        Map<String, String> approvalIds = Map.of("runId", approvalRun, "nodeId", "gate", "artifactId", "draft-a");

        List<String> tenantB = List.of(TwoTenants.keyB(), TwoTenants.token("tenant-b"),
                TestIssuers.token(TestIssuers.TENANT_B, "bob", null, String.join(" ", TwoTenants.ALL)));
        for (String credential : tenantB) {
            for (Case c : CASES) {
                Response response = send(credential, c.method(), fill(c.template(), c.onApprovalRun() ? approvalIds : ids),
                        c.body() == null ? null : c.body().formatted(workflow));
                ErrorEnvelopeAssertions.assertEnvelope(response, 404,
                        c.template().startsWith("/v1/webhooks") ? "subscription_not_found" : "not_found");
            }
            // Starting a run of A's workflow is answered as for a workflow that does not exist at all.
            Response foreign = send(credential, "POST", "/v1/runs", "{\"workflowId\":\"" + workflow + "\",\"inputs\":{}}");
            Response missing = send(credential, "POST", "/v1/runs", "{\"workflowId\":\"wf-none-" + UUID.randomUUID() + "\",\"inputs\":{}}");
            assertThat(foreign.statusCode()).isEqualTo(missing.statusCode()).isBetween(400, 404);
            assertThat(foreign.jsonPath().getString("error")).isEqualTo(missing.jsonPath().getString("error"));
            // Lists and bulk cancel show nothing of A's either.
            given().header("Authorization", "Bearer " + credential).when().get("/v1/workflows")
                    .then().statusCode(200).body("workflows.workflowId", not(hasItem(workflow)));
            given().header("Authorization", "Bearer " + credential).when().get("/v1/runs")
                    .then().statusCode(200).body("runs.runId", not(hasItem(run)));
            given().header("Authorization", "Bearer " + credential).queryParam("workflowId", workflow).when().get("/v1/runs")
                    .then().statusCode(200).body("runs.runId", not(hasItem(run)));
            given().header("Authorization", "Bearer " + credential).contentType("application/json")
                    .body(Map.of("runIds", List.of(run))).when().post("/v1/runs:bulk-cancel")
                    .then().statusCode(200).body("results[0].ok", equalTo(false));
        }

        // Tenant A's resources are as they were, and A (by key and by token) still reaches them.
        for (String credential : List.of(keyA, TwoTenants.token("tenant-a"))) {
            given().header("Authorization", "Bearer " + credential).when().get("/v1/workflows/" + workflow)
                    .then().statusCode(200).body("id", equalTo(workflow));
            given().header("Authorization", "Bearer " + credential).when().get("/v1/runs/" + run)
                    .then().statusCode(200).body("status", not(equalTo("cancelled")));
        }
        given().header("Authorization", "Bearer " + keyA).when().delete("/v1/webhooks/" + webhook).then().statusCode(204);
        // A reads its artifact and mints a token for its interrupt, through the same routes B was refused.
        given().header("Authorization", "Bearer " + keyA).when().get("/v1/runs/" + approvalRun + "/artifacts/draft-a")
                .then().statusCode(200).body("content.text", equalTo("tenant A's draft"));
        given().header("Authorization", "Bearer " + keyA).contentType("application/json").body("{}")
                .when().post("/v1/runs/" + approvalRun + "/interrupts/gate/tokens").then().statusCode(201);
        // And A's own pause and resume go through (B's went nowhere).
        given().header("Authorization", "Bearer " + keyA).contentType("application/json").body("{\"drainPolicy\":\"immediate\"}")
                .when().post("/v1/runs/" + run + ":pause").then().statusCode(202);
        given().header("Authorization", "Bearer " + keyA).contentType("application/json").body("{}")
                .when().post("/v1/runs/" + run + ":resume").then().statusCode(202);
        given().header("Authorization", "Bearer " + keyA).contentType("application/json").body("{}")
                .when().post("/v1/runs/" + run + "/cancel").then().statusCode(200).body("status", equalTo("cancelled"));
    }

    @Test
    void theIsolationCasesCoverEveryIdBearingRouteTheServicesImplement() {
        String keyA = TwoTenants.keyA();
        String workflow = TwoTenants.workflow(keyA, "wf-cover-" + UUID.randomUUID());
        String run = TwoTenants.run(keyA, workflow);
        Map<String, String> ids = Map.of("workflowId", workflow, "id", workflow, "runId", run, "nodeId", "n",
                "webhookId", "wh-none", "artifactId", "artifact-1", "stepId", "n", "edgeId", "e1");
        Set<String> covered = new TreeSet<>();
        CASES.forEach(c -> covered.add(c.method() + " " + c.template()));
        Set<String> uncovered = new TreeSet<>();
        Set<String> tokenRoutes = new TreeSet<>();
        for (Route route : RouteTable.routes()) {
            String name = route.method() + " " + route.template();
            if (route.service() == Service.REGISTRY || !route.template().contains("{") || covered.contains(name)) {
                continue;
            }
            if (route.tokenInPath()) {
                tokenRoutes.add(name);
                continue; // not tenant-id-bearing: see TOKEN_IN_PATH
            }
            if (route.template().startsWith("/api/v1/workflows") || route.template().startsWith("/workflows")) {
                continue; // the compatible surfaces: see tenantBCannotReachTenantAsDataThroughTheCompatibleSurfaces
            }
            // Not in CASES: only acceptable if not even the owner gets anything but 404 there.
            Response owner = send(keyA, route.method(), fill(route.template(), ids), "{}");
            if (owner.statusCode() != 404) {
                uncovered.add(name + " -> " + owner.statusCode());
            } else if (route.template().startsWith("/v1/")) {
                assertThat(NOT_SERVED_YET).as("an OpenWOP route no service answers should be declared").contains(name);
            }
        }
        assertThat(uncovered).as("routes that answer their owner but have no isolation case").isEmpty();
        assertThat(tokenRoutes).as("the routes exempt from tenant cases are exactly the declared token routes")
                .isEqualTo(TOKEN_IN_PATH);
    }

    /** A run of tenant A waiting on an approval whose artifact is stored. */
    private static String approvalRun(String keyA) {
        String workflowId = "wf-iso-approval-" + UUID.randomUUID();
        given().header("Authorization", "Bearer " + keyA).contentType("application/json").body(APPROVAL.formatted(workflowId))
                .when().post("/v1/workflows").then().statusCode(201);
        return TwoTenants.run(keyA, workflowId);
    }

    @Test
    void tenantBCannotReachTenantAsDataThroughTheCompatibleSurfaces() {
        String keyA = TwoTenants.keyA();
        String workflow = TwoTenants.workflow(keyA, "wf-compat-" + UUID.randomUUID());
        String run = TwoTenants.run(keyA, workflow);
        Map<String, String> ids = Map.of("workflowId", workflow, "id", workflow, "runId", run, "nodeId", "n",
                "webhookId", "wh-none", "artifactId", "artifact-1", "stepId", "n", "edgeId", "e1");
        int checked = 0;
        for (Route route : RouteTable.routes()) {
            String name = route.method() + " " + route.template();
            boolean compat = route.template().startsWith("/api/v1/workflows") || route.template().startsWith("/workflows");
            if (!compat || !route.template().contains("{")) {
                continue;
            }
            checked++;
            Response b = send(TwoTenants.keyB(), route.method(), fill(route.template(), ids) + "?session_id=s1", "{}");
            Integer silent = COMPAT_SILENT.get(name);
            if (silent != null) {
                assertThat(b.statusCode()).as(name).isIn(404, silent);
                if (b.statusCode() == 200) {
                    Object listed = b.jsonPath().get(route.template().startsWith("/api/") ? "content" : "$");
                    assertThat((List<?>) listed).as(name + " shows B nothing of A's").isEmpty();
                }
            } else {
                assertThat(b.statusCode()).as(name + " for tenant B: " + b.asString()).isIn(400, 404, 405, 415, 422, 501);
            }
            if (b.statusCode() < 300) {
                assertThat(b.asString()).as(name + " must not show A's run to B").doesNotContain(run);
            }
        }
        assertThat(checked).isGreaterThan(10);
        // Nothing B sent changed A's workflow or run.
        given().header("Authorization", "Bearer " + keyA).when().get("/v1/workflows/" + workflow).then().statusCode(200);
        given().header("Authorization", "Bearer " + keyA).when().get("/v1/runs/" + run)
                .then().statusCode(200).body("status", not(equalTo("cancelled")));
    }

    private static Response send(String credential, String method, String path, String body) {
        var request = given().urlEncodingEnabled(false).header("Authorization", "Bearer " + credential);
        if (path.endsWith("/events")) {
            request.accept("text/event-stream");
        }
        if (body != null) {
            request.contentType("application/json").body(body);
        }
        return request.when().request(method, path);
    }

    private static String fill(String template, Map<String, String> ids) {
        String path = template;
        for (var id : ids.entrySet()) {
            path = path.replace("{" + id.getKey() + "}", id.getValue());
        }
        return path;
    }
}
