package dev.capstan.cli.run;

import java.nio.file.Path;
import java.util.Map;

/**
 * What {@code capstan run} was asked to do, independent of where it runs.
 *
 * @param answers             clarification answers by question id, for runs without a terminal
 * @param secrets             values for {@code ${secrets.NAME}} (local runs only; the platform has its own)
 * @param allowPrivateTargets whether HTTP nodes may call loopback and private addresses (local runs)
 * @param mockLlm             agent nodes answer with the deterministic mock model instead of a provider (local runs)
 * @param logPath             where to write the OSOP log, or null for none
 */
public record RunSettings(Map<String, Object> inputs, boolean allowExec, Double maxCostUsd, boolean approve,
                          Map<String, String> answers, Map<String, String> secrets, boolean allowPrivateTargets,
                          boolean mockLlm, Long timeoutSeconds, Path logPath) {

    public RunSettings {
        inputs = Map.copyOf(inputs);
        answers = Map.copyOf(answers);
        secrets = Map.copyOf(secrets);
    }
}
