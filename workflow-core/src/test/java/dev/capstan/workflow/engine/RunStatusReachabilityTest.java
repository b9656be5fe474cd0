package dev.capstan.workflow.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.workflow.error.ErrorInfo;
import dev.capstan.workflow.model.RunStatus;
import dev.capstan.workflow.state.RunFold;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Every one of the ten OpenWOP run statuses is reached by some run, and a fold of its log agrees. */
class RunStatusReachabilityTest {

    private final Set<RunStatus> seen = EnumSet.noneOf(RunStatus.class);

    private void see(RunDriver run) {
        seen.add(run.state.status());
        assertThat(RunFold.fold(run.state.runId(), run.def.id(), run.log).status()).isEqualTo(run.state.status());
    }

    @Test
    void allTenStatusesAreReachable() {
        RunDriver plain = new RunDriver(Defs.graph("{}", new String[] {"a", "b"}, "a>b"));
        see(plain);                                                       // pending: no events yet
        plain.start(Map.of());
        see(plain);                                                       // running
        plain.send(new RunInput.Pause("p", DrainPolicy.DRAIN_CURRENT_NODE));
        see(plain);                                                       // paused
        plain.send(new RunInput.Resume("r"));
        plain.send(new RunInput.Cancel("drain", "alice", true));
        see(plain);                                                       // cancelling
        plain.complete("a", Map.of());
        see(plain);                                                       // cancelled

        RunDriver approval = new RunDriver(Defs.openWopFixture("conformance-approval.json"));
        approval.start(Map.of());
        see(approval);                                                    // waiting-approval
        approval.send(new RunInput.InterruptResolved("gate", Map.of("action", "accept"), "a"));
        see(approval);                                                    // completed

        RunDriver clarification = new RunDriver(Defs.openWopFixture("conformance-clarification.json"));
        clarification.start(Map.of());
        see(clarification);                                               // waiting-input

        RunDriver external = new RunDriver(Defs.openWopFixture("conformance-interrupt-external-event.json"));
        external.start(Map.of());
        see(external);                                                    // waiting-external

        RunDriver failing = new RunDriver(Defs.graph("{}", new String[] {"a"}));
        failing.start(Map.of());
        failing.send(new RunInput.NodeFailed("a", 0, ErrorInfo.of("boom", "it broke")));
        see(failing);                                                     // failed

        assertThat(seen).containsExactlyInAnyOrder(RunStatus.values());
    }
}
