package dev.capstan.workflow.load;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.NodePath;
import dev.capstan.workflow.error.Problem;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Validates documents against the published schemas, bundled under {@code /schemas} on the classpath. Remote
 * fetching is off: schema ids under openwop.dev and osop.ai are mapped to the bundled copies.
 */
public final class SchemaValidator {

    public static final String OPENWOP_WORKFLOW = "https://openwop.dev/spec/v1/workflow-definition.schema.json";
    public static final String OPENWOP_RUN_EVENT = "https://openwop.dev/spec/v1/run-event.schema.json";
    public static final String OSOP_FULL = "https://osop.ai/schema/v2.1.0/osop.schema.json";
    public static final String OSOP_CORE = "https://osop.ai/schema/core/v1.0.0/osop-core.schema.json";

    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
            b -> b.schemaLoader(l -> l
                    .fetchRemoteResources(false)
                    .schemaIdResolvers(r -> r
                            .mapPrefix("https://openwop.dev/spec/v1/", "classpath:schemas/openwop/")
                            .mapPrefix("https://osop.ai/schema/v2.1.0/", "classpath:schemas/osop/")
                            .mapPrefix("https://osop.ai/schema/core/v1.0.0/", "classpath:schemas/osop/")
                            .mapPrefix("https://capstan.dev/schemas/", "classpath:schemas/capstan/"))));

    private SchemaValidator() {
    }

    static Schema schema(String id) {
        return REGISTRY.getSchema(SchemaLocation.of(id));
    }

    /** Validates a schema-less JSON Schema given as a plain map (used for interrupt resume schemas). */
    public static List<String> validateAgainst(java.util.Map<String, Object> schema, Object value) {
        tools.jackson.databind.json.JsonMapper mapper = tools.jackson.databind.json.JsonMapper.builder().build();
        Schema s = REGISTRY.getSchema(mapper.valueToTree(schema));
        List<String> messages = new ArrayList<>();
        for (Error e : s.validate(mapper.valueToTree(value))) {
            messages.add(pointerOf(e.getInstanceLocation()) + " " + e.getMessage());
        }
        return messages;
    }

    /** Validates a value against a bundled schema by URI (a fragment such as {@code #/$defs/x} is allowed). */
    public static List<String> validateAgainstId(String schemaUri, Object value) {
        tools.jackson.databind.json.JsonMapper mapper = tools.jackson.databind.json.JsonMapper.builder().build();
        List<String> messages = new ArrayList<>();
        for (Error e : REGISTRY.getSchema(SchemaLocation.of(schemaUri)).validate(mapper.valueToTree(value))) {
            messages.add(pointerOf(e.getInstanceLocation()) + " " + e.getMessage());
        }
        return messages;
    }

    /** Every schema problem in the document, located; duplicates (same pointer and message) removed. */
    static List<Problem> validate(String schemaId, JsonDocument doc, String codePrefix, Problem.Severity severity) {
        Schema schema = schema(schemaId);
        List<Problem> problems = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (Error e : schema.validate(doc.root())) {
            String pointer = pointerOf(e.getInstanceLocation());
            String message = sentence(e);
            if (!seen.add(pointer + "|" + message)) {
                continue;
            }
            problems.add(doc.locate(new Problem(codePrefix + "." + e.getKeyword(), severity, pointer, 0, 0, message)));
        }
        return problems;
    }

    private static String sentence(Error e) {
        String m = e.getMessage();
        // networknt prefixes some messages with the instance path; the pointer already says where.
        int colon = m.indexOf(": ");
        if (m.startsWith("$") && colon > 0) {
            m = m.substring(colon + 2);
        }
        m = m.isEmpty() ? m : Character.toUpperCase(m.charAt(0)) + m.substring(1);
        return m.endsWith(".") ? m : m + ".";
    }

    static String pointerOf(NodePath path) {
        StringBuilder sb = new StringBuilder();
        if (path == null) {
            return "";
        }
        for (int i = 0; i < path.getNameCount(); i++) {
            Object el = path.getElement(i);
            sb.append('/').append(String.valueOf(el).replace("~", "~0").replace("/", "~1"));
        }
        return sb.toString();
    }
}
