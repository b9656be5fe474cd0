package dev.capstan.node;

/**
 * A tenant's definition of an agent that step lists name by {@code agentId}: which model answers and how. Null
 * fields fall back to the run's model options and the platform's defaults, as for an LLM node.
 *
 * @param credentialRef the tenant secret holding the provider key (else the run's {@code ai.credentialRef}, else
 *                      the platform's key)
 * @param baseUrl       an OpenAI-compatible or Anthropic endpoint other than the configured one (address policy applies)
 */
public record AgentProfile(String agentId, String provider, String model, String systemPrompt, Double temperature,
                           Integer maxTokens, String credentialRef, String baseUrl) {
}
