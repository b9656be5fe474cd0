package dev.capstan.gateway.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.capstan.devstack.testing.PostgresTestResource;
import dev.capstan.gateway.support.ServicesResource;
import dev.capstan.gateway.support.TestIssuers;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Discovery against the OpenWOP capabilities schema, and the generated OpenAPI document. */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@WithTestResource(ServicesResource.class)
@WithTestResource(TestIssuers.class)
class DiscoveryContractTest {

    @Test
    void discoveryValidatesAgainstTheCapabilitiesSchema() throws Exception {
        SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
                b -> b.schemaLoader(l -> l.fetchRemoteResources(false)
                        .schemaIdResolvers(r -> r.mapPrefix("https://openwop.dev/spec/v1/", "classpath:openwop-schemas/"))));
        String body = given().when().get("/.well-known/openwop").then().statusCode(200).extract().asString();
        JsonNode discovery = new ObjectMapper().readTree(body);
        List<Error> errors = registry.getSchema(SchemaLocation.of("https://openwop.dev/spec/v1/capabilities.schema.json"))
                .validate(body, InputFormat.JSON);
        assertThat(errors).isEmpty();
        assertThat(discovery.path("limits").path("maxRequestBodyBytes").asLong()).isEqualTo(1048576);
        // What run-service serves through the gateway (pause/resume and bulk cancel are exercised by the routing tests).
        assertThat(discovery.path("runs").path("pauseResume").path("supported").asBoolean()).isTrue();
        assertThat(discovery.path("runs").path("bulkCancel").path("maxRunIds").asInt()).isEqualTo(100);
        assertThat(discovery.path("testing").path("testKeyPrefix").asText()).isEqualTo("hk_test_");
        // run-service forks runs (ForkAndRunOptionsTest there, the fork isolation case here).
        assertThat(discovery.path("replay").path("supported").asBoolean()).isTrue();
        assertThat(discovery.path("replay").path("modes").toString()).isEqualTo("[\"replay\",\"branch\"]");
        assertThat(discovery.path("subWorkflow").path("inputMapping").asBoolean()).isTrue();
        // webhook-service delivers signed events (WebhookDeliveryTest there), best effort only.
        assertThat(discovery.path("webhooks").path("supported").asBoolean()).isTrue();
        assertThat(discovery.path("webhooks").path("signatureAlgorithms").toString()).isEqualTo("[\"v1\"]");
        assertThat(discovery.path("webhooks").path("durable").asBoolean(true)).isFalse();
    }

    @Test
    void theSchemaCopiesAreTheSharedSpecsOwn() throws Exception {
        java.nio.file.Path shared = java.nio.file.Path.of("..", "..", "shared", "openwop", "schemas");
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isDirectory(shared), "no ../shared checkout next to the repo");
        for (String name : List.of("capabilities.schema.json", "prompt-kind.schema.json", "prompt-ref.schema.json")) {
            try (var copy = getClass().getResourceAsStream("/openwop-schemas/" + name)) {
                assertThat(copy).as(name).isNotNull();
                assertThat(new String(copy.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8))
                        .as(name + " matches ../shared").isEqualTo(java.nio.file.Files.readString(shared.resolve(name)));
            }
        }
    }

    @Test
    void openApiIsA31DocumentOfEveryForwardedRoute() {
        given().when().get("/v1/openapi.json").then().statusCode(200)
                .body("openapi", matchesPattern("^3\\.[1-9].*"))
                .body("info.description", org.hamcrest.Matchers.containsString("Generated"))
                .body("paths.'/v1/workflows/{workflowId}'.get.x-openwop-scopes", equalTo(List.of("manifest:read")))
                .body("paths.'/v1/runs/{runId}:fork'.post.x-openwop-scopes", equalTo(List.of("runs:create", "runs:read")));
    }
}
