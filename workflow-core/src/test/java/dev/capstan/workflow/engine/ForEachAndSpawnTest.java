package dev.capstan.workflow.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.workflow.event.EventTypes;
import dev.capstan.workflow.event.RunEvent;
import dev.capstan.workflow.model.RunStatus;
import dev.capstan.workflow.model.WorkflowDefinition;
import dev.capstan.workflow.state.NodeStatus;
import dev.capstan.workflow.state.RunFold;
import dev.capstan.workflow.state.RunState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** OSOP for_each + iterator_var loop edges and spawn edges with spawn_count > 1. */
class ForEachAndSpawnTest {

    /** fetch produces the list; work runs once per element of it; after runs once, when work is done. */
    static WorkflowDefinition forEach(String expression) {
        return Defs.osop("""
                osop_version: "1.1"
                id: fe
                name: for each
                nodes:
                  - {id: fetch, type: api}
                  - {id: work, type: api, url: "/items/${loop.item}", page: "${loop.index}", item: "${loop.item}"}
                  - {id: after, type: api}
                edges:
                  - {from: fetch, to: work, mode: loop, for_each: "%s", iterator_var: item}
                  - {from: work, to: after, mode: conditional, when: "loop.index == 2 && loop.item == 'c'"}
                """.formatted(expression));
    }

    static Command.DispatchNode lastDispatch(RunDriver run, String nodeId) {
        Command.DispatchNode found = null;
        for (Command c : run.last.commands()) {
            if (c instanceof Command.DispatchNode d && d.nodeId().equals(nodeId)) {
                found = d;
            }
        }
        assertThat(found).as("dispatch of " + nodeId).isNotNull();
        return found;
    }

    @Test
    void theBodyRunsOncePerElementInOrderThenTheRunContinues() {
        RunDriver run = new RunDriver(forEach("outputs.fetch.items"));
        run.start(Map.of());
        run.complete("fetch", Map.of("items", List.of("a", "b", "c")));
        List<Object> seen = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Command.DispatchNode d = lastDispatch(run, "work");
            seen.add(d.config().get("item"));
            assertThat(d.config().get("url")).isEqualTo("/items/" + List.of("a", "b", "c").get(i));
            assertThat(d.config().get("page")).isEqualTo((long) i);
            assertThat(run.state.node("after").status()).isEqualTo(NodeStatus.IDLE);
            run.complete("work", Map.of("done", i));
        }
        assertThat(seen).containsExactly("a", "b", "c");
        // The body's outgoing condition read loop.index / loop.item of the last element.
        assertThat(run.dispatchedLast()).containsExactly("after");
        run.complete("after", Map.of());
        assertThat(run.state.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(run.dispatchedAll()).containsExactly("fetch", "work", "work", "work", "after");
        List<RunEvent> reentered = run.log.stream().filter(e -> e.type().equals(EventTypes.LOOP_REENTERED)).toList();
        assertThat(reentered).extracting(e -> e.payload().get("index")).containsExactly(0L, 1L, 2L);
        assertThat(reentered).extracting(e -> e.payload().get("element")).containsExactly("a", "b", "c");
        assertThat(reentered.get(0).payload().get("items")).isEqualTo(List.of("a", "b", "c"));
        assertThat(run.state.outputs()).containsKey("after");
        FixtureRunTest.assertLogInvariants(run.log);
    }

    @Test
    void theDollarFormReadsInputsToo() {
        RunDriver run = new RunDriver(forEach("${inputs.items}"));
        run.start(Map.of("items", List.of("x")));
        run.complete("fetch", Map.of());
        assertThat(lastDispatch(run, "work").config().get("item")).isEqualTo("x");
        run.complete("work", Map.of());
        // One element: index 0 and item 'x', so the condition into 'after' is false and it is skipped.
        assertThat(run.state.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(run.state.node("after").status()).isEqualTo(NodeStatus.SKIPPED);
    }

    @Test
    void anEmptyListSkipsTheBody() {
        RunDriver run = new RunDriver(forEach("outputs.fetch.items"));
        run.start(Map.of());
        run.complete("fetch", Map.of("items", List.of()));
        assertThat(run.state.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(run.state.node("work").status()).isEqualTo(NodeStatus.SKIPPED);
        assertThat(run.dispatchedAll()).containsExactly("fetch");
        FixtureRunTest.assertLogInvariants(run.log);
    }

    @Test
    void aValueThatIsNotAListFailsTheRunWithAClearError() {
        RunDriver run = new RunDriver(forEach("outputs.fetch.items"));
        run.start(Map.of());
        run.complete("fetch", Map.of("items", "a,b,c"));
        assertThat(run.state.status()).isEqualTo(RunStatus.FAILED);
        assertThat(run.state.error().code()).isEqualTo("for_each_not_a_list");
        assertThat(run.state.error().message()).contains("fetch → work", "outputs.fetch.items", "a string", "not a list");
        assertThat(run.dispatchedAll()).containsExactly("fetch");
        FixtureRunTest.assertLogInvariants(run.log);

        RunDriver missing = new RunDriver(forEach("outputs.fetch.items"));
        missing.start(Map.of());
        missing.complete("fetch", Map.of());
        assertThat(missing.state.status()).isEqualTo(RunStatus.FAILED);
        assertThat(missing.state.error().code()).isEqualTo("for_each_failed");
    }

    @Test
    void theLoopLimitBoundsTheVisits() {
        RunDriver run = new RunDriver(forEach("outputs.fetch.items"));
        run.start(Map.of(), dev.capstan.workflow.state.RunOptions.DEFAULTS.overlay(
                dev.capstan.workflow.state.RunOptions.fromMap(Map.of("maxLoopIterations", 1))));
        run.complete("fetch", Map.of("items", List.of(1, 2, 3)));
        run.complete("work", Map.of());
        run.complete("work", Map.of());
        assertThat(run.state.status()).isEqualTo(RunStatus.FAILED);
        assertThat(run.state.error().code()).isEqualTo("loop_limit_exceeded");
        assertThat(run.dispatchedAll()).containsExactly("fetch", "work", "work");
    }

    /** Folding the log up to any point mid-iteration and deciding on gives the same log and state. */
    @Test
    void foldingAPrefixMidIterationAndContinuingGivesTheSameRun() {
        WorkflowDefinition def = forEach("outputs.fetch.items");
        List<RunInput> inputs = new ArrayList<>();
        RunDriver run = new RunDriver(def);
        inputs.add(new RunInput.Start(Map.of(), dev.capstan.workflow.state.RunOptions.DEFAULTS));
        run.send(inputs.get(0));
        inputs.add(new RunInput.NodeCompleted("fetch", 0, Map.of("items", List.of("a", "b", "c"))));
        run.send(inputs.get(1));
        while (!run.state.status().isTerminal()) {
            String next = run.state.node("work").status() == NodeStatus.RUNNING ? "work" : "after";
            RunInput in = new RunInput.NodeCompleted(next, run.state.node(next).attempt(), Map.of("n", inputs.size()));
            inputs.add(in);
            run.send(in);
        }
        assertThat(run.state.status()).isEqualTo(RunStatus.COMPLETED);
        // For every input boundary: rebuild the state from the log so far, then send the remaining inputs.
        for (int cut = 1; cut < inputs.size(); cut++) {
            RunDriver first = new RunDriver(def);
            for (int i = 0; i < cut; i++) {
                first.send(inputs.get(i));
            }
            RunDriver again = new RunDriver(def);
            again.log.addAll(first.log);
            again.state = RunFold.fold("run-1", def.id(), again.log);
            assertThat(again.state).isEqualTo(first.state);
            again.clock.set(first.clock.instant());
            Engine engine = new Engine(again.clock, IdSource.sequential("id"), ReplaySource.NONE, 10_000);
            RunState s = again.state;
            List<RunEvent> rest = new ArrayList<>(again.log);
            for (int i = cut; i < inputs.size(); i++) {
                Decision d = engine.decide(def, s, inputs.get(i));
                assertThat(d.rejected()).isFalse();
                rest.addAll(d.events());
                s = d.state();
            }
            assertThat(rest.stream().map(e -> e.type() + "/" + e.nodeId() + "/" + e.payload()).toList())
                    .as("cut at input %d", cut)
                    .isEqualTo(run.log.stream().map(e -> e.type() + "/" + e.nodeId() + "/" + e.payload()).toList());
            assertThat(s.loops()).isEqualTo(run.state.loops());
            assertThat(RunFold.fold("run-1", def.id(), rest)).isEqualTo(RunFold.fold("run-1", def.id(), run.log));
        }
        // Mid-iteration the position comes from the events alone.
        int second = 0;
        for (int k = 0; k < run.log.size(); k++) {
            if (run.log.get(k).type().equals(EventTypes.LOOP_REENTERED) && ++second == 2) {
                RunState mid = RunFold.fold("run-1", def.id(), run.log.subList(0, k + 1));
                assertThat(mid.loops().get("work").index()).isEqualTo(1);
                assertThat(mid.loops().get("work").element()).isEqualTo("b");
                assertThat(RunFold.foldFrom(mid, run.log.subList(k + 1, run.log.size())))
                        .isEqualTo(RunFold.fold("run-1", def.id(), run.log));
            }
        }
    }

    @Test
    void spawnCountVisitsTheChildThatManyTimesInARow() {
        WorkflowDefinition def = Defs.osop("""
                osop_version: "1.1"
                id: sp
                name: spawn
                nodes:
                  - {id: lead, type: agent, purpose: p}
                  - {id: helper, type: agent, purpose: "child ${loop.index} of ${loop.count}"}
                  - {id: merge, type: api}
                edges:
                  - {from: lead, to: helper, mode: spawn, spawn_count: 3}
                  - {from: helper, to: merge}
                """);
        RunDriver run = new RunDriver(def);
        run.start(Map.of());
        run.complete("lead", Map.of());
        List<Object> purposes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            purposes.add(lastDispatch(run, "helper").config().get("purpose"));
            run.complete("helper", Map.of());
        }
        assertThat(purposes).containsExactly("child 0 of 3", "child 1 of 3", "child 2 of 3");
        assertThat(run.dispatchedLast()).containsExactly("merge");
        run.complete("merge", Map.of());
        assertThat(run.state.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(run.dispatchedAll()).containsExactly("lead", "helper", "helper", "helper", "merge");
        FixtureRunTest.assertLogInvariants(run.log);
    }
}
