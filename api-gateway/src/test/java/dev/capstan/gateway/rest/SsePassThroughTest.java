package dev.capstan.gateway.rest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.common.identity.IdentityToken;
import dev.capstan.devstack.testing.PostgresTestResource;
import dev.capstan.gateway.support.ServicesResource;
import dev.capstan.gateway.support.StreamingUpstream;
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
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** SSE through the gateway: the first event arrives while the service still holds the stream open. */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@WithTestResource(StreamingUpstream.class)
class SsePassThroughTest {

    @TestHTTPResource("/v1/runs/run-1/events")
    URL events;

    @ConfigProperty(name = "capstan.gateway.bootstrap.api-key")
    String key;

    @Test
    void theFirstEventArrivesUnbufferedAndAClientDisconnectReachesTheService() throws Exception {
        String clientTrace = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        HttpRequest request = HttpRequest.newBuilder(URI.create(events.toString()))
                .header("Authorization", "Bearer " + key)
                .header("Accept", "text/event-stream")
                .header("X-Correlation-Id", "sse-test-1")
                .header("traceparent", clientTrace)
                .build();
        HttpResponse<InputStream> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("text/event-stream");
        assertThat(response.headers().firstValue("X-Correlation-Id")).hasValue("sse-test-1");

        InputStream body = response.body();
        BufferedReader reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
        assertThat(reader.readLine()).isEqualTo("id: 1");
        assertThat(reader.readLine()).isEqualTo("event: run.started");
        assertThat(reader.readLine()).isEqualTo("data: {\"sequence\":1}");
        // Read while the service is still waiting for this very moment: nothing was buffered.
        assertThat(StreamingUpstream.FIRST_EVENT_READ.getCount()).isEqualTo(1);
        StreamingUpstream.FIRST_EVENT_READ.countDown();

        body.close();
        assertThat(StreamingUpstream.DISCONNECT_SEEN.await(60, TimeUnit.SECONDS))
                .as("the service saw the client's disconnect").isTrue();

        // What the service received: the gateway's signed identity, the correlation id, the continued trace.
        var headers = StreamingUpstream.RECEIVED_HEADERS;
        var identity = new IdentityToken(ServicesResource.IDENTITY_SECRET).verify(headers.get("x-capstan-identity"), Instant.now());
        assertThat(identity).isPresent();
        assertThat(identity.get().tenant()).isEqualTo("demo");
        assertThat(identity.get().testMode()).isTrue();
        assertThat(headers.get("x-correlation-id")).isEqualTo("sse-test-1");
        assertThat(headers.get("traceparent")).startsWith("00-0af7651916cd43dd8448eb211c80319c-").isNotEqualTo(clientTrace);
        assertThat(headers).doesNotContainKey("authorization");
    }
}
