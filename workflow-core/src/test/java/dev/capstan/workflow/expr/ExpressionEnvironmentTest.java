package dev.capstan.workflow.expr;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ExpressionEnvironmentTest {

    private final ExpressionEnvironment env = ExpressionEnvironment.forNodes(Set.of("preflight_check", "my-node", "a"));

    private static Map<String, Object> ctx(Map<String, Object> outputs) {
        return Map.of("outputs", outputs, "inputs", Map.of("limit", 3L), "variables", Map.of());
    }

    @Test
    void bareNodeIdsReadThatNodesOutputsAndIntsCompareWithDoubles() {
        CompiledExpression gt = env.compileCondition("preflight_check.risk_score > 30").expression();
        CompiledExpression le = env.compileCondition("preflight_check.risk_score <= 30").expression();
        Map<String, Object> c = ctx(Map.of("preflight_check", Map.of("risk_score", 45.5)));
        assertThat(ExpressionEnvironment.evaluate(gt, c, 1_000).isTrue()).isTrue();
        assertThat(ExpressionEnvironment.evaluate(le, c, 1_000).isTrue()).isFalse();
    }

    @Test
    void nodeIdsThatAreNotIdentifiersAreReachableThroughOutputs() {
        assertThat(env.nodeBindings()).containsExactlyInAnyOrder("preflight_check", "a");
        CompiledExpression e = env.compileCondition("outputs['my-node'].ok == true").expression();
        assertThat(ExpressionEnvironment.evaluate(e, ctx(Map.of("my-node", Map.of("ok", true))), 1_000).isTrue()).isTrue();
    }

    @Test
    void aSyntaxErrorIsReportedWithItsColumn() {
        CompileResult r = env.compileCondition("a.x > > 3");
        assertThat(r.ok()).isFalse();
        assertThat(r.issues()).first().satisfies(i -> {
            assertThat(i.line()).isEqualTo(1);
            assertThat(i.column()).isEqualTo(7);
            assertThat(i.error()).isTrue();
        });
    }

    @Test
    void aConditionThatIsNotBooleanIsRejectedAtCompileTime() {
        assertThat(env.compileCondition("1 + 2").ok()).isFalse();
        assertThat(env.compileValue("1 + 2").ok()).isTrue();
    }

    @Test
    void evaluationStopsAtTheStepBudget() {
        String sum = IntStream.rangeClosed(1, 40).mapToObj(Integer::toString).collect(Collectors.joining(" + "));
        CompiledExpression e = env.compileValue(sum).expression();
        EvalResult cheap = ExpressionEnvironment.evaluate(e, ctx(Map.of()), 20);
        assertThat(cheap).isInstanceOfSatisfying(EvalResult.Failure.class, f -> assertThat(f.costLimitExceeded()).isTrue());
        EvalResult enough = ExpressionEnvironment.evaluate(e, ctx(Map.of()), 10_000);
        assertThat(enough).isEqualTo(new EvalResult.Value(820L));
    }

    @Test
    void comprehensionsOverLargeListsAreCapped() {
        CompiledExpression e = env.compileCondition("inputs.items.all(x, x >= 0)").expression();
        List<Long> big = IntStream.range(0, 5_000).mapToObj(i -> (long) i).toList();
        EvalResult r = ExpressionEnvironment.evaluate(e, Map.of("inputs", Map.of("items", big)), Long.MAX_VALUE);
        assertThat(r).isInstanceOf(EvalResult.Failure.class);
        List<Long> small = IntStream.range(0, 10).mapToObj(i -> (long) i).toList();
        assertThat(ExpressionEnvironment.evaluate(e, Map.of("inputs", Map.of("items", small)), 10_000).isTrue()).isTrue();
    }

    @Test
    void aMissingValueMakesAConditionFalseInsteadOfThrowing() {
        CompiledExpression e = env.compileCondition("a.flag == true").expression();
        EvalResult r = ExpressionEnvironment.evaluate(e, ctx(Map.of()), 1_000);
        assertThat(r).isInstanceOf(EvalResult.Failure.class);
        assertThat(r.isTrue()).isFalse();
    }

    @Test
    void freeIdentifiersAreReadFromInputsThenVariablesThenTheSourceOutput() {
        CompileResult r = env.compileCondition("additional_images_needed");
        assertThat(r.ok()).isTrue();
        assertThat(r.expression().freeIdentifiers()).containsExactly("additional_images_needed");
        Map<String, Object> fromOutput = Map.of("output", Map.of("additional_images_needed", true));
        assertThat(ExpressionEnvironment.evaluate(r.expression(), fromOutput, 1_000).isTrue()).isTrue();
        Map<String, Object> fromInputs = Map.of("inputs", Map.of("additional_images_needed", false),
                "output", Map.of("additional_images_needed", true));
        assertThat(ExpressionEnvironment.evaluate(r.expression(), fromInputs, 1_000).isTrue()).isFalse();
    }

    @Test
    void interpolationKeepsTypesForWholeReferencesAndLeavesSecretsAlone() {
        Map<String, Object> out = Interpolator.interpolate(
                Map.of("n", "${a.count}", "s", "id=${outputs.a.id}/${inputs.limit}", "k", "${secrets.KEY}"),
                Map.of("limit", 3L), Map.of(), Map.of("a", Map.of("count", 7L, "id", "x1")));
        assertThat(out).containsEntry("n", 7L).containsEntry("s", "id=x1/3").containsEntry("k", "${secrets.KEY}");
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0} -> {1}")
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
            "outputs.a.v > 1                        | true",
            "outputs.a.v > 5                        | false",
            "has(outputs.b) && outputs.b.ok          | true",
            "has(outputs.zzz)                       | false",
            "size(outputs) == 2                     | true",
            "outputs.exists(k, k == 'b')            | true",
            "outputs == {'a': {'v': 2}, 'b': {'ok': true}} | true",
    })
    void theOutputsRootReadsOnlyWhatItNeedsAndStillBehavesAsAMap(String source, boolean expected) {
        CompiledExpression e = ExpressionEnvironment.forNodes(java.util.Set.of("a", "b")).compileCondition(source)
                .expression();
        Map<String, Object> c = Map.of("outputs", Map.of("a", Map.of("v", 2), "b", Map.of("ok", true)));
        assertThat(ExpressionEnvironment.evaluate(e, c, 10_000).isTrue()).isEqualTo(expected);
    }

    @Test
    void loopReferencesAreRewrittenOnlyWhereTheyAreIdentifiers() {
        assertThat(ExpressionEnvironment.loopReferences("loop.item == 'loop.x' && a.loop.b && xloop.c && loop .index"))
                .isEqualTo("_lp_.item == 'loop.x' && a.loop.b && xloop.c && _lp_ .index");
        assertThat(ExpressionEnvironment.loopReferences("\"a\\\"loop.q\" + loop")).isEqualTo("\"a\\\"loop.q\" + loop");
    }
}
