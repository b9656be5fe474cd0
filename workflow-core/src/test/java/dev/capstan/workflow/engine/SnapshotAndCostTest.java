package dev.capstan.workflow.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.workflow.cost.CostTotals;
import dev.capstan.workflow.error.ErrorInfo;
import dev.capstan.workflow.load.SchemaValidator;
import dev.capstan.workflow.state.RunSnapshots;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SnapshotAndCostTest {

    private static final String SNAPSHOT = "https://openwop.dev/spec/v1/run-snapshot.schema.json";

    @Test
    void perNodeAndPerRunCostsAddUpAcrossAttempts() {
        RunDriver run = new RunDriver(Defs.graph("{}", new String[] {
                "a:core.llm:{\"retry\": {\"maxRetries\": 1, \"backoff\": \"fixed\", \"initialDelayMs\": 0}}", "b:core.llm"}, "a>b"));
        run.start(Map.of());
        run.send(new RunInput.NodeFailed("a", 0, ErrorInfo.retryable("rate_limited", "429"), new CostTotals(0.01, 100, 0)));
        run.send(new RunInput.NodeCompleted("a", 1, Map.of(), new CostTotals(0.02, 200, 50), Map.of()));
        run.send(new RunInput.NodeCompleted("b", 0, Map.of(), new CostTotals(0.5, 1000, 400), Map.of()));
        assertThat(run.state.nodeCosts().get("a").usd()).isCloseTo(0.03, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(run.state.nodeCosts().get("a").inputTokens()).isEqualTo(300);
        assertThat(run.state.cost().inputTokens()).isEqualTo(1300);
        assertThat(run.state.cost().outputTokens()).isEqualTo(450);
    }

    @Test
    void runStartedRecordsTheRunsTagsAndMetadataAndStillMatchesTheOpenWopSchemas() {
        RunDriver run = new RunDriver(Defs.openWopFixture("conformance-noop.json"));
        run.send(new RunInput.Start(Map.of(), null, java.util.List.of("billing", "eu"), Map.of("ticket", "T-7")));
        assertThat(run.log.get(0).payload()).containsEntry("tags", java.util.List.of("billing", "eu"))
                .containsEntry("metadata", Map.of("ticket", "T-7"));
        FixtureRunTest.assertEventsMatchOpenWopSchemas(run.log);
    }

    @Test
    void aWaitingRunsSnapshotNamesTheInterruptedNodeAndValidates() {
        RunDriver run = new RunDriver(Defs.openWopFixture("conformance-approval.json"));
        run.start(Map.of());
        Map<String, Object> snap = RunSnapshots.toSnapshot(run.state, "capstan-test");
        assertThat(snap).containsEntry("status", "waiting-approval").containsEntry("currentNodeId", "gate");
        assertThat(SchemaValidator.validateAgainstId(SNAPSHOT, snap)).isEmpty();
    }

    @Test
    void aFailedRunsSnapshotCarriesTheErrorAndValidates() {
        RunDriver run = new RunDriver(Defs.openWopFixture("conformance-failure.json"));
        run.start(Map.of());
        String nodeId = run.dispatchedLast().get(0);
        run.send(new RunInput.NodeFailed(nodeId, run.state.node(nodeId).attempt(), ErrorInfo.of("boom", "failed on purpose")));
        Map<String, Object> snap = RunSnapshots.toSnapshot(run.state, null);
        assertThat(snap).containsEntry("status", "failed");
        assertThat(dev.capstan.workflow.model.Values.asMap(snap.get("error"))).containsEntry("code", "boom");
        assertThat(SchemaValidator.validateAgainstId(SNAPSHOT, snap)).isEmpty();
    }
}
