package dev.capstan.webhook.messaging;

import static dev.capstan.webhook.testing.RunEventsTopic.event;
import static dev.capstan.webhook.testing.RunEventsTopic.started;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.capstan.common.identity.IdentityToken;
import dev.capstan.devstack.testing.Await;
import dev.capstan.devstack.testing.GatewayIdentity;
import dev.capstan.devstack.testing.KafkaTestResource;
import dev.capstan.devstack.testing.PostgresTestResource;
import dev.capstan.webhook.testing.RunEventsTopic;
import dev.capstan.webhook.testing.WebhookReceiver.Received;
import dev.capstan.webhook.testing.WebhookReceiver;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Delivery end to end: records published to the real {@code capstan.run.events} topic, the service's consumer
 * group, the real database, and a real HTTP receiver on loopback.
 */
@QuarkusTest
@TestProfile(DeliveryTestProfile.class)
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KafkaTestResource.class)
class WebhookDeliveryTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static WebhookReceiver receiver;
    private static RunEventsTopic topic;

    @Inject
    Pool pool;

    @BeforeAll
    static void start() throws Exception {
        receiver = new WebhookReceiver();
        topic = new RunEventsTopic();
    }

    @AfterAll
    static void stop() {
        receiver.close();
        topic.close();
    }

    private record Registered(String webhookId, String secret) {
    }

    private static Registered register(String tenant, String path, List<String> events, List<String> tags) {
        Map<String, Object> body = tags == null ? Map.of("url", receiver.url(path), "events", events)
                : Map.of("url", receiver.url(path), "events", events, "tags", tags);
        var response = given().header(IdentityToken.HEADER, GatewayIdentity.token(tenant, "webhooks:manage"))
                .contentType("application/json").body(body)
                .when().post("/v1/webhooks").then().statusCode(201).extract();
        return new Registered(response.path("webhookId"), response.path("secret"));
    }

    private static String newRun() {
        return "run_" + UUID.randomUUID().toString().replace("-", "");
    }

    private static JsonNode json(Received r) {
        try {
            return JSON.readTree(r.rawBody());
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Deliveries at {@code path} for {@code runId}, as (sequence) in arrival order. */
    private static List<Long> sequences(String path, String runId) {
        List<Long> out = new ArrayList<>();
        for (Received r : receiver.at(path)) {
            JsonNode body = json(r);
            if (body.path("runId").asText().equals(runId)) {
                out.add(body.path("event").path("sequence").asLong());
            }
        }
        return out;
    }

    private static String hmacHex(String secret, String signed) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(signed.getBytes(StandardCharsets.UTF_8)));
    }

    private Row delivery(String webhookId, String runId, long sequence) {
        var rows = pool.preparedQuery("SELECT outcome, status_code, error FROM webhook_deliveries "
                        + "WHERE webhook_id = $1 AND run_id = $2 AND sequence = $3")
                .execute(Tuple.of(webhookId, runId, sequence)).await().indefinitely();
        return rows.size() == 0 ? null : rows.iterator().next();
    }

    private Row subscription(String webhookId) {
        return pool.preparedQuery("SELECT status, consecutive_failures, circuit_open_until FROM webhook_subscriptions WHERE id = $1")
                .execute(Tuple.of(webhookId)).await().indefinitely().iterator().next();
    }

    /** Waits until the circuit's open period has passed (half-open): the next event is a probe. */
    private void awaitHalfOpen(String webhookId) {
        Await.until(() -> subscription(webhookId).getOffsetDateTime("circuit_open_until"),
                until -> until != null && until.toInstant().isBefore(Instant.now()), "the circuit of " + webhookId + " to half-open");
    }

    @Test
    void aSubscribedEventArrivesWithTheOpenwopHeadersAndAVerifiableSignature() throws Exception {
        Registered hook = register("tenant-sig", "/signed", List.of("run.started", "run.completed"), null);
        String runId = newRun();
        Map<String, Object> completed = event(runId, 2, "run.completed", Map.of("outputs", Map.of("answer", 42), "durationMs", 7));
        topic.publish("tenant-sig", runId, List.of(started(runId, List.of()),
                event(runId, 1, "node.started", Map.of("nodeId", "n", "typeId", "core.noop")), completed));

        Await.until(() -> sequences("/signed", runId), s -> s.size() == 2, "two deliveries");
        assertThat(sequences("/signed", runId)).containsExactly(0L, 2L);
        Received last = receiver.at("/signed").stream().filter(r -> json(r).path("event").path("sequence").asLong() == 2).findFirst().orElseThrow();
        Map<String, String> h = last.headers();
        assertThat(h.get("content-type")).isEqualTo("application/json");
        assertThat(h.get("user-agent")).matches("openwop-webhook-dispatcher/[0-9A-Za-z.-]+");
        assertThat(h.get("x-openwop-webhook-id")).isEqualTo(hook.webhookId());
        assertThat(h.get("x-openwop-event-type")).isEqualTo("run.completed");
        assertThat(h.get("x-openwop-signature-algorithm")).isEqualTo("v1");
        assertThat(h.get("x-openwop-timestamp")).matches("\\d+");
        // The subscriber's recipe (webhooks.md): HMAC-SHA256 over "{timestamp}.{rawBody}" with the secret.
        String expected = "sha256=" + hmacHex(hook.secret(), h.get("x-openwop-timestamp") + "." + last.body());
        assertThat(h.get("x-openwop-signature")).isEqualTo(expected);

        JsonNode body = json(last);
        assertThat(body.path("runId").asText()).isEqualTo(runId);
        assertThat(body.path("workspaceId").asText()).isEqualTo("tenant-sig");
        assertThat(body.path("type").asText()).isEqualTo("run.completed");
        // Verbatim: the RunEventDoc as published (read back through JSON so number types compare alike).
        assertThat(body.path("event")).isEqualTo(JSON.readTree(JSON.writeValueAsString(completed)));
        assertThat(delivery(hook.webhookId(), runId, 2).getString("outcome")).isEqualTo("delivered");
        assertThat(delivery(hook.webhookId(), runId, 2).getInteger("status_code")).isEqualTo(204);
    }

    @Test
    void eventsOfOtherTypesOtherTagsAndOtherTenantsAreNotDelivered() {
        Registered tagged = register("tenant-a", "/tagged", List.of("*"), List.of("prod"));
        Registered completions = register("tenant-a", "/completions", List.of("run.completed"), null);
        register("tenant-b", "/tenant-b", List.of("*"), null);
        String devRun = newRun();
        String prodRun = newRun();
        String otherTenantRun = newRun();
        for (String[] run : new String[][] {{devRun, "dev"}, {prodRun, "prod"}}) {
            topic.publish("tenant-a", run[0], List.of(started(run[0], List.of(run[1], "shared")),
                    event(run[0], 1, "node.started", Map.of("nodeId", "n", "typeId", "core.noop")),
                    event(run[0], 2, "node.completed", Map.of("nodeId", "n", "outputs", Map.of())),
                    event(run[0], 3, "run.completed", Map.of("outputs", Map.of()))));
        }
        topic.publish("tenant-b", otherTenantRun, List.of(started(otherTenantRun, List.of("prod")),
                event(otherTenantRun, 1, "run.completed", Map.of("outputs", Map.of()))));

        // A run's events are handled in order, so once its run.completed arrived somewhere, every earlier
        // event of the run has been offered to every subscription.
        Await.until(() -> sequences("/completions", devRun), s -> s.size() == 1, "the dev run's completion");
        Await.until(() -> sequences("/completions", prodRun), s -> s.size() == 1, "the prod run's completion");
        Await.until(() -> sequences("/tagged", prodRun), s -> s.size() == 4, "the prod run's four events");
        Await.until(() -> sequences("/tenant-b", otherTenantRun), s -> s.size() == 2, "tenant-b's own run");

        assertThat(sequences("/tagged", devRun)).as("a run without the subscription's tag").isEmpty();
        assertThat(sequences("/tagged", prodRun)).containsExactly(0L, 1L, 2L, 3L);
        assertThat(receiver.at("/completions")).as("only run.completed").allSatisfy(r ->
                assertThat(r.headers().get("x-openwop-event-type")).isEqualTo("run.completed"));
        assertThat(sequences("/tenant-b", devRun)).as("another tenant's run").isEmpty();
        assertThat(sequences("/tenant-b", prodRun)).as("another tenant's run, whatever its tags").isEmpty();
        assertThat(sequences("/tagged", otherTenantRun)).as("tenant-b's run to tenant-a's subscription").isEmpty();
        assertThat(delivery(tagged.webhookId(), devRun, 0)).isNull();
        assertThat(delivery(completions.webhookId(), devRun, 3).getString("outcome")).isEqualTo("delivered");
    }

    @Test
    void aRecordPublishedAgainDoesNotDeliverTwice() {
        Registered hook = register("tenant-dup", "/dedup", List.of("node.completed", "run.completed"), null);
        String runId = newRun();
        String first = topic.publish("tenant-dup", runId, List.of(started(runId, List.of()),
                event(runId, 1, "node.completed", Map.of("nodeId", "n", "outputs", Map.of()))));
        Await.until(() -> sequences("/dedup", runId), s -> s.size() == 1, "the first delivery");

        // At least once: run-service's sweep may publish the same commit again, byte for byte.
        topic.publishRaw(runId, first);
        topic.publish("tenant-dup", runId, List.of(event(runId, 2, "run.completed", Map.of("outputs", Map.of()))));
        // Same key, same partition: the repeated record was handled before the next one.
        Await.until(() -> sequences("/dedup", runId), s -> s.contains(2L), "the run's completion");
        assertThat(sequences("/dedup", runId)).containsExactly(1L, 2L);
        assertThat(delivery(hook.webhookId(), runId, 1).getString("outcome")).isEqualTo("delivered");
    }

    @Test
    void fourFailuresOpenTheCircuitTheFifthIsNotAttemptedAndAProbeAfterTheOpenPeriodClosesIt() {
        receiver.answer("/flaky", 500);
        Registered hook = register("tenant-flaky", "/flaky", List.of("node.completed"), null);
        String runId = newRun();
        List<Map<String, Object>> events = new ArrayList<>();
        events.add(started(runId, List.of()));
        for (int seq = 1; seq <= 5; seq++) {
            events.add(event(runId, seq, "node.completed", Map.of("nodeId", "n" + seq, "outputs", Map.of())));
        }
        topic.publish("tenant-flaky", runId, events);

        Await.until(() -> delivery(hook.webhookId(), runId, 5), row -> row != null && !"pending".equals(row.getString("outcome")),
                "the fifth event to be handled");
        assertThat(sequences("/flaky", runId)).containsExactly(1L, 2L, 3L, 4L);
        assertThat(delivery(hook.webhookId(), runId, 4).getString("outcome")).isEqualTo("failed");
        assertThat(delivery(hook.webhookId(), runId, 4).getInteger("status_code")).isEqualTo(500);
        assertThat(delivery(hook.webhookId(), runId, 5).getString("outcome")).isEqualTo("skipped");
        assertThat(subscription(hook.webhookId()).getInteger("consecutive_failures")).isEqualTo(4);

        receiver.answer("/flaky", 200);
        awaitHalfOpen(hook.webhookId());
        topic.publish("tenant-flaky", runId, List.of(event(runId, 6, "node.completed", Map.of("nodeId", "n6", "outputs", Map.of()))));
        Await.until(() -> sequences("/flaky", runId), s -> s.contains(6L), "the probe");
        Await.until(() -> subscription(hook.webhookId()).getInteger("consecutive_failures"), n -> n == 0, "the circuit to close");

        topic.publish("tenant-flaky", runId, List.of(event(runId, 7, "node.completed", Map.of("nodeId", "n7", "outputs", Map.of()))));
        Await.until(() -> sequences("/flaky", runId), s -> s.contains(7L), "a delivery on the closed circuit");
        assertThat(sequences("/flaky", runId)).containsExactly(1L, 2L, 3L, 4L, 6L, 7L);
    }

    @Test
    void aSubscriptionThatKeepsFailingIsMarkedFailedAndGetsNothingMore() {
        receiver.answer("/broken", 503);
        Registered hook = register("tenant-broken", "/broken", List.of("node.completed"), null);
        String runId = newRun();
        List<Map<String, Object>> events = new ArrayList<>();
        events.add(started(runId, List.of()));
        for (int seq = 1; seq <= 4; seq++) {
            events.add(event(runId, seq, "node.completed", Map.of("nodeId", "n" + seq, "outputs", Map.of())));
        }
        topic.publish("tenant-broken", runId, events);
        Await.until(() -> subscription(hook.webhookId()).getInteger("consecutive_failures"), n -> n == 4, "the circuit to open");

        // Two failed probes bring the failures to the profile's limit of 6.
        for (int seq = 5; seq <= 6; seq++) {
            awaitHalfOpen(hook.webhookId());
            topic.publish("tenant-broken", runId, List.of(event(runId, seq, "node.completed", Map.of("nodeId", "n", "outputs", Map.of()))));
            int expected = seq;
            Await.until(() -> subscription(hook.webhookId()).getInteger("consecutive_failures"), n -> n == expected, "probe " + seq);
        }
        Await.until(() -> subscription(hook.webhookId()).getString("status"), "failed"::equals, "the subscription to be failed");

        awaitHalfOpen(hook.webhookId());
        receiver.answer("/broken", 204);
        register("tenant-broken", "/witness", List.of("node.completed"), null);
        topic.publish("tenant-broken", runId, List.of(event(runId, 7, "node.completed", Map.of("nodeId", "n", "outputs", Map.of()))));
        Await.until(() -> sequences("/witness", runId), s -> s.contains(7L), "the event to reach a healthy subscription");
        assertThat(sequences("/broken", runId)).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
        assertThat(delivery(hook.webhookId(), runId, 7)).as("a failed subscription is not even considered").isNull();
    }

    @Test
    void aForksCopiedHistoryIsNotDeliveredAgain() {
        register("tenant-fork", "/fork", List.of("*"), List.of("forked-tag"));
        String source = newRun();
        List<Map<String, Object>> sourceEvents = List.of(started(source, List.of("forked-tag")),
                event(source, 1, "node.completed", Map.of("nodeId", "a", "outputs", Map.of())),
                event(source, 2, "node.completed", Map.of("nodeId", "b", "outputs", Map.of())),
                event(source, 3, "run.completed", Map.of("outputs", Map.of())));
        topic.publish("tenant-fork", source, sourceEvents);
        Await.until(() -> sequences("/fork", source), s -> s.size() == 4, "the source run's events");

        // run-service's fork from fromSeq 2: the source's events 0 and 1 under the new run id (same event ids),
        // then capstan.run.forked at sequence 2, then the fork's own events.
        String fork = newRun();
        List<Map<String, Object>> forkFirst = new ArrayList<>();
        for (Map<String, Object> copied : sourceEvents.subList(0, 2)) {
            Map<String, Object> moved = new java.util.LinkedHashMap<>(copied);
            moved.put("runId", fork);
            forkFirst.add(moved);
        }
        forkFirst.add(event(fork, 2, "capstan.run.forked", Map.of("sourceRunId", source, "fromSeq", 2, "mode", "replay",
                "optionsOverlay", Map.of())));
        forkFirst.add(event(fork, 3, "node.started", Map.of("nodeId", "b", "typeId", "core.noop")));
        topic.publish("tenant-fork", fork, forkFirst);
        // A later record of the fork: its tags (copied from the source's run.started) were remembered.
        topic.publish("tenant-fork", fork, List.of(event(fork, 4, "node.completed", Map.of("nodeId", "b", "outputs", Map.of())),
                event(fork, 5, "run.completed", Map.of("outputs", Map.of()))));

        Await.until(() -> sequences("/fork", fork), s -> s.contains(5L), "the fork's completion");
        assertThat(sequences("/fork", fork)).containsExactly(2L, 3L, 4L, 5L);
        assertThat(sequences("/fork", source)).containsExactly(0L, 1L, 2L, 3L);
    }

    @Test
    void aRedirectIsAFailedAttemptAndIsNotFollowed() {
        receiver.answer("/moved", 302);
        Registered hook = register("tenant-moved", "/moved", List.of("run.completed"), null);
        String runId = newRun();
        topic.publish("tenant-moved", runId, List.of(started(runId, List.of()), event(runId, 1, "run.completed", Map.of())));
        Await.until(() -> delivery(hook.webhookId(), runId, 1), row -> row != null && !"pending".equals(row.getString("outcome")),
                "the attempt to be recorded");
        assertThat(delivery(hook.webhookId(), runId, 1).getString("outcome")).isEqualTo("failed");
        assertThat(delivery(hook.webhookId(), runId, 1).getInteger("status_code")).isEqualTo(302);
        assertThat(receiver.at("/redirected/moved")).isEmpty();
        assertThat(subscription(hook.webhookId()).getInteger("consecutive_failures")).isEqualTo(1);
    }

    @Test
    void anUnreadableRecordIsSetAsideAndDeliveryGoesOn() {
        register("tenant-bad", "/after-bad", List.of("run.completed"), null);
        String runId = newRun();
        topic.publishRaw(runId, "{not json");
        topic.publishRaw(runId, "{\"v\":99,\"tenantId\":\"tenant-bad\",\"runId\":\"" + runId + "\",\"events\":[]}");
        topic.publish("tenant-bad", runId, List.of(started(runId, List.of()), event(runId, 1, "run.completed", Map.of())));
        Await.until(() -> sequences("/after-bad", runId), s -> s.equals(List.of(1L)), "the delivery after the bad records");
    }
}
