package dev.capstan.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.workflow.engine.Decision;
import dev.capstan.workflow.engine.Engine;
import dev.capstan.workflow.engine.IdSource;
import dev.capstan.workflow.event.RunEvent;
import dev.capstan.workflow.model.RunStatus;
import dev.capstan.workflow.model.WorkflowDefinition;
import dev.capstan.workflow.state.RunFold;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The benchmarks measure real work: the generated runs finish, the mid-run input is accepted, the logs are real. */
class BenchWorkloadTest {

    @ParameterizedTest
    @EnumSource(Workflows.Shape.class)
    void aThousandNodeWorkflowRunsToCompletedWithEveryNodeCompletedOnce(Workflows.Shape shape) {
        WorkflowDefinition def = Workflows.generate(shape, 1000);

        RunDriver run = RunDriver.completeRun(def, "test");

        assertThat(run.state().status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(run.completions()).isEqualTo(1000);
        assertThat(run.log().stream().filter(e -> e.type().equals("node.completed")).count()).isEqualTo(1000);
        assertThat(RunFold.fold("test", def.id(), run.log())).isEqualTo(run.state());
    }

    @ParameterizedTest
    @EnumSource(Workflows.Shape.class)
    void theMidRunDecisionIsAcceptedAndCompletesOneNode(Workflows.Shape shape) {
        WorkflowDefinition def = Workflows.generate(shape, 1000);
        DecideBenchmark.MidRun mid = DecideBenchmark.midRun(def, 1000);

        Decision d = new Engine(RunDriver.CLOCK, IdSource.sequential("t")).decide(def, mid.state(), mid.next());

        assertThat(d.rejected()).isFalse();
        assertThat(mid.state().status()).isEqualTo(RunStatus.RUNNING);
        assertThat(d.events()).extracting(RunEvent::type).contains("node.completed");
    }

    @ParameterizedTest
    @ValueSource(ints = {1000, 2500})
    void foldLogsHaveExactlyTheRequestedEventsWithContiguousSequences(int events) {
        FoldBenchmark.Log log = FoldBenchmark.logOf(events);

        assertThat(log.events()).extracting(RunEvent::sequence)
                .containsExactlyElementsOf(LongStream.range(0, events).boxed().toList());
        assertThat(RunFold.fold(FoldBenchmark.RUN_ID, log.workflowId(), log.events()).nextSequence()).isEqualTo(events);
    }

    @Test
    void aColdCopyOfALogIsEqualEventByEventSharesNoValueAndFoldsToTheSameState() {
        FoldBenchmark.Log log = FoldBenchmark.logOf(1000);
        List<RunEvent> copy = FoldBenchmark.deepCopy(log.events());

        assertThat(copy).isEqualTo(log.events());
        for (int i = 0; i < copy.size(); i++) {
            assertThat(copy.get(i)).isNotSameAs(log.events().get(i));
            assertThat(copy.get(i).payload()).isNotSameAs(log.events().get(i).payload());
            if (copy.get(i).nodeId() != null) {
                assertThat(copy.get(i).nodeId()).isNotSameAs(log.events().get(i).nodeId());
            }
        }
        assertThat(RunFold.fold(FoldBenchmark.RUN_ID, log.workflowId(), copy))
                .isEqualTo(RunFold.fold(FoldBenchmark.RUN_ID, log.workflowId(), log.events()));
    }
}
