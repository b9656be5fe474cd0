package dev.capstan.cli.support;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;

/** The shared OSOP material ({@code ../shared/osop} from the repository): examples and the log schema. */
public final class SharedOsop {

    private static final JsonMapper MAPPER = JsonMapper.builder().build();
    private static Schema logSchema;

    private SharedOsop() {
    }

    public static Path root() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            Path candidate = dir.resolve("shared/osop");
            if (Files.isDirectory(candidate.resolve("examples"))) {
                return candidate;
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException("../shared/osop (the OSOP examples and schemas) was not found above "
                + Path.of("").toAbsolutePath());
    }

    public static Path example(String name) {
        return root().resolve("examples").resolve(name);
    }

    /** Every schema error of the log, as "pointer: message"; empty when it validates. */
    public static synchronized List<String> logSchemaErrors(Map<String, Object> log) {
        if (logSchema == null) {
            try {
                String text = Files.readString(root().resolve("schema/osoplog.schema.json"));
                logSchema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
                        b -> b.schemaLoader(l -> l.fetchRemoteResources(false))).getSchema(MAPPER.readTree(text));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return logSchema.validate(MAPPER.valueToTree(log)).stream().map(Error::toString).toList();
    }
}
