package dev.capstan.run.rest;

import static dev.capstan.run.testing.RunsClient.caller;
import static dev.capstan.run.testing.RunsClient.eventsUntilComplete;
import static dev.capstan.run.testing.RunsClient.register;
import static dev.capstan.run.testing.RunsClient.start;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.capstan.common.identity.IdentityToken;
import dev.capstan.run.testing.RunsClient;
import dev.capstan.run.testing.SseReader;
import dev.capstan.run.testing.SseReader.Frame;
import io.quarkus.test.common.http.TestHTTPResource;
import dev.capstan.run.testing.WithTestExecutor;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.URL;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
class RunEventStreamTest extends WithTestExecutor {

    private static final String TENANT = "tenant-sse";
    private final ObjectMapper json = new ObjectMapper();

    @TestHTTPResource("/")
    URL base;

    private SseReader.Result stream(String runId, String query, Map<String, String> extraHeaders) throws Exception {
        Map<String, String> headers = new HashMap<>(extraHeaders);
        headers.put(IdentityToken.HEADER, caller(TENANT));
        return SseReader.read(URI.create(base.toString() + "v1/runs/" + runId + "/events" + query), headers);
    }

    private String finishedNoopRun() throws Exception {
        register(TENANT, "conformance-noop");
        String runId = start(TENANT, "conformance-noop", Map.of());
        eventsUntilComplete(TENANT, runId);
        return runId;
    }

    private List<String> types(List<Frame> frames) throws Exception {
        List<String> types = new ArrayList<>();
        for (Frame frame : frames) {
            types.add(json.readTree(frame.data()).get("type").asText());
        }
        return types;
    }

    @Test
    void updatesModeSendsStateTransitionsWithTheirSequenceAsIdAndClosesAfterTheTerminalEvent() throws Exception {
        String runId = finishedNoopRun();
        SseReader.Result result = stream(runId, "", Map.of());

        assertThat(result.status()).isEqualTo(200);
        assertThat(result.contentType()).startsWith("text/event-stream");
        List<String> types = types(result.frames());
        assertThat(types).startsWith("run.started").endsWith("run.completed").contains("node.completed").doesNotContain("node.started");
        for (Frame frame : result.frames()) {
            JsonNode doc = json.readTree(frame.data());
            assertThat(frame.id()).isEqualTo(doc.get("sequence").asText());
            assertThat(frame.event()).isEqualTo(doc.get("type").asText());
        }
    }

    @Test
    void debugModeAlsoSendsNodeStarted() throws Exception {
        String runId = finishedNoopRun();
        assertThat(types(stream(runId, "?streamMode=debug", Map.of()).frames())).contains("node.started", "run.completed");
    }

    @Test
    void resumingWithLastEventIdContinuesAfterItWithoutDuplicates() throws Exception {
        String runId = finishedNoopRun();
        List<Frame> all = stream(runId, "?streamMode=debug", Map.of()).frames();
        Frame second = all.get(1);
        List<Frame> resumed = stream(runId, "?streamMode=debug", Map.of("Last-Event-ID", second.id())).frames();

        assertThat(resumed).extracting(Frame::id).containsExactlyElementsOf(all.subList(2, all.size()).stream().map(Frame::id).toList());
    }

    @Test
    void valuesModeSendsASnapshotPerTransitionEndingCompleted() throws Exception {
        String runId = finishedNoopRun();
        List<Frame> frames = stream(runId, "?streamMode=values", Map.of()).frames();

        assertThat(frames).isNotEmpty().allSatisfy(frame -> assertThat(frame.event()).isEqualTo("state.snapshot"));
        JsonNode last = json.readTree(frames.get(frames.size() - 1).data());
        assertThat(last.at("/payload/status").asText()).isEqualTo("completed");
        assertThat(last.at("/payload/runId").asText()).isEqualTo(runId);
    }

    @Test
    void bufferedStreamsSendBatchesAndFlushOnTheTerminalEvent() throws Exception {
        String runId = finishedNoopRun();
        List<Frame> frames = stream(runId, "?bufferMs=2000", Map.of()).frames();

        assertThat(frames).isNotEmpty().allSatisfy(frame -> assertThat(frame.event()).isEqualTo("batch"));
        JsonNode lastBatch = json.readTree(frames.get(frames.size() - 1).data());
        JsonNode lastEvent = lastBatch.get(lastBatch.size() - 1);
        assertThat(lastEvent.get("type").asText()).isEqualTo("run.completed");
        assertThat(frames.get(frames.size() - 1).id()).isEqualTo(lastEvent.get("sequence").asText());
    }

    @Test
    void aLiveStreamDeliversEventsCommittedAfterItOpened() throws Exception {
        register(TENANT, "conformance-delay");
        String runId = start(TENANT, "conformance-delay", Map.of("delayMs", 1500));
        SseReader.Result result = stream(runId, "", Map.of());

        assertThat(types(result.frames())).startsWith("run.started").endsWith("run.completed");
    }

    @Test
    void invalidStreamParametersAreRefusedBeforeStreaming() throws Exception {
        String runId = finishedNoopRun();
        SseReader.Result unknown = stream(runId, "?streamMode=tokens", Map.of());
        assertThat(unknown.status()).isEqualTo(400);
        JsonNode envelope = json.readTree(unknown.body());
        assertThat(envelope.get("error").asText()).isEqualTo("unsupported_stream_mode");
        assertThat(envelope.at("/details/supported").toString()).contains("updates", "values", "messages", "debug");

        assertThat(json.readTree(stream(runId, "?streamMode=values,updates", Map.of()).body()).get("error").asText())
                .isEqualTo("unsupported_stream_mode");
        SseReader.Result buffer = stream(runId, "?bufferMs=6000", Map.of());
        assertThat(buffer.status()).isEqualTo(400);
        assertThat(json.readTree(buffer.body()).get("error").asText()).isEqualTo("validation_error");
    }

    @Test
    void anotherTenantCannotStreamTheRun() throws Exception {
        String runId = finishedNoopRun();
        SseReader.Result result = SseReader.read(URI.create(base.toString() + "v1/runs/" + runId + "/events"),
                Map.of(IdentityToken.HEADER, caller("tenant-intruder")));
        assertThat(result.status()).isEqualTo(404);
        assertThat(json.readTree(result.body()).get("error").asText()).isEqualTo("not_found");
    }

    @Test
    void messagesModeCarriesTheNodesStreamedChunksInOrder() throws Exception {
        given().header(IdentityToken.HEADER, caller(TENANT)).contentType("application/json")
                .body(RunsClient.oneNodeDefinition("wf-stream", "Streams", "test.stream"))
                .when().post("/v1/workflows").then().statusCode(201);
        String runId = start(TENANT, "wf-stream", Map.of());
        eventsUntilComplete(TENANT, runId);

        List<Frame> messages = stream(runId, "?streamMode=messages", Map.of()).frames();
        assertThat(messages).extracting(Frame::event).containsExactly("ai.message.chunk", "ai.message.chunk");
        assertThat(json.readTree(messages.get(0).data()).at("/payload/chunk").asText()).isEqualTo("Hel");
        assertThat(json.readTree(messages.get(1).data()).at("/payload/isLast").asBoolean()).isTrue();
        assertThat(types(stream(runId, "", Map.of()).frames())).doesNotContain("ai.message.chunk").endsWith("run.completed");
        assertThat(types(stream(runId, "?streamMode=updates,messages", Map.of()).frames()))
                .contains("ai.message.chunk", "node.completed").endsWith("run.completed");
    }
}
