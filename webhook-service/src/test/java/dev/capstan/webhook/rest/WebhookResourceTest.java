package dev.capstan.webhook.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.matchesPattern;

import dev.capstan.common.identity.IdentityToken;
import dev.capstan.devstack.testing.ErrorEnvelopeAssertions;
import dev.capstan.devstack.testing.GatewayIdentity;
import dev.capstan.devstack.testing.KafkaTestResource;
import dev.capstan.devstack.testing.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KafkaTestResource.class)
class WebhookResourceTest {

    private static String manager(String tenant) {
        return GatewayIdentity.token(tenant, "webhooks:manage");
    }

    @Test
    void readinessReportsTheRealDatabaseAndBrokerUp() {
        given().when().get("/q/health/ready")
                .then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItems("Reactive PostgreSQL connections health check", "Kafka connection health check"));
    }

    @Test
    void aRegisteredWebhookShowsItsSecretOnceAndCanBeDeletedOnlyByItsTenant() {
        String webhookId = given().header(IdentityToken.HEADER, manager("tenant-a")).contentType("application/json")
                .body("{\"url\":\"https://hooks.example.com/capstan\",\"events\":[\"run.completed\"]}")
                .when().post("/v1/webhooks")
                .then().statusCode(201)
                .body("secret", matchesPattern("whsec_[0-9a-f]{64}"))
                .body("secretFingerprint", matchesPattern("[0-9a-f]{8}"))
                .body("signatureAlgorithm", equalTo("v1"))
                .extract().path("webhookId");

        ErrorEnvelopeAssertions.assertEnvelope(given().header(IdentityToken.HEADER, manager("tenant-b"))
                .when().delete("/v1/webhooks/" + webhookId), 404, "subscription_not_found");
        given().header(IdentityToken.HEADER, manager("tenant-a"))
                .when().delete("/v1/webhooks/" + webhookId)
                .then().statusCode(204);
        ErrorEnvelopeAssertions.assertEnvelope(given().header(IdentityToken.HEADER, manager("tenant-a"))
                .when().delete("/v1/webhooks/" + webhookId), 404, "subscription_not_found");
    }

    @Test
    void internalTargetsAreRejected() {
        ErrorEnvelopeAssertions.assertEnvelope(given().header(IdentityToken.HEADER, manager("tenant-a")).contentType("application/json")
                .body("{\"url\":\"https://169.254.169.254/latest\",\"events\":[\"run.completed\"]}")
                .when().post("/v1/webhooks"), 400, "webhook_url_rejected");
    }

    @Test
    void aCallerWithoutTheScopeIsForbidden() {
        ErrorEnvelopeAssertions.assertEnvelope(given().header(IdentityToken.HEADER, GatewayIdentity.token("tenant-a", "runs:read"))
                .contentType("application/json")
                .body("{\"url\":\"https://hooks.example.com/x\",\"events\":[\"run.completed\"]}")
                .when().post("/v1/webhooks"), 403, "forbidden")
                .body("details.requiredScope", equalTo("webhooks:manage"));
    }

    @Test
    void malformedRequestsGetTheErrorEnvelope() {
        String id = manager("tenant-a");
        ErrorEnvelopeAssertions.assertEnvelope(given().header(IdentityToken.HEADER, id).contentType("application/json")
                .body("{\"url\": ").when().post("/v1/webhooks"), 400, "validation_error");
        ErrorEnvelopeAssertions.assertEnvelope(given().header(IdentityToken.HEADER, id).contentType("application/json")
                .body("{\"url\": 5, \"events\": \"run.completed\"}").when().post("/v1/webhooks"), 400, "validation_error");
        ErrorEnvelopeAssertions.assertEnvelope(given().header(IdentityToken.HEADER, id).contentType("application/json")
                .body("{\"url\":\"not a url\",\"events\":[\"run.completed\"]}").when().post("/v1/webhooks"), 400, "validation_error")
                .body("details.field", equalTo("url"));
        ErrorEnvelopeAssertions.assertEnvelope(given().header(IdentityToken.HEADER, id).contentType("application/json")
                .body("{\"url\":\"https://hooks.example.com/x\",\"events\":[]}").when().post("/v1/webhooks"), 400, "validation_error")
                .body("details.field", equalTo("events"));
        ErrorEnvelopeAssertions.assertEnvelope(given().header(IdentityToken.HEADER, id).contentType("application/xml")
                .body("<x/>").when().post("/v1/webhooks"), 415, "unsupported_media_type");
        ErrorEnvelopeAssertions.assertEnvelope(given().header(IdentityToken.HEADER, id)
                .when().get("/v1/webhooks"), 405, "method_not_allowed");
    }
}
