package dev.capstan.executor.rest;

import static dev.capstan.executor.KafkaHarness.dispatch;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.containsString;

import dev.capstan.common.messaging.NodeResultMessage;
import dev.capstan.devstack.testing.KafkaTestResource;
import dev.capstan.devstack.testing.PostgresTestResource;
import dev.capstan.executor.KafkaHarness;
import dev.capstan.executor.LogCapture;
import dev.capstan.executor.LoopbackServer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Tenant secrets and policy from the store: written through the admin API (bearer token from config), encrypted
 * at rest, used by nodes, never returned, logged or published.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(PostgresTestResource.class)
class TenantAdminTest {

    private static final String TOKEN = "Bearer test-admin-token-0123456789";

    @Inject
    Pool pool;

    private final KafkaHarness kafka = KafkaHarness.get();

    private static String tenant() {
        return "t-store-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static void putSecret(String tenant, String name, String value) {
        given().header("Authorization", TOKEN).contentType(ContentType.JSON).body(Map.of("value", value))
                .put("/admin/v1/tenants/{t}/secrets/{n}", tenant, name).then().statusCode(204);
    }

    @Test
    void withoutTheAdminTokenEveryCallIsRefusedWithTheErrorEnvelope() {
        String t = tenant();
        given().contentType(ContentType.JSON).body(Map.of("value", "x-value-1"))
                .put("/admin/v1/tenants/{t}/secrets/a", t).then().statusCode(401)
                .body("error", equalTo("unauthenticated")).body("message", not(containsString("test-admin-token")));
        given().header("Authorization", "Bearer wrong").get("/admin/v1/tenants/{t}/secrets", t).then().statusCode(401)
                .body("error", equalTo("unauthenticated"));
        given().header("Authorization", TOKEN).contentType(ContentType.JSON).body(Map.of("value", "v-1234"))
                .put("/admin/v1/tenants/{t}/secrets/{n}", t, "bad name!").then().statusCode(400)
                .body("error", equalTo("validation_error"));
        given().header("Authorization", TOKEN).delete("/admin/v1/tenants/{t}/secrets/none", t).then().statusCode(404)
                .body("error", equalTo("not_found"));
    }

    @Test
    void aStoredSecretIsEncryptedAtRestListedByNameOnlyUsedByNodesAndRedactedEverywhere() {
        String t = tenant();
        String value = "stored-SECRET-" + UUID.randomUUID();
        try (LoopbackServer server = new LoopbackServer().route("/echo", ex -> LoopbackServer.respond(ex, 200,
                "application/json", "{\"echo\":\"" + ex.getRequestHeaders().getFirst("Authorization") + "\"}"));
             LogCapture logs = LogCapture.install()) {
            putSecret(t, "crm-token", value);
            putSecret(t, "other", "other-value-xyz");
            given().header("Authorization", TOKEN).get("/admin/v1/tenants/{t}/secrets", t).then().statusCode(200)
                    .body("names", equalTo(List.of("crm-token", "other"))).body(not(containsString(value)));

            // At rest: ciphertext under a nonce, not the value.
            for (Row r : pool.preparedQuery("SELECT ciphertext FROM tenant_secrets WHERE tenant_id = $1").execute(Tuple.of(t))
                    .await().atMost(Duration.ofSeconds(10))) {
                assertThat(new String(r.getBuffer("ciphertext").getBytes(), StandardCharsets.ISO_8859_1)).doesNotContain(value)
                        .doesNotContain("other-value-xyz");
            }

            // The private-target policy comes from the store too: this tenant is in no config list.
            given().header("Authorization", TOKEN).contentType(ContentType.JSON).body(Map.of("allowPrivateTargets", true))
                    .put("/admin/v1/tenants/{t}/policy", t).then().statusCode(200).body("allowPrivateTargets", equalTo(true));

            NodeResultMessage r = kafka.sendAndAwait(dispatch(t, "core.http.request", Map.of(), Map.of("method", "POST",
                    "url", server.url("/echo"), "auth", Map.of("type", "bearer", "secretRef", "crm-token"), "body", Map.of()), Map.of()));
            assertThat(r.outcome()).isEqualTo("completed");
            assertThat(server.received("/echo").get(0).header("authorization")).isEqualTo("Bearer " + value);
            assertThat(r.outputs().toString()).doesNotContain(value).contains("[REDACTED]");
            assertThat(kafka.resultsOf(r.invocationId()).toString()).doesNotContain(value);
            assertThat(String.join("\n", logs.lines())).doesNotContain(value);

            // Deleted: the node can no longer use it (this instance's cache was cleared by the write).
            given().header("Authorization", TOKEN).delete("/admin/v1/tenants/{t}/secrets/crm-token", t).then().statusCode(204);
            NodeResultMessage gone = kafka.sendAndAwait(dispatch(t, "core.http.request", Map.of(), Map.of("url",
                    server.url("/echo"), "auth", Map.of("type", "bearer", "secretRef", "crm-token")), Map.of()));
            assertThat(gone.error()).containsEntry("code", "credential_unavailable");
            assertThat(gone.error().toString()).doesNotContain(value);
        }
    }

    @Test
    void aStoredSecretOverridesTheConfigOneOfTheSameNameAndConfigSecretsStillWork() {
        // t-loopback has api-token and basic-pass in config.
        String stored = "override-SECRET-" + UUID.randomUUID().toString().substring(0, 8);
        try (LoopbackServer server = new LoopbackServer().route("/h", ex -> LoopbackServer.respond(ex, 200, "text/plain", "ok"))) {
            putSecret("t-loopback", "stored-only", stored);
            NodeResultMessage r = kafka.sendAndAwait(dispatch("t-loopback", "core.http.request", Map.of(), Map.of("url",
                    server.url("/h"), "headers", Map.of("X-Stored", "${secrets.stored-only}", "X-Config", "${secrets.basic-pass}")),
                    Map.of()));
            assertThat(r.outcome()).isEqualTo("completed");
            assertThat(server.received("/h").get(0).header("x-stored")).isEqualTo(stored);
            assertThat(server.received("/h").get(0).header("x-config")).isEqualTo("pw-SECRET-987zyx");
        } finally {
            given().header("Authorization", TOKEN).delete("/admin/v1/tenants/t-loopback/secrets/stored-only").then().statusCode(204);
        }
    }

    @Test
    void theStoredExecPolicyOpensTheShellGateForATenantAndClosesItForAListedOne() {
        String t = tenant();
        Map<String, Object> echo = Map.of("argv", List.of("echo", "ok"));
        assertThat(kafka.sendAndAwait(dispatch(t, "core.shell", Map.of(), echo, Map.of("allowExec", true))).error())
                .containsEntry("code", "exec_forbidden");
        given().header("Authorization", TOKEN).contentType(ContentType.JSON).body(Map.of("allowExec", true))
                .put("/admin/v1/tenants/{t}/policy", t).then().statusCode(200).body("allowExec", equalTo(true));
        NodeResultMessage ran = kafka.sendAndAwait(dispatch(t, "core.shell", Map.of(), echo, Map.of("allowExec", true)));
        assertThat(ran.outputs()).containsEntry("stdout", "ok\n");
        // The run's own gate still applies.
        assertThat(kafka.sendAndAwait(dispatch(t, "core.shell", Map.of(), echo, Map.of())).error())
                .containsEntry("code", "exec_forbidden");
    }
}
