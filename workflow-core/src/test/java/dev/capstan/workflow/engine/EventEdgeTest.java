package dev.capstan.workflow.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.workflow.model.InterruptKind;
import dev.capstan.workflow.model.RunStatus;
import dev.capstan.workflow.model.WorkflowDefinition;
import dev.capstan.workflow.state.NodeStatus;
import dev.capstan.workflow.state.RunFold;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** OSOP event edges: the target waits for an external event matching the edge's condition before it runs. */
class EventEdgeTest {

    private static final WorkflowDefinition DEF = Defs.osop("""
            osop_version: "1.1"
            id: events
            name: events
            nodes:
              - {id: invoice, type: api, purpose: p}
              - {id: ship, type: api, purpose: p}
            edges:
              - {from: invoice, to: ship, mode: event, when: "event.type == 'payment.succeeded' && event.amount >= 10"}
            """);

    private static Command.RequestInterrupt lastRequest(RunDriver run) {
        return (Command.RequestInterrupt) run.last.commands().stream().filter(c -> c instanceof Command.RequestInterrupt)
                .reduce((a, b) -> b).orElseThrow();
    }

    @Test
    void theTargetWaitsForAMatchingEventAndIgnoresOthers() {
        RunDriver run = new RunDriver(DEF);
        run.start(Map.of());
        run.complete("invoice", Map.of());
        assertThat(run.dispatchedLast()).isEmpty();
        assertThat(run.state.status()).isEqualTo(RunStatus.WAITING_EXTERNAL);
        Command.RequestInterrupt wait = lastRequest(run);
        assertThat(wait.kind()).isEqualTo(InterruptKind.EXTERNAL_EVENT);
        assertThat(wait.nodeId()).isEqualTo("ship");
        assertThat(wait.data()).containsEntry("eventType", "event.type == 'payment.succeeded' && event.amount >= 10");

        // Too small a payment: not the awaited event, so the node waits again (a new interrupt).
        run.send(new RunInput.InterruptResolved("ship", Map.of("eventPayload",
                Map.of("type", "payment.succeeded", "amount", 5)), "stripe"));
        assertThat(run.dispatchedLast()).isEmpty();
        assertThat(run.state.status()).isEqualTo(RunStatus.WAITING_EXTERNAL);
        assertThat(lastRequest(run).interruptId()).isNotEqualTo(wait.interruptId());

        // A crash here: the fold keeps the wait, and reconcile asks for the same event again.
        run.state = RunFold.fold("run-1", DEF.id(), run.log);
        run.send(new RunInput.Reconcile());
        assertThat(lastRequest(run).kind()).isEqualTo(InterruptKind.EXTERNAL_EVENT);

        run.send(new RunInput.InterruptResolved("ship", Map.of("eventPayload",
                Map.of("type", "payment.succeeded", "amount", 25)), "stripe"));
        assertThat(run.dispatchedLast()).containsExactly("ship");
        assertThat(run.state.node("ship").status()).isEqualTo(NodeStatus.RUNNING);
        run.complete("ship", Map.of());
        assertThat(run.state.status()).isEqualTo(RunStatus.COMPLETED);
        FixtureRunTest.assertLogInvariants(run.log);
        FixtureRunTest.assertEventsMatchOpenWopSchemas(run.log);
    }

    @Test
    void anEventEdgeWithoutAConditionWaitsForAnyEvent() {
        RunDriver run = new RunDriver(Defs.osop("""
                osop_version: "1.1"
                id: any-event
                name: any
                nodes:
                  - {id: a, type: api, purpose: p}
                  - {id: b, type: api, purpose: p}
                edges:
                  - {from: a, to: b, mode: event}
                """));
        run.start(Map.of());
        run.complete("a", Map.of());
        assertThat(run.state.status()).isEqualTo(RunStatus.WAITING_EXTERNAL);
        run.send(new RunInput.InterruptResolved("b", Map.of("eventPayload", Map.of()), "hook"));
        assertThat(run.dispatchedLast()).containsExactly("b");
    }

    @Test
    void aResumeValueWithoutAnEventPayloadIsNotTheAwaitedEvent() {
        RunDriver run = new RunDriver(DEF);
        run.start(Map.of());
        run.complete("invoice", Map.of());
        run.send(new RunInput.InterruptResolved("ship", Map.of("action", "accept"), "x"));
        assertThat(run.dispatchedAll()).doesNotContain("ship");
        assertThat(run.state.status()).isEqualTo(RunStatus.WAITING_EXTERNAL);
        assertThat(run.state.interrupts()).containsKey("ship");
    }
}
