package dev.capstan.gateway.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import dev.capstan.devstack.testing.ErrorEnvelopeAssertions;
import dev.capstan.devstack.testing.PostgresTestResource;
import dev.capstan.gateway.support.FlakyUpstream;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** A failing service trips its breaker: 503 at once without reaching it, other services unaffected, then recovery. */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@WithTestResource(FlakyUpstream.class)
class UpstreamCircuitBreakerTest {

    @ConfigProperty(name = "capstan.gateway.bootstrap.api-key")
    String key;

    private Response get(String path) {
        return given().header("Authorization", "Bearer " + key).when().get(path);
    }

    @Test
    void aServiceThatKeepsTimingOutIsAnsweredFastWith503UntilItRecovers() throws Exception {
        for (int i = 0; i < 3; i++) {
            ErrorEnvelopeAssertions.assertEnvelope(get("/v1/workflows/x"), 504, "service_unavailable");
        }
        assertThat(FlakyUpstream.REQUESTS.get()).isEqualTo(3);

        long started = System.nanoTime();
        Response open = get("/v1/workflows/x");
        long tookMs = (System.nanoTime() - started) / 1_000_000;
        ErrorEnvelopeAssertions.assertEnvelope(open, 503, "service_unavailable")
                .header("Retry-After", notNullValue())
                .body("details.service", equalTo("run"))
                .body("details.correlationId", notNullValue());
        assertThat(tookMs).as("answered without waiting for the 300 ms timeout").isLessThan(250);
        assertThat(FlakyUpstream.REQUESTS.get()).as("the open breaker did not call the service").isEqualTo(3);

        // Another service has its own breaker: its path still goes out (and fails on its own: 502).
        ErrorEnvelopeAssertions.assertEnvelope(given().header("Authorization", "Bearer " + key).contentType("application/json")
                .body("{}").when().post("/v1/webhooks"), 502, "service_unavailable");

        // The service recovers; after the open period one trial call goes through and closes the breaker.
        FlakyUpstream.HANG.set(false);
        Thread.sleep(1_100);
        get("/v1/workflows/x").then().statusCode(200).body("ok", equalTo(true));
        get("/v1/workflows/x").then().statusCode(200);
        assertThat(FlakyUpstream.REQUESTS.get()).isEqualTo(5);
    }
}
