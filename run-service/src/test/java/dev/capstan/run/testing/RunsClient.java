package dev.capstan.run.testing;

import static io.restassured.RestAssured.given;

import dev.capstan.common.identity.IdentityToken;
import dev.capstan.devstack.testing.GatewayIdentity;
import io.restassured.path.json.JsonPath;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The runs API as a test uses it, with the gateway's identity of a tenant holding every run scope. */
public final class RunsClient {

    private RunsClient() {
    }

    public static String caller(String tenant) {
        return GatewayIdentity.token(tenant, "workspace:write", "manifest:read", "runs:create", "runs:read", "runs:cancel",
                "approvals:respond");
    }

    /** Registers a conformance fixture from {@code src/test/resources/fixtures}. */
    public static void register(String tenant, String fixture) throws IOException {
        try (InputStream in = RunsClient.class.getResourceAsStream("/fixtures/" + fixture + ".json")) {
            given().header(IdentityToken.HEADER, caller(tenant)).contentType("application/json")
                    .body(new String(in.readAllBytes(), StandardCharsets.UTF_8))
                    .when().post("/v1/workflows").then().statusCode(201);
        }
    }

    /** A valid one-node OpenWOP definition with this id. */
    public static String noopDefinition(String workflowId, String name) {
        return oneNodeDefinition(workflowId, name, "core.noop");
    }

    /** A valid one-node OpenWOP definition whose node {@code n} has this type. */
    public static String oneNodeDefinition(String workflowId, String name, String typeId) {
        return "{\"id\":\"" + workflowId + "\",\"name\":\"" + name + "\",\"version\":\"1.0\","
                + "\"nodes\":[{\"id\":\"n\",\"typeId\":\"" + typeId + "\",\"name\":\"N\",\"position\":{\"x\":0,\"y\":0},"
                + "\"config\":{},\"inputs\":{}}],\"edges\":[],\"triggers\":[],\"variables\":[],\"metadata\":{},\"settings\":{}}";
    }

    public static String start(String tenant, String workflowId, Map<String, Object> inputs) {
        return given().header(IdentityToken.HEADER, caller(tenant)).contentType("application/json")
                .body(Map.of("workflowId", workflowId, "inputs", inputs, "tags", List.of("t1")))
                .when().post("/v1/runs")
                .then().statusCode(201)
                .body("eventsUrl", org.hamcrest.Matchers.endsWith("/events"))
                .extract().path("runId");
    }

    /** Long-polls the log until the terminal event; returns every event in order. */
    public static List<Map<String, Object>> eventsUntilComplete(String tenant, String runId) {
        List<Map<String, Object>> events = new ArrayList<>();
        long last = -1;
        for (int polls = 0; polls < 60; polls++) {
            JsonPath page = given().header(IdentityToken.HEADER, caller(tenant))
                    .queryParam("lastSequence", last).queryParam("timeout", 5)
                    .when().get("/v1/runs/" + runId + "/events/poll")
                    .then().statusCode(200).extract().jsonPath();
            List<Map<String, Object>> batch = page.getList("events");
            events.addAll(batch);
            if (!batch.isEmpty()) {
                last = ((Number) batch.get(batch.size() - 1).get("sequence")).longValue();
            }
            if (page.getBoolean("isComplete")) {
                return events;
            }
        }
        throw new AssertionError("run " + runId + " did not finish; events so far: " + events);
    }

    /** Long-polls until an event of {@code type} is in the log; returns the events up to and including it. */
    public static List<Map<String, Object>> eventsUntil(String tenant, String runId, String type) {
        List<Map<String, Object>> events = new ArrayList<>();
        long last = -1;
        for (int polls = 0; polls < 60; polls++) {
            List<Map<String, Object>> batch = given().header(IdentityToken.HEADER, caller(tenant))
                    .queryParam("lastSequence", last).queryParam("timeout", 5)
                    .when().get("/v1/runs/" + runId + "/events/poll")
                    .then().statusCode(200).extract().jsonPath().getList("events");
            for (Map<String, Object> event : batch) {
                events.add(event);
                last = ((Number) event.get("sequence")).longValue();
                if (type.equals(event.get("type"))) {
                    return events;
                }
            }
        }
        throw new AssertionError("no " + type + " in run " + runId + "; events: " + events);
    }

    public static List<String> types(List<Map<String, Object>> events) {
        return events.stream().map(e -> (String) e.get("type")).toList();
    }

    /** The dispatch of the run the test executor has received, waiting for it. */
    public static dev.capstan.common.messaging.NodeDispatchMessage awaitDispatch(TestExecutor executor, String runId)
            throws InterruptedException {
        long end = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < end) {
            for (dev.capstan.common.messaging.NodeDispatchMessage d : executor.received()) {
                if (d.runId().equals(runId)) {
                    return d;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no dispatch of run " + runId);
    }
}
