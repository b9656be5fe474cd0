package dev.capstan.cli.run;

import dev.capstan.cli.CliEnvironment;
import dev.capstan.cli.CliFailure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Where the platform is and the API key to call it with: the flags, else {@code CAPSTAN_URL} /
 * {@code CAPSTAN_API_KEY}, else the {@code .capstan/env} file {@code ./capstan up} writes.
 */
public record PlatformConfig(String url, String apiKey, String source) {

    public static PlatformConfig resolve(String urlFlag, String keyFlag, CliEnvironment env) {
        Map<String, String> file = envFile(env);
        String fileName = env.workingDirectory().resolve(".capstan/env").toString();
        String url = first(urlFlag, env.variable("CAPSTAN_URL"), file.get("CAPSTAN_URL"));
        String key = first(keyFlag, env.variable("CAPSTAN_API_KEY"), file.get("CAPSTAN_API_KEY"));
        if (url == null) {
            throw CliFailure.usage("no platform to run on: give --server URL (or set CAPSTAN_URL, or run ./capstan up,"
                    + " which writes .capstan/env), or run in-process with --local");
        }
        if (key == null) {
            throw CliFailure.usage("no API key for " + url + ": give --api-key KEY or set CAPSTAN_API_KEY");
        }
        String source = urlFlag != null ? "--server" : env.variable("CAPSTAN_URL") != null ? "CAPSTAN_URL" : fileName;
        return new PlatformConfig(url.replaceAll("/+$", ""), key, source);
    }

    private static Map<String, String> envFile(CliEnvironment env) {
        Path p = env.workingDirectory().resolve(".capstan/env");
        Map<String, String> m = new HashMap<>();
        if (!Files.isRegularFile(p)) {
            return m;
        }
        try {
            for (String line : Files.readAllLines(p)) {
                String l = line.trim();
                int eq = l.indexOf('=');
                if (l.isEmpty() || l.startsWith("#") || l.startsWith("export ") || eq <= 0) {
                    continue;
                }
                String v = l.substring(eq + 1).trim();
                if (v.length() >= 2 && (v.startsWith("\"") && v.endsWith("\"") || v.startsWith("'") && v.endsWith("'"))) {
                    v = v.substring(1, v.length() - 1);
                }
                m.put(l.substring(0, eq).trim(), v);
            }
        } catch (IOException e) {
            throw CliFailure.failed("cannot read " + p + ": " + e.getMessage());
        }
        return m;
    }

    private static String first(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return null;
    }
}
