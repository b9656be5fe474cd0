package dev.capstan.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The library takes time, ids and input from its callers: no clock, randomness, files or network in main code. */
class PurityTest {

    private static final List<Pattern> FORBIDDEN = List.of(Pattern.compile("Instant\\.now\\("),
            Pattern.compile("UUID\\.randomUUID"), Pattern.compile("new Random\\("), Pattern.compile("Math\\.random"),
            Pattern.compile("System\\.currentTimeMillis"), Pattern.compile("System\\.nanoTime"),
            Pattern.compile("LocalDateTime\\.now|ZonedDateTime\\.now|OffsetDateTime\\.now"),
            Pattern.compile("import java\\.io\\.File"), Pattern.compile("import java\\.nio\\.file"),
            Pattern.compile("import java\\.net\\."), Pattern.compile("Class\\.forName|getDeclaredMethod|setAccessible"),
            Pattern.compile("ScriptEngine"));

    @Test
    void mainCodeUsesNoClockRandomnessFilesNetworkOrReflection() throws IOException {
        Path main = Path.of("src/main/java");
        assertThat(main).isDirectory();
        try (Stream<Path> files = Files.walk(main)) {
            List<Path> sources = files.filter(p -> p.toString().endsWith(".java")).toList();
            assertThat(sources).hasSizeGreaterThan(30);
            for (Path p : sources) {
                String text = Files.readString(p);
                for (Pattern f : FORBIDDEN) {
                    assertThat(f.matcher(text).find()).as("%s uses %s", p, f.pattern()).isFalse();
                }
            }
        }
    }
}
