package dev.capstan.gateway.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.capstan.devstack.testing.PostgresTestResource;
import dev.capstan.gateway.support.ServicesResource;
import dev.capstan.gateway.support.TestIssuers;
import dev.capstan.gateway.support.TwoTenants;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * SSE from the real run-service through the gateway. run-service ends a run's stream only after the
 * terminal event; the run here cannot end on its own (no executor runs in the tests), so the first frame
 * the client reads must have been passed on while the upstream response was still open — the test then
 * cancels the run and sees the terminal event and the end of the stream only after that.
 */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@WithTestResource(ServicesResource.class)
@WithTestResource(TestIssuers.class)
class RunEventStreamThroughGatewayTest {

    @TestHTTPResource("/")
    URL gateway;

    @ConfigProperty(name = "capstan.test.services", defaultValue = "not configured")
    String services;

    @Test
    void theFirstEventArrivesWhileTheServicesStreamIsStillOpen() throws Exception {
        Assumptions.assumeTrue("started".equals(services), "services " + services);
        for (String credential : List.of(TwoTenants.keyA(), TwoTenants.token("tenant-a"))) {
            String run = TwoTenants.run(TwoTenants.keyA(), TwoTenants.workflow(TwoTenants.keyA(), "wf-sse-" + UUID.randomUUID()));
            HttpRequest request = HttpRequest.newBuilder(URI.create(gateway + "v1/runs/" + run + "/events"))
                    .header("Authorization", "Bearer " + credential).header("Accept", "text/event-stream").build();
            long opened = System.nanoTime();
            HttpResponse<InputStream> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofInputStream());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).get().asString().startsWith("text/event-stream");
            BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));

            List<String> firstFrame = readFrame(reader);
            long firstFrameAt = System.nanoTime();
            assertThat(firstFrame).anyMatch(line -> line.startsWith("event: run."));
            assertThat(firstFrame).anyMatch(line -> line.startsWith("data: "));

            // Only now does the run end: the upstream response cannot have ended before this point.
            long cancelledAt = System.nanoTime();
            given().header("Authorization", "Bearer " + TwoTenants.keyA()).contentType("application/json").body("{}")
                    .when().post("/v1/runs/" + run + "/cancel").then().statusCode(200).body("status", equalTo("cancelled"));
            CompletableFuture<List<String>> rest = CompletableFuture.supplyAsync(() -> readToEnd(reader));
            List<String> remaining = rest.get(30, TimeUnit.SECONDS);
            long endedAt = System.nanoTime();

            assertThat(firstFrameAt).isLessThan(cancelledAt);
            assertThat(remaining).as("the terminal event follows the cancel").contains("event: run.cancelled");
            assertThat(TimeUnit.NANOSECONDS.toMillis(firstFrameAt - opened)).as("first frame latency (ms)").isLessThan(5_000);
            assertThat(endedAt).isGreaterThan(cancelledAt);
        }
    }

    private static List<String> readFrame(BufferedReader reader) throws Exception {
        List<String> frame = new ArrayList<>();
        String line;
        while ((line = reader.readLine()) != null) {
            if (line.isEmpty()) {
                if (frame.stream().anyMatch(l -> !l.startsWith(":"))) {
                    return frame;
                }
                frame.clear();
                continue;
            }
            frame.add(line);
        }
        throw new AssertionError("the stream ended before its first event");
    }

    private static List<String> readToEnd(BufferedReader reader) {
        List<String> lines = new ArrayList<>();
        try {
            String line;
            while ((line = reader.readLine()) != null) {
                lines.add(line);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return lines;
    }
}
