package dev.capstan.node;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the node handlers are allowed and told, independent of where the settings come from (a service's
 * typed config, the CLI's flags). {@link #defaults()} is the conservative set: no private targets, no shell.
 */
public record NodeRuntimeSettings(Http http, Llm llm, Shell shell) {

    public record Http(boolean allowPrivateTargets, Optional<List<String>> privateTargetTenants, long defaultTimeoutMs,
                       int defaultMaxRetries, long backoffMs, long maxRetryAfterMs, int maxResponseBytes, int previewBytes) {

        /** Whether the tenant's policy lets HTTP and LLM nodes reach loopback, private and metadata addresses. */
        public boolean privateTargetsAllowedFor(String tenantId) {
            return allowPrivateTargets || privateTargetTenants.map(l -> l.contains(tenantId)).orElse(false);
        }
    }

    public record ModelPrice(double inputPerMtok, double outputPerMtok) {
    }

    public record Llm(String openaiBaseUrl, String anthropicBaseUrl, Map<String, String> apiKeys,
                      Map<String, ModelPrice> prices, long defaultTimeoutMs) {
    }

    public record Shell(Optional<List<String>> allowExecTenants, String scratchRoot, List<String> envAllowList,
                        long defaultTimeoutMs, int maxOutputBytes) {
    }

    public static NodeRuntimeSettings defaults() {
        return new NodeRuntimeSettings(
                new Http(false, Optional.empty(), 30_000, 2, 200, 30_000, 1_048_576, 4096),
                new Llm("https://api.openai.com/v1", "https://api.anthropic.com", Map.of(), Map.of(), 120_000),
                new Shell(Optional.empty(), System.getProperty("java.io.tmpdir") + "/capstan-exec",
                        List.of("PATH", "LANG", "LC_ALL", "TZ"), 60_000, 65_536));
    }

    public NodeRuntimeSettings withHttp(Http http) {
        return new NodeRuntimeSettings(http, llm, shell);
    }

    public NodeRuntimeSettings withShell(Shell shell) {
        return new NodeRuntimeSettings(http, llm, shell);
    }
}
