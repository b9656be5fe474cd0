package dev.capstan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Golden files under {@code src/test/resources/golden}. Run with {@code -Dgolden.update=true} to rewrite them after
 * a deliberate change of shape, and review the diff.
 */
final class Golden {

    private static final Path DIR = Path.of("src/test/resources/golden");

    private Golden() {
    }

    /** Replaces what changes from run to run: times, durations, ids, ports, the user. */
    static String normalise(String log, String baseUrl) {
        return log.replace(baseUrl, "http://127.0.0.1:<port>")
                .replaceAll("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z", "<time>")
                .replaceAll("(duration_ms|response_time_ms): \\d+", "$1: <ms>")
                .replaceAll("run-[0-9a-f]{8}", "run-<id>")
                .replaceAll("ord_\\d+", "ord_<n>")
                .replace("\"" + System.getProperty("user.name") + "\"", "\"<user>\"");
    }

    static void assertMatches(String name, String actual) {
        Path file = DIR.resolve(name);
        try {
            if (Boolean.getBoolean("golden.update") || !Files.exists(file)) {
                Files.createDirectories(DIR);
                Files.writeString(file, actual);
                if (!Boolean.getBoolean("golden.update")) {
                    throw new AssertionError("golden file " + file + " did not exist; it was written: review and commit it");
                }
            }
            assertThat(actual).isEqualTo(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
