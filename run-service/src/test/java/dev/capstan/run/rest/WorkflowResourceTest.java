package dev.capstan.run.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;

import dev.capstan.common.identity.IdentityToken;
import dev.capstan.devstack.testing.ErrorEnvelopeAssertions;
import dev.capstan.devstack.testing.GatewayIdentity;
import dev.capstan.devstack.testing.KafkaTestResource;
import dev.capstan.devstack.testing.PostgresTestResource;
import dev.capstan.run.testing.RunsClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KafkaTestResource.class)
class WorkflowResourceTest {

    /** A request that sends a YAML body as text. */
    private static io.restassured.specification.RequestSpecification yaml() {
        return given().config(io.restassured.RestAssured.config().encoderConfig(io.restassured.config.EncoderConfig.encoderConfig()
                .encodeContentTypeAs("application/yaml", io.restassured.http.ContentType.TEXT)));
    }

    private static String identity(String tenant) {
        return GatewayIdentity.token(tenant, "manifest:read", "workspace:write");
    }

    @Test
    void readinessReportsTheRealDatabaseAndBrokerUp() {
        given().when().get("/q/health/ready")
                .then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItems("Reactive PostgreSQL connections health check", "Kafka connection health check"));
    }

    @Test
    void aRegisteredWorkflowIsReadBackByItsTenantAndVersionsOnReRegistration() {
        String definition = RunsClient.noopDefinition("wf-roundtrip", "Round trip");
        given().header(IdentityToken.HEADER, identity("tenant-a")).contentType("application/json").body(definition)
                .when().post("/v1/workflows")
                .then().statusCode(201).body("workflowId", equalTo("wf-roundtrip")).body("version", equalTo(1));
        given().header(IdentityToken.HEADER, identity("tenant-a")).contentType("application/json").body(definition)
                .when().post("/v1/workflows")
                .then().statusCode(201).body("version", equalTo(2));

        given().header(IdentityToken.HEADER, identity("tenant-a"))
                .when().get("/v1/workflows/wf-roundtrip")
                .then().statusCode(200).body("id", equalTo("wf-roundtrip")).body("name", equalTo("Round trip"));
    }

    @Test
    void anotherTenantsWorkflowIsNotFound() {
        given().header(IdentityToken.HEADER, identity("tenant-a")).contentType("application/json")
                .body(RunsClient.noopDefinition("wf-private", "Private"))
                .when().post("/v1/workflows")
                .then().statusCode(201);

        given().header(IdentityToken.HEADER, identity("tenant-b"))
                .when().get("/v1/workflows/wf-private")
                .then().statusCode(404).body("error", equalTo("not_found"));
    }

    @Test
    void aCallWithoutTheGatewayIdentityIsRefused() {
        given().when().get("/v1/workflows/anything")
                .then().statusCode(401).body("error", equalTo("unauthenticated"));
        given().header(IdentityToken.HEADER, "forged.token")
                .when().get("/v1/workflows/anything")
                .then().statusCode(401).body("error", equalTo("unauthenticated"));
    }

    @Test
    void malformedRequestsGetTheErrorEnvelope() {
        String id = identity("tenant-a");
        ErrorEnvelopeAssertions.assertEnvelope(given().header(IdentityToken.HEADER, id).contentType("application/json")
                .body("{\"id\": \"broken\", ").when().post("/v1/workflows"), 400, "validation_error")
                .body("details.line", equalTo(1));
        ErrorEnvelopeAssertions.assertEnvelope(given().header(IdentityToken.HEADER, id).contentType("application/json")
                .body("[1,2]").when().post("/v1/workflows"), 400, "validation_error");
        ErrorEnvelopeAssertions.assertEnvelope(given().header(IdentityToken.HEADER, id).contentType("application/json")
                .body("{\"name\":\"no id\"}").when().post("/v1/workflows"), 400, "validation_error")
                .body("details.problems[0].path", equalTo("/id"));
        ErrorEnvelopeAssertions.assertEnvelope(given().header(IdentityToken.HEADER, id).contentType("application/json")
                .body("{\"id\":\"wf-bad\",\"name\":\"Bad\",\"version\":\"1.0\",\"nodes\":[{\"id\":\"a\",\"typeId\":\"core.noop\"}],"
                        + "\"edges\":[{\"id\":\"e\",\"sourceNodeId\":\"a\",\"targetNodeId\":\"missing\"}]}")
                .when().post("/v1/workflows"), 400, "validation_error")
                .body("details.problems.path", org.hamcrest.Matchers.hasItem(org.hamcrest.Matchers.startsWith("/edges/0")));
        ErrorEnvelopeAssertions.assertEnvelope(given().header(IdentityToken.HEADER, id).contentType("text/plain")
                .body("hello").when().post("/v1/workflows"), 415, "unsupported_media_type");
        ErrorEnvelopeAssertions.assertEnvelope(given().header(IdentityToken.HEADER, id)
                .when().delete("/v1/workflows"), 405, "method_not_allowed");
        ErrorEnvelopeAssertions.assertEnvelope(given().header(IdentityToken.HEADER, id)
                .when().get("/v1/no-such-route"), 404, "not_found");
        ErrorEnvelopeAssertions.assertEnvelope(given().when().get("/no-such-route-at-all"), 404, "not_found");
    }

    @Test
    void everyConformanceFixtureIsSeededIntoTheConfiguredTenant() {
        for (String id : dev.capstan.common.openwop.ConformanceFixtures.ids()) {
            given().header(IdentityToken.HEADER, GatewayIdentity.token("conformance", "manifest:read"))
                    .when().get("/v1/workflows/" + id)
                    .then().statusCode(200).body("id", equalTo(id));
        }
        given().header(IdentityToken.HEADER, identity("tenant-a")).when().get("/v1/workflows/conformance-noop")
                .then().statusCode(404);
    }

    @Test
    void workflowsAreListedUpdatedAndDeletedPerTenant() {
        String a = identity("tenant-list");
        for (String id : java.util.List.of("wf-list-1", "wf-list-2", "wf-list-3")) {
            given().header(IdentityToken.HEADER, a).contentType("application/json").body(RunsClient.noopDefinition(id, id))
                    .when().post("/v1/workflows").then().statusCode(201);
        }
        given().header(IdentityToken.HEADER, a).contentType("application/json").body(RunsClient.noopDefinition("wf-list-2", "renamed"))
                .when().put("/v1/workflows/wf-list-2").then().statusCode(200).body("version", equalTo(2));
        ErrorEnvelopeAssertions.assertEnvelope(given().header(IdentityToken.HEADER, a).contentType("application/json")
                .body(RunsClient.noopDefinition("wf-other", "x")).when().put("/v1/workflows/wf-list-2"), 400, "validation_error");

        String cursor = given().header(IdentityToken.HEADER, a).queryParam("limit", 2).when().get("/v1/workflows")
                .then().statusCode(200)
                .body("workflows.workflowId", org.hamcrest.Matchers.contains("wf-list-1", "wf-list-2"))
                .body("workflows[1].version", equalTo(2))
                .body("workflows[1].name", equalTo("renamed"))
                .extract().path("nextCursor");
        given().header(IdentityToken.HEADER, a).queryParam("limit", 2).queryParam("cursor", cursor).when().get("/v1/workflows")
                .then().statusCode(200)
                .body("workflows.workflowId", org.hamcrest.Matchers.contains("wf-list-3"))
                .body("nextCursor", org.hamcrest.Matchers.nullValue());
        given().header(IdentityToken.HEADER, identity("tenant-other-list")).when().get("/v1/workflows")
                .then().statusCode(200).body("workflows", org.hamcrest.Matchers.empty());

        given().header(IdentityToken.HEADER, a).when().delete("/v1/workflows/wf-list-3").then().statusCode(204);
        ErrorEnvelopeAssertions.assertEnvelope(given().header(IdentityToken.HEADER, a).when().get("/v1/workflows/wf-list-3"), 404, "not_found");
        ErrorEnvelopeAssertions.assertEnvelope(given().header(IdentityToken.HEADER, identity("tenant-other-list"))
                .when().delete("/v1/workflows/wf-list-1"), 404, "not_found");
    }

    @Test
    void anOsopFileIsRegisteredFromYamlAndItsProblemsCarryLines() {
        String osop = """
                osop_version: "1.0"
                id: osop-hello
                name: Hello OSOP
                nodes:
                  - id: greet
                    type: system
                    purpose: Say hello
                edges: []
                """;
        yaml().header(IdentityToken.HEADER, identity("tenant-osop")).contentType("application/yaml").body(osop)
                .when().post("/v1/workflows").then().statusCode(201).body("workflowId", equalTo("osop-hello"));
        given().header(IdentityToken.HEADER, identity("tenant-osop")).when().get("/v1/workflows/osop-hello")
                .then().statusCode(200).body("name", equalTo("Hello OSOP"));

        String broken = """
                osop_version: "1.0"
                id: osop-broken
                name: Broken
                nodes:
                  - id: a
                    type: system
                edges:
                  - from: a
                    to: nowhere
                """;
        ErrorEnvelopeAssertions.assertEnvelope(yaml().header(IdentityToken.HEADER, identity("tenant-osop")).contentType("application/yaml")
                .body(broken).when().post("/v1/workflows"), 400, "validation_error")
                .body("details.problems.line", org.hamcrest.Matchers.hasItem(org.hamcrest.Matchers.greaterThan(0)));
    }
}
