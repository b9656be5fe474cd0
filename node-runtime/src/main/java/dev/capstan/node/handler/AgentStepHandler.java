package dev.capstan.node.handler;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.capstan.node.AgentDirectory;
import dev.capstan.node.AgentProfile;
import dev.capstan.node.NodeContext;
import dev.capstan.node.NodeFailure;
import dev.capstan.node.NodeHandler;
import dev.capstan.node.NodeOutcome;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;

/**
 * Steps of ordered step lists ({@code capstan.agentStep}, from workflow-core's {@code StepListLoader}): one model call
 * as the agent {@code config.agentId}. The agent's stored definition (provider, model, system prompt, temperature,
 * max tokens, key, endpoint) decides how it answers; an agent id the tenant has not defined uses the tenant's
 * {@code default} agent, else the run's model options and the platform defaults, and the outputs say which
 * ({@code agent.definition}). The system prompt is the agent's, followed by the step's {@code action} when that is an
 * instruction rather than an Operativus step kind ({@code AGENT}, {@code SEQUENTIAL}: one upper-case word). The user
 * content is the run input (input {@code input}: the run's inputs; their {@code input} or {@code message} text when
 * present) followed by the previous step's output (input {@code previous}), so steps chain.
 *
 * <p>Streaming, tokens, cost, keys, the address policy and the test-mode mock provider are {@link ModelClient}'s, as
 * for LLM nodes. Outputs: {@code content} (what the compatible surfaces show) and the LLM node's {@code text, model,
 * provider, finishReason, usage}, plus {@code agent {id, definition: stored | tenant-default | none}}.
 */
public final class AgentStepHandler implements NodeHandler {

    public static final String TYPE = "capstan.agentStep";
    /** An Operativus step kind ({@code AGENT}, {@code SEQUENTIAL}) says what sort of step it is, not what to do. */
    private static final Pattern STEP_KIND = Pattern.compile("[A-Z][A-Z_]*");

    private final ModelClient models;
    private final AgentDirectory agents;
    private final ObjectMapper json;

    public AgentStepHandler(ModelClient models, AgentDirectory agents, ObjectMapper json) {
        this.models = models;
        this.agents = agents == null ? AgentDirectory.NONE : agents;
        this.json = json;
    }

    @Override
    public Set<String> typeIds() {
        return Set.of(TYPE);
    }

    @Override
    public boolean sideEffecting() {
        return true; // it spends money
    }

    private record Resolved(AgentProfile profile, String definition) {
    }

    @Override
    public CompletionStage<NodeOutcome> execute(NodeContext ctx) {
        String agentId = LlmNodeHandler.str(ctx.config().get("agentId"), null);
        if (agentId == null) {
            throw new NodeFailure("validation_error", "The agent step names no agentId.", false);
        }
        CompletionStage<Resolved> lookup = resolve(ctx.tenantId(), agentId).exceptionally(t -> {
            // A store that cannot answer now may answer on a retry; the attempt is not the step's fault.
            throw new NodeFailure("tenant_unavailable", "The tenant's agent definitions could not be read.", true);
        });
        return lookup.thenCompose(resolved -> {
            ModelClient.Call call = call(ctx, resolved.profile());
            return models.call(ctx, call).thenApply(outcome -> withContent(outcome, agentId, resolved.definition()));
        });
    }

    /** The agent's own definition, else the tenant's {@code default} agent, else none (run options and defaults). */
    private CompletionStage<Resolved> resolve(String tenantId, String agentId) {
        return agents.find(tenantId, agentId).thenCompose(found -> {
            if (found.isPresent()) {
                return CompletableFuture.completedFuture(new Resolved(found.get(), "stored"));
            }
            if (agentId.equals(AgentDirectory.DEFAULT_AGENT)) {
                return CompletableFuture.completedFuture(new Resolved(null, "none"));
            }
            return agents.find(tenantId, AgentDirectory.DEFAULT_AGENT).thenApply(fallback -> fallback
                    .map(p -> new Resolved(p, "tenant-default")).orElseGet(() -> new Resolved(null, "none")));
        });
    }

    private ModelClient.Call call(NodeContext ctx, AgentProfile agent) {
        Map<String, Object> opts = ctx.invocation().options();
        Optional<AgentProfile> a = Optional.ofNullable(agent);
        // The agent's definition is what its id means; the run's model options only fill what it leaves open.
        String runProvider = LlmNodeHandler.str(opts.get("ai.provider"), null);
        String provider = a.map(AgentProfile::provider).orElse(runProvider != null ? runProvider : "openai");
        // The run's model and key belong to the run's provider: they are not sent to another one.
        boolean runProviderMatches = runProvider == null || runProvider.equalsIgnoreCase(provider);
        String model = a.map(AgentProfile::model)
                .orElse(runProviderMatches ? LlmNodeHandler.str(opts.get("ai.model"), null) : null);
        String credentialRef = a.map(AgentProfile::credentialRef)
                .orElse(runProviderMatches ? LlmNodeHandler.str(opts.get("ai.credentialRef"), null) : null);
        String instruction = instruction(ctx.config().get("action"));
        String system = join(a.map(AgentProfile::systemPrompt).orElse(null), instruction);
        String user = userContent(ctx.inputs().get("input"), ctx.inputs().get("previous"));
        if (user == null) {
            if (instruction == null) {
                throw new NodeFailure("validation_error", "The agent step has nothing to work on: the run input is empty,"
                        + " no previous step produced output and the step's action is not an instruction.", false);
            }
            user = instruction;
        }
        return new ModelClient.Call(provider, model, system, user, a.map(AgentProfile::temperature).orElse(null),
                a.map(AgentProfile::maxTokens).orElse(null), credentialRef, a.map(AgentProfile::baseUrl).orElse(null), null);
    }

    private NodeOutcome withContent(NodeOutcome outcome, String agentId, String definition) {
        if (!(outcome instanceof NodeOutcome.Completed c)) {
            return outcome;
        }
        Map<String, Object> outputs = new LinkedHashMap<>();
        outputs.put("content", c.outputs().get("text"));
        outputs.putAll(c.outputs());
        outputs.put("agent", Map.of("id", agentId, "definition", definition));
        return new NodeOutcome.Completed(outputs, c.cost(), c.http(), c.variables());
    }

    static String instruction(Object action) {
        String s = LlmNodeHandler.str(action, null);
        return s == null || STEP_KIND.matcher(s.trim()).matches() ? null : s.trim();
    }

    /** The run input's text, then the previous step's output; null when both are empty. */
    private String userContent(Object input, Object previous) {
        String in = inputText(input);
        String prev = text(previous);
        if (prev == null) {
            return in;
        }
        return in == null ? prev : in + "\n\nOutput of the previous step:\n" + prev;
    }

    /** Operativus runs carry {@code {input}}, AgentOS runs {@code {message, …}}; other inputs go as JSON. */
    private String inputText(Object input) {
        if (input instanceof Map<?, ?> m) {
            for (String key : new String[] {"input", "message"}) {
                if (m.get(key) instanceof String s) {
                    Map<Object, Object> rest = new LinkedHashMap<>(m);
                    rest.remove(key);
                    String extra = rest.isEmpty() ? null : text(rest);
                    return join(s.isBlank() ? null : s, extra);
                }
            }
        }
        return text(input);
    }

    private String text(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof String s) {
            return s.isBlank() ? null : s;
        }
        if (value instanceof Map<?, ?> m && m.isEmpty()) {
            return null;
        }
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            return String.valueOf(value);
        }
    }

    private static String join(String a, String b) {
        if (a == null || a.isBlank()) {
            return b;
        }
        return b == null || b.isBlank() ? a : a + "\n\n" + b;
    }
}
