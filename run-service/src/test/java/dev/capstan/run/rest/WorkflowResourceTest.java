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
}
