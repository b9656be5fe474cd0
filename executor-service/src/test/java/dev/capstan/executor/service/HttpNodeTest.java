package dev.capstan.executor.service;

import static dev.capstan.executor.KafkaHarness.dispatch;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.capstan.common.messaging.NodeDispatchMessage;
import dev.capstan.common.messaging.NodeResultMessage;
import dev.capstan.devstack.testing.KafkaTestResource;
import dev.capstan.devstack.testing.PostgresTestResource;
import dev.capstan.executor.KafkaHarness;
import dev.capstan.executor.LogCapture;
import dev.capstan.executor.LoopbackServer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * HTTP nodes against a real server on loopback. Tenant {@code t-loopback} may call private addresses (test
 * config); any other tenant may not.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(PostgresTestResource.class)
class HttpNodeTest {

    private static final String TOKEN = "tok-SECRET-abc123xyz";
    private static final String PASSWORD = "pw-SECRET-987zyx";
    private static final CountDownLatch NEVER = new CountDownLatch(1);
    private static final Map<String, AtomicInteger> FLAKY = new ConcurrentHashMap<>();

    private static final LoopbackServer SERVER = new LoopbackServer()
            .route("/echo", ex -> LoopbackServer.respond(ex, 201, "application/json",
                    "{\"ok\":true,\"seen\":\"" + ex.getRequestHeaders().getFirst("Authorization") + "\"}"))
            .route("/flaky", ex -> {
                String key = ex.getRequestHeaders().getFirst("Idempotency-Key");
                int n = FLAKY.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
                if (n == 1) {
                    LoopbackServer.respond(ex, 503, "text/plain", "busy");
                } else if (n == 2) {
                    LoopbackServer.respond(ex, 429, "text/plain", "slow down", Map.of("Retry-After", "0"));
                } else {
                    LoopbackServer.respond(ex, 200, "application/json", "{\"attempt\":" + n + "}");
                }
            })
            .route("/down", ex -> LoopbackServer.respond(ex, 500, "text/plain", "broken " + TOKEN))
            .route("/hang", ex -> {
                try {
                    NEVER.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                LoopbackServer.respond(ex, 200, "text/plain", "late");
            })
            .route("/big", ex -> LoopbackServer.respond(ex, 200, "text/plain", "x".repeat(2_000_000)));

    private final KafkaHarness kafka = KafkaHarness.get();
    private final ObjectMapper json = new ObjectMapper();

    @AfterAll
    static void stop() {
        NEVER.countDown();
        SERVER.close();
    }

    private static NodeDispatchMessage http(String tenant, Map<String, Object> config) {
        return dispatch(tenant, "core.http.request", Map.of("orderId", "o-77"), config, Map.of());
    }

    @Test
    void theRequestArrivesWithExactlyTheConfiguredMethodHeadersQueryAndJsonBody() throws Exception {
        NodeDispatchMessage d = http("t-loopback", Map.of(
                "method", "POST",
                "url", SERVER.url("/echo"),
                "headers", Map.of("X-Trace", "abc", "X-Order", "${inputs.orderId}"),
                "query", new java.util.TreeMap<>(Map.of("page", 2, "tag", List.of("a", "b c"))),
                "body", Map.of("order", "${inputs.orderId}", "qty", 3),
                "auth", Map.of("type", "bearer", "secretRef", "api-token")));
        NodeResultMessage r = kafka.sendAndAwait(d);

        assertThat(r.outcome()).isEqualTo("completed");
        LoopbackServer.Received req = SERVER.received("/echo").stream()
                .filter(x -> d.invocationId().equals(x.header("Idempotency-Key"))).findFirst().orElseThrow();
        assertThat(req.method()).isEqualTo("POST");
        assertThat(req.query()).isEqualTo("page=2&tag=a&tag=b+c");
        assertThat(req.header("X-Trace")).isEqualTo("abc");
        assertThat(req.header("X-Order")).isEqualTo("o-77");
        assertThat(req.header("Authorization")).isEqualTo("Bearer " + TOKEN);
        assertThat(req.header("Content-Type")).isEqualTo("application/json");
        assertThat(json.readValue(req.body(), Map.class)).isEqualTo(Map.of("order", "o-77", "qty", 3));
        assertThat(r.http()).containsEntry("status", 201);
        assertThat(r.outputs()).containsEntry("status", 201);
        // The server echoed the token back: it is masked in the outputs and the preview.
        assertThat(String.valueOf(r.outputs().get("body"))).contains("[REDACTED]").doesNotContain(TOKEN);
        assertThat(String.valueOf(r.http().get("preview"))).contains("[REDACTED]").doesNotContain(TOKEN);
    }

    @Test
    void formBodiesBasicAuthAndApiKeyHeadersAreSentAsConfigured() {
        NodeDispatchMessage form = http("t-loopback", Map.of("method", "PUT", "url", SERVER.url("/echo"),
                "bodyType", "form", "body", new java.util.TreeMap<>(Map.of("a", "1 2", "b", "&")),
                "auth", Map.of("type", "basic", "username", "ann", "secretRef", "basic-pass")));
        NodeDispatchMessage raw = http("t-loopback", Map.of("method", "PATCH", "url", SERVER.url("/echo"),
                "body", "plain words", "contentType", "text/csv",
                "auth", Map.of("type", "apiKey", "header", "X-Api-Key", "secretRef", "api-token")));
        assertThat(kafka.sendAndAwait(form).outcome()).isEqualTo("completed");
        assertThat(kafka.sendAndAwait(raw).outcome()).isEqualTo("completed");

        LoopbackServer.Received f = byKey("/echo", form);
        assertThat(f.method()).isEqualTo("PUT");
        assertThat(f.header("Content-Type")).isEqualTo("application/x-www-form-urlencoded");
        assertThat(f.body()).isEqualTo("a=1+2&b=%26");
        assertThat(f.header("Authorization")).isEqualTo("Basic "
                + Base64.getEncoder().encodeToString(("ann:" + PASSWORD).getBytes(StandardCharsets.UTF_8)));
        LoopbackServer.Received p = byKey("/echo", raw);
        assertThat(p.header("Content-Type")).isEqualTo("text/csv");
        assertThat(p.body()).isEqualTo("plain words");
        assertThat(p.header("X-Api-Key")).isEqualTo(TOKEN);
    }

    @Test
    void a503AndA429AreRetriedThenTheCallSucceeds() {
        NodeDispatchMessage d = http("t-loopback", Map.of("method", "POST", "url", SERVER.url("/flaky"), "body", Map.of()));
        NodeResultMessage r = kafka.sendAndAwait(d);
        assertThat(r.outcome()).isEqualTo("completed");
        assertThat(r.outputs()).containsEntry("body", Map.of("attempt", 3));
        assertThat(r.http()).containsEntry("retries", 2);
        assertThat(SERVER.received("/flaky").stream().filter(x -> d.invocationId().equals(x.header("Idempotency-Key"))))
                .hasSize(3);
    }

    @Test
    void aServerThatNeverAnswersTimesTheNodeOutRetryably() {
        NodeResultMessage r = kafka.sendAndAwait(http("t-loopback", Map.of("url", SERVER.url("/hang"), "timeoutMs", 300)));
        assertThat(r.outcome()).isEqualTo("failed");
        assertThat(r.error()).containsEntry("code", "http_timeout").containsEntry("retryable", true);
    }

    @Test
    void aPersistent5xxFailsRetryablyWithStatusAndARedactedPreview() {
        NodeResultMessage r = kafka.sendAndAwait(http("t-loopback", Map.of("url", SERVER.url("/down"),
                "retry", Map.of("maxRetries", 1), "auth", Map.of("type", "bearer", "secretRef", "api-token"))));
        assertThat(r.outcome()).isEqualTo("failed");
        assertThat(r.error()).containsEntry("code", "http_status").containsEntry("retryable", true);
        assertThat(r.http()).containsEntry("status", 500).containsEntry("preview", "broken [REDACTED]");
    }

    @Test
    void aResponseOverTheSizeCapFailsWithAPreviewOfItsStart() {
        NodeResultMessage r = kafka.sendAndAwait(http("t-loopback", Map.of("url", SERVER.url("/big"))));
        assertThat(r.error()).containsEntry("code", "response_too_large").containsEntry("retryable", false);
        assertThat((String) r.http().get("preview")).hasSize(4096).matches("x+");
    }

    @Test
    void loopbackAndMetadataAddressesAreRefusedWithoutTheTenantsAllowance() {
        int before = SERVER.received("/echo").size();
        NodeResultMessage loop = kafka.sendAndAwait(http("t-other", Map.of("url", SERVER.url("/echo"))));
        NodeResultMessage meta = kafka.sendAndAwait(http("t-other",
                Map.of("url", "http://169.254.169.254/latest/meta-data/")));
        assertThat(loop.error()).containsEntry("code", "target_forbidden").containsEntry("retryable", false);
        assertThat(meta.error()).containsEntry("code", "target_forbidden");
        assertThat(SERVER.received("/echo")).hasSize(before);
    }

    @Test
    void aMissingSecretFailsNamingItWithoutAnyValue() {
        NodeResultMessage r = kafka.sendAndAwait(http("t-loopback", Map.of("url", SERVER.url("/echo"),
                "auth", Map.of("type", "bearer", "secretRef", "no-such-secret"))));
        assertThat(r.error()).containsEntry("code", "credential_unavailable");
        assertThat((String) r.error().get("message")).contains("no-such-secret");
    }

    @Test
    void secretValuesAppearInNoResultAndNoLogLine() throws Exception {
        try (LogCapture logs = LogCapture.install()) {
            NodeDispatchMessage ok = http("t-loopback", Map.of("method", "POST", "url", SERVER.url("/echo"),
                    "headers", Map.of("X-Copy", "${secrets.api-token}"), "body", Map.of("p", "${secrets.basic-pass}"),
                    "auth", Map.of("type", "bearer", "secretRef", "api-token")));
            NodeDispatchMessage bad = http("t-loopback", Map.of("url", SERVER.url("/down"),
                    "retry", Map.of("maxRetries", 0), "auth", Map.of("type", "bearer", "secretRef", "api-token")));
            kafka.sendAndAwait(ok);
            kafka.sendAndAwait(bad);
            // The secrets did reach the server...
            assertThat(byKey("/echo", ok).header("X-Copy")).isEqualTo(TOKEN);
            // ...and nothing the executor published or logged carries them.
            String published = json.writeValueAsString(kafka.allResults());
            assertThat(published).doesNotContain(TOKEN).doesNotContain(PASSWORD);
            assertThat(logs.lines()).noneMatch(l -> l.contains(TOKEN) || l.contains(PASSWORD));
        }
    }

    private static LoopbackServer.Received byKey(String path, NodeDispatchMessage d) {
        return SERVER.received(path).stream().filter(x -> d.invocationId().equals(x.header("Idempotency-Key")))
                .findFirst().orElseThrow();
    }
}
