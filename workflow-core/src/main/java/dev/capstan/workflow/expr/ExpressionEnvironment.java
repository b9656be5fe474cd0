package dev.capstan.workflow.expr;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import dev.cel.common.CelFunctionDecl;
import dev.cel.common.CelIssue;
import dev.cel.common.CelOverloadDecl;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.CelValidationResult;
import dev.cel.common.types.SimpleType;
import dev.cel.common.values.NullValue;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerBuilder;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelFunctionBinding;
import dev.cel.runtime.CelLateFunctionBindings;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import dev.cel.runtime.CelUnknownSet;
import dev.capstan.workflow.model.Values;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The CEL environment of one workflow. Declared names: {@code inputs}, {@code outputs} (node id → outputs),
 * {@code variables} (alias {@code vars}), {@code output} and {@code status} (the edge's source node),
 * {@code metadata}, and every node id that is a valid identifier (bound to that node's outputs, so
 * {@code preflight_check.risk_score > 30} works). All are {@code dyn}. Evaluation is sandboxed: no functions
 * beyond the CEL standard library and OSOP's helpers ({@code status, attempt, error_of, duration_of, now}, read
 * from the run through {@link RunFunctions}), comprehensions capped, and a step budget enforced by an evaluation
 * listener.
 */
public final class ExpressionEnvironment {

    public static final long DEFAULT_COST_LIMIT = 10_000;
    public static final Set<String> ROOTS = Set.of("inputs", "outputs", "variables", "vars", "output", "status", "metadata",
            "event", ExpressionEnvironment.LOOP_ROOT);
    /**
     * {@code loop} is a reserved word in CEL, so {@code loop.item} (OSOP's for_each element) is compiled as this
     * identifier (same length, so error columns still point into the author's text); the context key is {@code loop}.
     */
    static final String LOOP_ROOT = "_lp_";
    private static final Set<String> RESERVED = Set.of("true", "false", "null", "in", "as", "break", "const",
            "continue", "else", "for", "function", "if", "import", "let", "loop", "package", "namespace", "return",
            "var", "void", "while", "int", "uint", "double", "bool", "string", "bytes", "list", "map", "type", "dyn",
            "null_type", "has", "size", "matches", "exists", "all", "exists_one", "filter", "duration", "timestamp",
            "attempt", "error_of", "duration_of", "now");
    private static final Pattern IDENT = Pattern.compile("[_a-zA-Z][_a-zA-Z0-9]*");
    private static final Pattern UNDECLARED = Pattern.compile("undeclared reference to '([_a-zA-Z][_a-zA-Z0-9]*)'");
    private static final int MAX_EXPRESSION_LENGTH = 4_096;

    private static final CelOptions OPTIONS = CelOptions.current()
            .enableHeterogeneousNumericComparisons(true)
            .comprehensionMaxIterations(1_000)
            .maxExpressionCodePointSize(MAX_EXPRESSION_LENGTH)
            .build();
    private static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder().setOptions(OPTIONS).build();

    /** OSOP's helpers (expression-language.md): declared for type checking, bound per evaluation to the run. */
    private static final List<CelFunctionDecl> HELPERS = List.of(
            CelFunctionDecl.newFunctionDeclaration("status",
                    CelOverloadDecl.newGlobalOverload("capstan_status_string", SimpleType.STRING, SimpleType.STRING)),
            CelFunctionDecl.newFunctionDeclaration("attempt",
                    CelOverloadDecl.newGlobalOverload("capstan_attempt", SimpleType.INT)),
            CelFunctionDecl.newFunctionDeclaration("error_of",
                    CelOverloadDecl.newGlobalOverload("capstan_error_of_string", SimpleType.DYN, SimpleType.STRING)),
            CelFunctionDecl.newFunctionDeclaration("duration_of",
                    CelOverloadDecl.newGlobalOverload("capstan_duration_of_string", SimpleType.INT, SimpleType.STRING)),
            CelFunctionDecl.newFunctionDeclaration("now",
                    CelOverloadDecl.newGlobalOverload("capstan_now", SimpleType.TIMESTAMP)));

    private static CelLateFunctionBindings bindings(RunFunctions f) {
        return CelLateFunctionBindings.from(
                CelFunctionBinding.from("capstan_status_string", String.class, f::status),
                CelFunctionBinding.from("capstan_attempt", List.of(), args -> f.attempt()),
                CelFunctionBinding.from("capstan_error_of_string", String.class, id -> {
                    Map<String, Object> e = f.errorOf(id);
                    return e == null ? NullValue.NULL_VALUE : toCel(e);
                }),
                CelFunctionBinding.from("capstan_duration_of_string", String.class, f::durationOf),
                CelFunctionBinding.from("capstan_now", List.of(), args -> {
                    java.time.Instant t = f.now();
                    return com.google.protobuf.Timestamp.newBuilder().setSeconds(t.getEpochSecond())
                            .setNanos(t.getNano()).build();
                }));
    }

    private final Set<String> nodeBindings;
    private final CelCompiler conditionCompiler;
    private final CelCompiler valueCompiler;

    private ExpressionEnvironment(Set<String> nodeIds) {
        Set<String> bindings = new TreeSet<>();
        for (String id : nodeIds) {
            if (isBindable(id)) {
                bindings.add(id);
            }
        }
        this.nodeBindings = Set.copyOf(bindings);
        this.conditionCompiler = builder(nodeBindings, Set.of()).setResultType(SimpleType.BOOL).build();
        this.valueCompiler = builder(nodeBindings, Set.of()).build();
    }

    public static ExpressionEnvironment forNodes(Set<String> nodeIds) {
        return new ExpressionEnvironment(nodeIds);
    }

    static boolean isBindable(String name) {
        return IDENT.matcher(name).matches() && !RESERVED.contains(name) && !ROOTS.contains(name);
    }

    private static CelCompilerBuilder builder(Set<String> nodes, Set<String> free) {
        CelCompilerBuilder b = CelCompilerFactory.standardCelCompilerBuilder().setOptions(OPTIONS)
                .setStandardMacros(CelStandardMacro.STANDARD_MACROS);
        for (String root : ROOTS) {
            b.addVar(root, SimpleType.DYN);
        }
        b.addFunctionDeclarations(HELPERS);
        for (String n : nodes) {
            b.addVar(n, SimpleType.DYN);
        }
        for (String f : free) {
            b.addVar(f, SimpleType.DYN);
        }
        return b;
    }

    public Set<String> nodeBindings() {
        return nodeBindings;
    }

    /** Compiles a condition (must be boolean). Undeclared bare identifiers become free identifiers, with a warning. */
    public CompileResult compileCondition(String source) {
        return compile(source, true);
    }

    /** Compiles a value expression (any result type). */
    public CompileResult compileValue(String source) {
        return compile(source, false);
    }

    private CompileResult compile(String source, boolean condition) {
        List<ExpressionIssue> issues = new ArrayList<>();
        if (source == null || source.isBlank()) {
            issues.add(new ExpressionIssue(1, 1, "the expression is empty", true));
            return new CompileResult(null, issues);
        }
        CelCompiler compiler = condition ? conditionCompiler : valueCompiler;
        String celSource = loopReferences(source);
        CelValidationResult result = compiler.compile(celSource);
        Set<String> free = new LinkedHashSet<>();
        if (result.hasError()) {
            boolean onlyUndeclared = true;
            for (CelIssue issue : result.getErrors()) {
                Matcher m = UNDECLARED.matcher(issue.getMessage());
                if (m.find() && isBindable(m.group(1))) {
                    free.add(m.group(1));
                } else {
                    onlyUndeclared = false;
                }
            }
            if (!onlyUndeclared || free.isEmpty()) {
                for (CelIssue issue : result.getErrors()) {
                    issues.add(toIssue(issue, true));
                }
                return new CompileResult(null, issues);
            }
            CelCompilerBuilder b = builder(nodeBindings, free);
            if (condition) {
                b.setResultType(SimpleType.BOOL);
            }
            result = b.build().compile(celSource);
            if (result.hasError()) {
                for (CelIssue issue : result.getErrors()) {
                    issues.add(toIssue(issue, true));
                }
                return new CompileResult(null, issues);
            }
            for (String f : free) {
                issues.add(new ExpressionIssue(1, 1, "'" + f + "' is not a node id, input root or variable; it will be"
                        + " read from run inputs, then variables, then the source node's outputs", false));
            }
        }
        try {
            CelRuntime.Program program = RUNTIME.createProgram(result.getAst());
            return new CompileResult(new CompiledExpression(source, condition, free, program), issues);
        } catch (CelValidationException | CelEvaluationException e) {
            issues.add(new ExpressionIssue(1, 1, e.getMessage(), true));
            return new CompileResult(null, issues);
        }
    }

    /** Rewrites {@code loop.} (outside string literals, not after a dot) to {@link #LOOP_ROOT}{@code .}. */
    static String loopReferences(String source) {
        StringBuilder out = new StringBuilder(source);
        char quote = 0;
        for (int i = 0; i < source.length(); i++) {
            char c = source.charAt(i);
            if (quote != 0) {
                if (c == '\\') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
                continue;
            }
            if (c == '\'' || c == '"') {
                quote = c;
                continue;
            }
            if (source.startsWith("loop", i) && (i == 0 || !isIdentOrDot(source.charAt(i - 1)))) {
                int j = i + 4;
                while (j < source.length() && Character.isWhitespace(source.charAt(j))) {
                    j++;
                }
                if (j < source.length() && source.charAt(j) == '.') {
                    out.replace(i, i + 4, LOOP_ROOT);
                    i += 3;
                }
            }
        }
        return out.toString();
    }

    private static boolean isIdentOrDot(char c) {
        return c == '.' || c == '_' || Character.isLetterOrDigit(c);
    }

    private static ExpressionIssue toIssue(CelIssue issue, boolean error) {
        int line = Math.max(1, issue.getSourceLocation().getLine());
        // CEL columns are 0-based; problems are reported 1-based like YAML positions.
        int column = Math.max(0, issue.getSourceLocation().getColumn()) + 1;
        return new ExpressionIssue(line, column, issue.getMessage(), error);
    }

    /**
     * Evaluates with a step budget. {@code context} maps root names ({@code inputs}, {@code outputs},
     * {@code variables}, {@code output}, {@code status}, {@code metadata}) to values; node-id bindings are
     * taken from {@code outputs}.
     */
    public static EvalResult evaluate(CompiledExpression expr, Map<String, Object> context, long costLimit) {
        return evaluate(expr, context, costLimit, RunFunctions.NONE);
    }

    /** As {@link #evaluate(CompiledExpression, Map, long)}, with the OSOP helper functions reading {@code functions}. */
    public static EvalResult evaluate(CompiledExpression expr, Map<String, Object> context, long costLimit,
                                      RunFunctions functions) {
        Map<String, Object> outputs = Values.asMap(context.get("outputs"));
        long[] steps = {0};
        try {
            Object value = expr.program().trace(name -> resolve(name, expr, context, outputs), bindings(functions), (e, r) -> {
                if (++steps[0] > costLimit) {
                    throw new CostLimitExceeded(costLimit);
                }
            });
            if (value instanceof CelUnknownSet) {
                // A referenced value is absent (e.g. a node that has not produced outputs).
                return new EvalResult.Failure("the expression refers to a value that is not available", false);
            }
            return new EvalResult.Value(fromCel(value));
        } catch (CostLimitExceeded e) {
            return new EvalResult.Failure(e.getMessage(), true);
        } catch (CelEvaluationException e) {
            if (e.getCause() instanceof CostLimitExceeded c) {
                return new EvalResult.Failure(c.getMessage(), true);
            }
            return new EvalResult.Failure(e.getMessage(), false);
        }
    }

    private static Optional<Object> resolve(String name, CompiledExpression expr, Map<String, Object> context,
                                            Map<String, Object> outputs) {
        if (ROOTS.contains(name)) {
            Object v = "vars".equals(name) ? context.get("variables")
                    : LOOP_ROOT.equals(name) ? context.get("loop") : context.get(name);
            if (v == null && !"status".equals(name)) {
                v = Map.of();
            }
            if ("outputs".equals(name) && v instanceof Map<?, ?> m) {
                // One entry per node of the run: convert only the nodes the expression reads.
                return Optional.of(new LazyCelMap(Values.asMap(m)));
            }
            return v == null ? Optional.empty() : Optional.of(toCel(v));
        }
        if (expr.freeIdentifiers().contains(name)) {
            for (String root : List.of("inputs", "variables", "output")) {
                Map<String, Object> m = Values.asMap(context.get(root));
                if (m.containsKey(name)) {
                    return Optional.of(toCel(m.get(name)));
                }
            }
            return Optional.empty();
        }
        if (outputs.containsKey(name)) {
            return Optional.of(toCel(outputs.get(name)));
        }
        return Optional.empty();
    }

    /** A map whose values become CEL values when read, so {@code outputs.a.x} costs what node a's outputs cost. */
    private static final class LazyCelMap extends java.util.AbstractMap<String, Object> {
        private final Map<String, Object> source;

        LazyCelMap(Map<String, Object> source) {
            this.source = source;
        }

        @Override
        public Object get(Object key) {
            Object v = source.get(key);
            return v == null ? null : toCel(v);
        }

        @Override
        public boolean containsKey(Object key) {
            return source.containsKey(key);
        }

        @Override
        public int size() {
            return source.size();
        }

        @Override
        public Set<Entry<String, Object>> entrySet() {
            return ((Map<String, Object>) toCel(source)).entrySet();
        }
    }

    /** Plain values to CEL values: nulls become CEL null, maps and lists become Guava immutables. */
    static Object toCel(Object v) {
        if (v == null) {
            return NullValue.NULL_VALUE;
        }
        if (v instanceof Map<?, ?> m) {
            ImmutableMap.Builder<String, Object> b = ImmutableMap.builderWithExpectedSize(m.size());
            for (Map.Entry<?, ?> e : m.entrySet()) {
                b.put(String.valueOf(e.getKey()), toCel(e.getValue()));
            }
            return b.buildKeepingLast();
        }
        if (v instanceof List<?> l) {
            ImmutableList.Builder<Object> b = ImmutableList.builderWithExpectedSize(l.size());
            for (Object o : l) {
                b.add(toCel(o));
            }
            return b.build();
        }
        if (v instanceof Number n) {
            return Values.normaliseNumber(n);
        }
        return v;
    }

    static Object fromCel(Object v) {
        if (v instanceof NullValue) {
            return null;
        }
        if (v instanceof Map<?, ?> m) {
            java.util.LinkedHashMap<String, Object> out = new java.util.LinkedHashMap<>();
            m.forEach((k, val) -> out.put(String.valueOf(k), fromCel(val)));
            return Values.freeze(out);
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            l.forEach(o -> out.add(fromCel(o)));
            return Values.freeze(out);
        }
        return Values.freeze(v);
    }

    /** Thrown from the evaluation listener when an expression uses more steps than allowed. */
    static final class CostLimitExceeded extends RuntimeException {
        CostLimitExceeded(long limit) {
            super("expression exceeded its cost limit of " + limit + " evaluation steps");
        }
    }
}
