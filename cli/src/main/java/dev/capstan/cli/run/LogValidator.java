package dev.capstan.cli.run;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.NodePath;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Checks {@code .osoplog.yaml} files against the OSOP log schema (a copy of osop-spec's
 * {@code schema/osoplog.schema.json}, bundled so that the CLI works offline).
 */
public final class LogValidator {

    private static final Pattern LOG_KEY = Pattern.compile("(?m)^\"?osoplog_version\"?\\s*:");
    private static Schema schema;

    private LogValidator() {
    }

    /** Whether a file is an execution log rather than a workflow: by its name or its first key. */
    public static boolean isLog(Path path, String text) {
        String name = path.getFileName().toString();
        return name.matches(".*\\.osoplog\\.(yaml|yml|json)$") || LOG_KEY.matcher(text).find();
    }

    /** Every schema error as "pointer: message"; empty when the log is valid. */
    public static List<String> errors(String text) {
        InputFormat format = text.stripLeading().startsWith("{") ? InputFormat.JSON : InputFormat.YAML;
        try {
            return schema().validate(text, format).stream()
                    .map(e -> pointer(e.getInstanceLocation()) + ": " + e.getMessage()).distinct().toList();
        } catch (RuntimeException unreadable) {
            // The validator parses first; a syntax error surfaces as its exception.
            return List.of("/: not readable as " + format.name() + ": " + firstLine(unreadable.getMessage()));
        }
    }

    private static synchronized Schema schema() {
        if (schema == null) {
            try (InputStream in = LogValidator.class.getResourceAsStream("/schemas/osoplog.schema.json")) {
                String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
                        b -> b.schemaLoader(l -> l.fetchRemoteResources(false))).getSchema(text, InputFormat.JSON);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return schema;
    }

    private static String pointer(NodePath path) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; path != null && i < path.getNameCount(); i++) {
            sb.append('/').append(path.getElement(i));
        }
        return sb.isEmpty() ? "/" : sb.toString();
    }

    private static String firstLine(String s) {
        return s == null ? "syntax error" : s.lines().findFirst().orElse(s);
    }
}
