package dev.capstan.workflow.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.workflow.event.RunEvent;
import dev.capstan.workflow.model.RunStatus;
import dev.capstan.workflow.model.WorkflowDefinition;
import dev.capstan.workflow.state.RunFold;
import dev.capstan.workflow.state.RunOptions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ForkTest {

    private static RunDriver finishedSource(WorkflowDefinition def) {
        RunDriver source = new RunDriver(def);
        source.start(Map.of());
        source.complete("a", Map.of("n", 1));
        source.complete("b", Map.of("n", 2));
        source.complete("c", Map.of("n", 3));
        assertThat(source.state.status()).isEqualTo(RunStatus.COMPLETED);
        return source;
    }

    private static long indexOf(List<RunEvent> log, String type, String nodeId) {
        return log.stream().filter(e -> e.type().equals(type) && nodeId.equals(e.nodeId())).findFirst().orElseThrow()
                .sequence();
    }

    @Test
    void aBranchForkKeepsThePrefixFactsAppliesTheOverlayAndReexecutesTheRest() {
        WorkflowDefinition def = Defs.openWopFixture("conformance-multi-node.json");
        RunDriver source = finishedSource(def);
        long fromSeq = indexOf(source.log, "node.started", "b");
        Forks.Fork fork = Forks.fork(Forks.Mode.BRANCH, "run-1", def.id(), source.log, fromSeq, "run-2",
                new RunOptions(null, null, null, null, 5.0), source.clock.instant(), IdSource.sequential("fork"));
        assertThat(fork.rejection()).isNull();
        assertThat(fork.events().subList(0, (int) fromSeq)).extracting(RunEvent::eventId)
                .isEqualTo(source.log.subList(0, (int) fromSeq).stream().map(RunEvent::eventId).toList());
        assertThat(fork.state().options().budgetUsd()).isEqualTo(5.0);
        assertThat(fork.state().node("a").outputs()).isEqualTo(Map.of("n", 1L));

        RunDriver branch = new RunDriver(def, ReplaySource.NONE, "run-2");
        branch.log.addAll(fork.events());
        branch.state = fork.state();
        branch.send(new RunInput.Reconcile());
        assertThat(branch.dispatchedLast()).containsExactly("b");
        branch.complete("b", Map.of("n", 20));
        branch.complete("c", Map.of("n", 30));
        assertThat(branch.state.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(branch.state.outputs()).isEqualTo(Map.of("c", Map.of("n", 30L)));
        FixtureRunTest.assertLogInvariants(branch.log);
        assertThat(branch.log).allSatisfy(e -> assertThat(e.runId()).isEqualTo("run-2"));
    }

    @Test
    void aReplayForkReusesRecordedOutcomesInsteadOfDispatching() {
        WorkflowDefinition def = Defs.openWopFixture("conformance-multi-node.json");
        RunDriver source = finishedSource(def);
        long fromSeq = indexOf(source.log, "node.started", "a") + 1;
        Forks.Fork fork = Forks.fork(Forks.Mode.REPLAY, "run-1", def.id(), source.log, fromSeq, "run-3", null,
                source.clock.instant(), IdSource.sequential("fork"));
        RunDriver replay = new RunDriver(def, Forks.recordedOutcomes(source.log), "run-3");
        replay.log.addAll(fork.events());
        replay.state = fork.state();
        replay.send(new RunInput.Reconcile());
        assertThat(replay.dispatchedAll()).isEmpty();
        assertThat(replay.state.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(replay.state.outputs()).isEqualTo(source.state.outputs());
    }

    @Test
    void forkArgumentsOutsideTheLogAreRejected() {
        WorkflowDefinition def = Defs.openWopFixture("conformance-multi-node.json");
        RunDriver source = finishedSource(def);
        var ids = IdSource.sequential("f");
        var at = source.clock.instant();
        assertThat(Forks.fork(Forks.Mode.BRANCH, "run-1", def.id(), source.log, -1, "x", null, at, ids).rejection().code())
                .isEqualTo("validation_error");
        assertThat(Forks.fork(Forks.Mode.BRANCH, "run-1", def.id(), source.log, source.log.size() + 1, "x", null, at, ids)
                .rejection()).isNotNull();
        assertThat(Forks.fork(Forks.Mode.BRANCH, "run-1", def.id(), source.log, source.log.size(), "x", null, at, ids)
                .rejection().message()).contains("run.completed");
        assertThat(Forks.fork(Forks.Mode.REPLAY, "run-1", def.id(), source.log, 2, "x",
                new RunOptions(1, null, null, null, null), at, ids).rejection()).isNotNull();
    }

    @Test
    void reconcileAfterACrashReissuesTheInFlightDispatchWithTheSameIdempotencyKey() {
        WorkflowDefinition def = Defs.openWopFixture("conformance-multi-node.json");
        RunDriver run = new RunDriver(def);
        run.start(Map.of());
        Command.DispatchNode first = run.last.commands().stream().filter(c -> c instanceof Command.DispatchNode)
                .map(c -> (Command.DispatchNode) c).findFirst().orElseThrow();
        run.state = RunFold.fold("run-1", def.id(), run.log);
        run.send(new RunInput.Reconcile());
        assertThat(run.last.events()).isEmpty();
        assertThat(run.last.commands().stream().filter(c -> c instanceof Command.DispatchNode)).containsExactly(first);
        assertThat(run.last.commands()).anySatisfy(c -> assertThat(c).isInstanceOf(Command.ScheduleTimer.class));
    }
}
