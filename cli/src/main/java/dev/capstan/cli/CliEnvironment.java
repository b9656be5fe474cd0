package dev.capstan.cli;

import java.nio.file.Path;
import java.util.Map;

/**
 * What the commands read from the outside apart from their arguments: environment variables, the terminal and
 * the working directory (where {@code .capstan/env} is looked up). Injected so tests never depend on the machine.
 */
public record CliEnvironment(Map<String, String> variables, Terminal terminal, Path workingDirectory) {

    public CliEnvironment {
        variables = Map.copyOf(variables);
    }

    public static CliEnvironment system() {
        return new CliEnvironment(System.getenv(), Terminal.system(), Path.of("").toAbsolutePath());
    }

    public String variable(String name) {
        String v = variables.get(name);
        return v == null || v.isBlank() ? null : v;
    }
}
