package dev.capstan.run.rest;

import static dev.capstan.run.testing.RunsClient.awaitDispatch;
import static dev.capstan.run.testing.RunsClient.caller;
import static dev.capstan.run.testing.RunsClient.eventsUntil;
import static dev.capstan.run.testing.RunsClient.eventsUntilComplete;
import static dev.capstan.run.testing.RunsClient.oneNodeDefinition;
import static dev.capstan.run.testing.RunsClient.start;
import static dev.capstan.run.testing.RunsClient.types;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.capstan.common.identity.IdentityToken;
import dev.capstan.common.messaging.NodeDispatchMessage;
import dev.capstan.common.messaging.Topics;
import dev.capstan.devstack.testing.HoldingServer;
import dev.capstan.run.testing.WithTestExecutor;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * The engine's CancelNode leaves run-service: cancelling a run publishes {@code capstan.node.cancel} for the attempt an
 * executor runs (and the attempt's late result changes nothing), and stops a local node's HTTP request in place.
 */
@QuarkusTest
@TestProfile(NodeCancelTest.LocalNodesOn.class)
class NodeCancelTest extends WithTestExecutor {

    /** Local nodes on with the default lease, so a held local request is not handed to the executors meanwhile. */
    public static class LocalNodesOn implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("capstan.run.local-nodes.enabled", "true");
        }
    }

    private static final String TENANT = "t-loopback";
    private final ObjectMapper json = new ObjectMapper();

    private static void register(String definition) {
        given().header(IdentityToken.HEADER, caller(TENANT)).contentType("application/json").body(definition)
                .when().post("/v1/workflows").then().statusCode(201);
    }

    private static void cancel(String runId) {
        given().header(IdentityToken.HEADER, caller(TENANT)).contentType("application/json").body(Map.of("reason", "test"))
                .when().post("/v1/runs/" + runId + "/cancel").then().statusCode(200).body("status", equalTo("cancelled"));
    }

    /** Every cancel record for the run on the real topic, read from the beginning by a group of the test's own. */
    private List<JsonNode> cancelsOf(String runId, int atLeast) throws Exception {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class));
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "cancel-reader-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<JsonNode> found = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(Topics.NODE_CANCEL));
            long end = System.currentTimeMillis() + 60_000;
            while (found.size() < atLeast && System.currentTimeMillis() < end) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    JsonNode m = json.readTree(r.value());
                    if (runId.equals(m.path("runId").asText())) {
                        found.add(m);
                        keys.add(r.key());
                    }
                }
            }
        }
        assertThat(keys).allMatch(runId::equals);
        return found;
    }

    @Test
    void cancellingARunPublishesACancelForTheExecutorsAttemptAndItsLateResultChangesNothing() throws Exception {
        String workflowId = "held-" + UUID.randomUUID().toString().substring(0, 8);
        register(oneNodeDefinition(workflowId, "held", "test.hold"));
        String runId = start(TENANT, workflowId, Map.of());
        eventsUntil(TENANT, runId, "node.started");
        NodeDispatchMessage dispatched = awaitDispatch(executor, runId);

        cancel(runId);

        List<JsonNode> cancels = cancelsOf(runId, 1);
        assertThat(cancels).hasSize(1);
        JsonNode c = cancels.get(0);
        assertThat(c.path("v").asInt()).isEqualTo(1);
        assertThat(c.path("tenantId").asText()).isEqualTo(TENANT);
        assertThat(c.path("nodeId").asText()).isEqualTo("n");
        assertThat(c.path("attempt").asInt()).isEqualTo(dispatched.attempt());
        assertThat(c.path("reason").asText()).isEqualTo("run-cancelled");
        assertThat(c.path("cancelledAtEpochMs").asLong()).isPositive();

        executor.complete(dispatched);
        // Something after the late result, to be sure it was consumed: a second run of the same workflow completes.
        String next = start(TENANT, workflowId, Map.of());
        eventsUntil(TENANT, next, "node.started");
        executor.complete(awaitDispatch(executor, next));
        assertThat(types(eventsUntilComplete(TENANT, next))).endsWith("run.completed");
        List<String> events = types(eventsUntilComplete(TENANT, runId));
        assertThat(events).endsWith("run.cancelled").doesNotContain("node.completed");
        given().header(IdentityToken.HEADER, caller(TENANT)).when().get("/v1/runs/" + runId)
                .then().statusCode(200).body("status", equalTo("cancelled"));
    }

    @Test
    void cancellingARunAbortsItsRunningLocalHttpNodeInPlace() throws Exception {
        try (HoldingServer target = new HoldingServer()) {
            String workflowId = "held-local-" + UUID.randomUUID().toString().substring(0, 8);
            register("{\"id\":\"" + workflowId + "\",\"name\":\"held local\",\"version\":\"1.0\",\"nodes\":[{\"id\":\"call\","
                    + "\"typeId\":\"core.http.request\",\"name\":\"call\",\"position\":{\"x\":0,\"y\":0},\"inputs\":{},"
                    + "\"config\":{\"method\":\"POST\",\"url\":\"" + target.url("/hold") + "\",\"body\":{\"a\":1}}}],"
                    + "\"edges\":[],\"triggers\":[],\"variables\":[],\"metadata\":{},\"settings\":{}}");
            String runId = start(TENANT, workflowId, Map.of());
            long end = System.currentTimeMillis() + 60_000;
            while (target.held().isEmpty() && System.currentTimeMillis() < end) {
                Thread.sleep(20);
            }
            assertThat(target.held()).hasSize(1);

            cancel(runId);

            // Nothing else closes it before the request's own timeout (30 s for local nodes).
            end = System.currentTimeMillis() + 25_000;
            while (!target.held().get(0).closedByClient() && System.currentTimeMillis() < end) {
                Thread.sleep(20);
            }
            assertThat(target.held().get(0).closedByClient()).as("the local request's connection was closed").isTrue();
            assertThat(target.held()).hasSize(1);
            assertThat(types(eventsUntilComplete(TENANT, runId))).endsWith("run.cancelled").doesNotContain("node.completed");
            assertThat(executor.received()).noneMatch(d -> d.runId().equals(runId));
        }
    }
}
