package dev.capstan.run.service;

import dev.capstan.common.error.ApiException;
import dev.capstan.common.error.ErrorCode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * OpenWOP {@code configurable}: the reserved keys are checked for type and range, vendor keys must carry a
 * prefix ({@code vendor.key}), a mock provider is for test keys only, and BYOK names a provider Capstan serves.
 * It also derives what executors need to know of the run ({@link #executorOptions}).
 */
public final class RunOptionsPolicy {

    /** Providers a tenant may bring its own credentials for (advertised as {@code aiProviders.byok}). */
    public static final Set<String> BYOK_PROVIDERS = Set.of("openai", "anthropic");
    /** The run option that lets shell nodes run, on top of the tenant's policy (the CLI's {@code --allow-exec}). */
    public static final String ALLOW_EXEC = "capstan.allowExec";

    private static final Set<String> RESERVED = Set.of("recursionLimit", "model", "temperature", "maxTokens",
            "promptOverrides", "mockProvider", "ai.provider", "ai.model", "ai.credentialRef", "escalationThreshold",
            "reasoningVerbosity", "runTimeoutMs", "maxLoopIterations", "distillation.tokenBudget", "budget",
            "maxNodeExecutions", "budgetUsd");

    private RunOptionsPolicy() {
    }

    /** Refuses a {@code configurable} that breaks the rules: 400 {@code validation_error}, or 403 for forbidden features. */
    public static void validate(Map<String, Object> configurable, boolean testMode) {
        if (configurable == null) {
            return;
        }
        for (Map.Entry<String, Object> e : configurable.entrySet()) {
            String key = e.getKey();
            Object v = e.getValue();
            if (!RESERVED.contains(key) && !key.contains(".")) {
                throw invalid(key, "is not a reserved key; vendor keys need a prefix (for example 'acme." + key + "')");
            }
            switch (key) {
                case "recursionLimit", "maxNodeExecutions", "maxLoopIterations", "maxTokens", "distillation.tokenBudget" -> {
                    if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || n.longValue() < 1) {
                        throw invalid(key, "must be a positive integer");
                    }
                }
                case "runTimeoutMs" -> {
                    if (!(v instanceof Number n) || n.longValue() < 1) {
                        throw invalid(key, "must be a positive number of milliseconds");
                    }
                }
                case "temperature" -> {
                    if (!(v instanceof Number n) || n.doubleValue() < 0 || n.doubleValue() > 2) {
                        throw invalid(key, "must be a number from 0 to 2");
                    }
                }
                case "budget", "budgetUsd" -> {
                    Object usd = v instanceof Map<?, ?> m ? m.get("usd") : v;
                    if (!(usd instanceof Number n) || n.doubleValue() < 0) {
                        throw invalid(key, "must be a non-negative USD amount (a number or {\"usd\": number})");
                    }
                }
                case "model", "ai.model", "ai.credentialRef", "reasoningVerbosity" -> {
                    if (!(v instanceof String s) || s.isBlank()) {
                        throw invalid(key, "must be a non-empty string");
                    }
                }
                case "ai.provider" -> {
                    if (!(v instanceof String s) || !BYOK_PROVIDERS.contains(s)) {
                        throw new ApiException(ErrorCode.CREDENTIAL_FORBIDDEN, "Bring-your-own-key is not available for provider '"
                                + v + "'.", Map.of("field", key, "byok", BYOK_PROVIDERS.stream().sorted().toList()));
                    }
                }
                case "mockProvider" -> {
                    if (!testMode) {
                        throw new ApiException(ErrorCode.MOCK_PROVIDER_FORBIDDEN,
                                "configurable.mockProvider is only allowed with a test-mode key.", Map.of("field", key));
                    }
                    if (!(v instanceof Map<?, ?> m) || !(m.get("id") instanceof String)) {
                        throw invalid(key, "must be an object with an id");
                    }
                }
                default -> {
                    // promptOverrides, escalationThreshold and vendor keys are carried as given.
                }
            }
        }
    }

    /** The engine's view of the options: OpenWOP's {@code budget} becomes the engine's {@code budgetUsd}. */
    public static Map<String, Object> forEngine(Map<String, Object> configurable) {
        Map<String, Object> m = new LinkedHashMap<>(configurable == null ? Map.of() : configurable);
        Object budget = m.get("budget");
        Object usd = budget instanceof Map<?, ?> b ? b.get("usd") : budget;
        if (usd instanceof Number && !m.containsKey("budgetUsd")) {
            m.put("budgetUsd", usd);
        }
        return m;
    }

    /** What executors and local nodes read of a run: test mode, the exec gate, model settings and BYOK references. */
    public static Map<String, Object> executorOptions(boolean testMode, Map<String, Object> configurable) {
        Map<String, Object> options = new LinkedHashMap<>();
        options.put("testMode", testMode);
        Map<String, Object> c = configurable == null ? Map.of() : configurable;
        options.put("allowExec", Boolean.TRUE.equals(c.get(ALLOW_EXEC)));
        for (String key : new String[] {"mockProvider", "model", "temperature", "maxTokens", "ai.provider", "ai.model",
                "ai.credentialRef"}) {
            if (c.containsKey(key)) {
                options.put(key, c.get(key));
            }
        }
        return options;
    }

    private static ApiException invalid(String key, String why) {
        return ApiException.validation("configurable." + key + " " + why + ".", Map.of("field", "configurable." + key));
    }
}
