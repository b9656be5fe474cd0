package dev.capstan.executor.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import dev.capstan.devstack.testing.ErrorEnvelopeAssertions;
import dev.capstan.devstack.testing.KafkaTestResource;
import dev.capstan.devstack.testing.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(PostgresTestResource.class)
class ExecutorServiceTest {

    @Test
    void readinessReportsTheRealBrokerUp() {
        given().when().get("/q/health/ready")
                .then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", hasItem("Kafka connection health check"))
                .body("checks.name", hasItem("Reactive PostgreSQL connections health check"));
    }

    @Test
    void infoTellsTheConfiguredConcurrencyAndTopics() {
        given().when().get("/executor/info")
                .then().statusCode(200)
                .body("maxInFlight", equalTo(64))
                .body("dispatchTopic", equalTo("capstan.node.dispatch"))
                .body("consumerGroup", equalTo("capstan-executor"))
                .body("nodeTypes", hasItem("core.noop"));
    }

    @Test
    void malformedRequestsGetTheErrorEnvelope() {
        ErrorEnvelopeAssertions.assertEnvelope(given().when().post("/executor/info"), 405, "method_not_allowed");
        ErrorEnvelopeAssertions.assertEnvelope(given().accept("application/xml").when().get("/executor/info"), 406, "not_acceptable");
        ErrorEnvelopeAssertions.assertEnvelope(given().when().get("/executor/nothing-here"), 404, "not_found");
    }
}
