package dev.capstan.run.rest;

import static dev.capstan.run.testing.RunsClient.caller;
import static dev.capstan.run.testing.RunsClient.eventsUntil;
import static dev.capstan.run.testing.RunsClient.eventsUntilComplete;
import static dev.capstan.run.testing.RunsClient.start;
import static dev.capstan.run.testing.RunsClient.types;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.capstan.common.identity.IdentityToken;
import dev.capstan.devstack.testing.ErrorEnvelopeAssertions;
import dev.capstan.devstack.testing.GatewayIdentity;
import dev.capstan.run.testing.WithTestExecutor;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Artifacts: an approval that shows {@code artifactData} and a node result that declares {@code artifacts} are stored
 * with the step that produced them, announced by {@code artifact.created}, and served to their tenant only.
 */
@QuarkusTest
class ArtifactsTest extends WithTestExecutor {

    private static final String TENANT = "tenant-artifacts";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static String reader(String tenant) {
        return GatewayIdentity.token(tenant, "artifacts:read");
    }

    private static Response artifact(String credential, String runId, String artifactId, String query) {
        return given().header(IdentityToken.HEADER, credential)
                .when().get("/v1/runs/" + runId + "/artifacts/" + artifactId + (query == null ? "" : "?" + query));
    }

    private static Response register(String workflowId, Map<String, Object> node) throws Exception {
        Map<String, Object> definition = Map.of("id", workflowId, "name", workflowId, "version", "1.0",
                "nodes", List.of(node), "edges", List.of(), "triggers", List.of(), "variables", List.of(),
                "metadata", Map.of(), "settings", Map.of());
        return given().header(IdentityToken.HEADER, caller(TENANT)).contentType("application/json")
                .body(JSON.writeValueAsString(definition)).when().post("/v1/workflows");
    }

    private static Map<String, Object> node(String id, String typeId, Map<String, Object> config) {
        return Map.of("id", id, "typeId", typeId, "name", id, "position", Map.of("x", 0, "y", 0), "config", config, "inputs", Map.of());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> payload(Map<String, Object> event) {
        return (Map<String, Object>) event.get("payload");
    }

    @Test
    void anApprovalsArtifactIsStoredWithItsRequestAndServedToItsTenantOnly() throws Exception {
        register("wf-approve-draft", node("gate", "core.approvalGate", Map.of("title", "Approve the draft",
                "artifactId", "draft-1", "artifactType", "document", "artifactData", Map.of("text", "hello"),
                "actions", List.of("accept", "reject")))).then().statusCode(201);
        String runId = start(TENANT, "wf-approve-draft", Map.of());
        List<Map<String, Object>> events = eventsUntil(TENANT, runId, "node.suspended");
        List<String> types = types(events);
        assertThat(types.indexOf("artifact.created")).isEqualTo(types.indexOf("interrupt.requested") + 1);
        Map<String, Object> created = events.get(types.indexOf("artifact.created"));
        assertThat(payload(created)).containsEntry("artifactId", "draft-1").containsEntry("artifactType", "document")
                .containsEntry("nodeId", "gate").containsEntry("summary", "Approve the draft");
        long version = ((Number) payload(created).get("version")).longValue();
        assertThat(version).isEqualTo(((Number) created.get("sequence")).longValue());

        artifact(reader(TENANT), runId, "draft-1", null).then().statusCode(200)
                .body("artifactId", equalTo("draft-1")).body("runId", equalTo(runId)).body("artifactType", equalTo("document"))
                .body("version", equalTo((int) version)).body("nodeId", equalTo("gate")).body("content.text", equalTo("hello"));
        artifact(reader(TENANT), runId, "draft-1", "version=" + version).then().statusCode(200).body("content.text", equalTo("hello"));

        ErrorEnvelopeAssertions.assertEnvelope(artifact(reader("tenant-elsewhere"), runId, "draft-1", null), 404, "not_found");
        ErrorEnvelopeAssertions.assertEnvelope(artifact(reader(TENANT), runId, "no-such-artifact", null), 404, "not_found");
        ErrorEnvelopeAssertions.assertEnvelope(artifact(reader(TENANT), runId, "draft-1", "version=" + (version + 1000)), 404, "not_found");
        ErrorEnvelopeAssertions.assertEnvelope(artifact(reader(TENANT), runId, "draft-1", "version=latest"), 400, "validation_error");
        // The scope is checked before anything is looked up: the same 403 for an artifact that exists and one that does not.
        ErrorEnvelopeAssertions.assertEnvelope(artifact(caller(TENANT), runId, "draft-1", null), 403, "forbidden");
        ErrorEnvelopeAssertions.assertEnvelope(artifact(caller(TENANT), "run_none", "none", null), 403, "forbidden");
        ErrorEnvelopeAssertions.assertEnvelope(given().when().get("/v1/runs/" + runId + "/artifacts/draft-1"), 401, "unauthenticated");
    }

    @Test
    void aNodeResultDeclaresArtifactsThatAreAnnouncedBeforeTheRunEnds() throws Exception {
        register("wf-report", node("writer", "test.artifact", Map.of("artifacts", List.of(
                Map.of("artifactId", "report", "artifactType", "text/markdown", "content", Map.of("markdown", "# Done"),
                        "summary", "The final report"),
                Map.of("artifactId", "chart", "artifactType", "image/svg", "content", "<svg/>"))))).then().statusCode(201);
        String runId = start(TENANT, "wf-report", Map.of());
        List<Map<String, Object>> events = eventsUntilComplete(TENANT, runId);
        List<String> types = types(events);
        assertThat(types).endsWith("run.completed");
        int completed = types.indexOf("node.completed");
        assertThat(types.subList(completed + 1, completed + 3)).containsExactly("artifact.created", "artifact.created");
        assertThat(payload(events.get(completed + 1))).containsEntry("artifactId", "report").containsEntry("nodeId", "writer")
                .containsEntry("summary", "The final report");

        artifact(reader(TENANT), runId, "report", null).then().statusCode(200)
                .body("artifactType", equalTo("text/markdown")).body("content.markdown", equalTo("# Done"))
                .body("summary", equalTo("The final report"));
        artifact(reader(TENANT), runId, "chart", null).then().statusCode(200).body("content", equalTo("<svg/>"));
    }

    @Test
    void aNodeDeclaringAnOversizedOrMalformedArtifactFailsWithTheReasonAndStoresNothing() throws Exception {
        register("wf-too-big", node("writer", "test.artifact", Map.of("artifacts", List.of(
                Map.of("artifactId", "huge", "artifactType", "text/plain", "content", "x".repeat(5000)))))).then().statusCode(201);
        String runId = start(TENANT, "wf-too-big", Map.of());
        List<Map<String, Object>> events = eventsUntilComplete(TENANT, runId);
        assertThat(types(events)).doesNotContain("artifact.created").endsWith("run.failed");
        Map<String, Object> failed = events.stream().filter(e -> "node.failed".equals(e.get("type"))).findFirst().orElseThrow();
        @SuppressWarnings("unchecked")
        Map<String, Object> error = (Map<String, Object>) payload(failed).get("error");
        assertThat(error).containsEntry("code", "artifact_too_large");
        ErrorEnvelopeAssertions.assertEnvelope(artifact(reader(TENANT), runId, "huge", null), 404, "not_found");

        register("wf-bad-id", node("writer", "test.artifact", Map.of("artifacts", List.of(
                Map.of("artifactId", "has spaces/and slashes", "artifactType", "text/plain", "content", "x"))))).then().statusCode(201);
        String bad = start(TENANT, "wf-bad-id", Map.of());
        List<Map<String, Object>> badEvents = eventsUntilComplete(TENANT, bad);
        Map<String, Object> badFailure = badEvents.stream().filter(e -> "node.failed".equals(e.get("type"))).findFirst().orElseThrow();
        assertThat(((Map<?, ?>) payload(badFailure).get("error")).get("code")).isEqualTo("artifact_invalid");
    }

    @Test
    void aWorkflowWhoseApprovalShowsAnOversizedArtifactIsRefusedAtRegistration() throws Exception {
        Response refused = register("wf-huge-approval", node("gate", "core.approvalGate", Map.of("title", "Too big",
                "artifactId", "big", "artifactType", "document", "artifactData", Map.of("text", "y".repeat(5000)))));
        ErrorEnvelopeAssertions.assertEnvelope(refused, 413, "payload_too_large");
        assertThat(refused.jsonPath().getString("details.nodeId")).isEqualTo("gate");
    }
}
