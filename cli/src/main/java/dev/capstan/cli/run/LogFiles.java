package dev.capstan.cli.run;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.capstan.cli.CliFailure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/** Reads and writes {@code .osoplog.yaml} files. */
public final class LogFiles {

    private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .build());

    private LogFiles() {
    }

    /** The default file name: {@code <workflow id>.osoplog.yaml} in the working directory. */
    public static Path defaultPath(Path workingDirectory, String workflowId) {
        return workingDirectory.resolve(workflowId.replaceAll("[^A-Za-z0-9._-]", "_") + ".osoplog.yaml");
    }

    public static void write(Path path, Map<String, Object> log) {
        try {
            Path parent = path.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(path, "# OSOP execution log written by capstan\n" + YAML.writeValueAsString(log));
        } catch (IOException e) {
            throw CliFailure.failed("cannot write the log to " + path + ": " + e.getMessage());
        }
    }

    public static Map<String, Object> read(Path path) {
        try {
            Map<String, Object> log = YAML.readValue(Files.readString(path), new TypeReference<Map<String, Object>>() { });
            if (log == null) {
                throw CliFailure.failed(path + " is empty");
            }
            return log;
        } catch (NoSuchFileException e) {
            throw CliFailure.failed(path + ": no such file");
        } catch (IOException e) {
            throw CliFailure.failed(path + " is not a readable OSOP log: " + firstLine(e.getMessage()));
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
