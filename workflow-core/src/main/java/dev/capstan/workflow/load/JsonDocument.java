package dev.capstan.workflow.load;

import com.networknt.schema.InputFormat;
import com.networknt.schema.serialization.NodeReader;
import com.networknt.schema.utils.JsonNodes;
import dev.capstan.workflow.error.Problem;
import dev.capstan.workflow.model.Values;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A parsed JSON or YAML document whose nodes remember where they were in the text, so every problem can carry a
 * JSON pointer and a line/column.
 */
final class JsonDocument {

    private static final NodeReader READER = NodeReader.builder().locationAware().build();
    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    private final JsonNode root;

    private JsonDocument(JsonNode root) {
        this.root = root;
    }

    /** Parses text; on a syntax error returns null and adds one problem with the position. */
    static JsonDocument parse(String text, InputFormat format, List<Problem> problems) {
        if (text == null || text.isBlank()) {
            problems.add(Problem.error("parse.empty", "", "The document is empty."));
            return null;
        }
        try {
            JsonNode root = READER.readTree(text, format);
            if (root == null || root.isMissingNode()) {
                problems.add(Problem.error("parse.empty", "", "The document is empty."));
                return null;
            }
            return new JsonDocument(root);
        } catch (JacksonException e) {
            TokenStreamLocation loc = e.getLocation();
            Problem p = Problem.error("parse.syntax", "", "The document is not valid "
                    + (format == InputFormat.YAML ? "YAML" : "JSON") + ": " + e.getOriginalMessage());
            if (loc != null && loc.getLineNr() > 0) {
                p = p.at(loc.getLineNr(), loc.getColumnNr());
            }
            problems.add(p);
            return null;
        }
    }

    JsonNode root() {
        return root;
    }

    /** A problem located at the node the pointer names (or its nearest existing ancestor). */
    Problem locate(Problem p) {
        JsonNode node = nodeAtOrAncestor(p.pointer());
        if (node == null) {
            return p;
        }
        TokenStreamLocation loc = JsonNodes.tokenStreamLocationOf(node);
        if (loc == null || loc.getLineNr() <= 0) {
            return p;
        }
        return p.at(loc.getLineNr(), loc.getColumnNr());
    }

    Problem error(String code, String pointer, String message) {
        return locate(Problem.error(code, pointer, message));
    }

    Problem warning(String code, String pointer, String message) {
        return locate(Problem.warning(code, pointer, message));
    }

    private JsonNode nodeAtOrAncestor(String pointer) {
        String p = pointer;
        while (true) {
            JsonNode n;
            try {
                n = p.isEmpty() ? root : root.at(p);
            } catch (IllegalArgumentException badPointer) {
                n = null;
            }
            if (n != null && !n.isMissingNode()) {
                return n;
            }
            if (p.isEmpty()) {
                return null;
            }
            int slash = p.lastIndexOf('/');
            p = slash <= 0 ? "" : p.substring(0, slash);
        }
    }

    static String pointer(Object... segments) {
        StringBuilder sb = new StringBuilder();
        for (Object s : segments) {
            sb.append('/').append(String.valueOf(s).replace("~", "~0").replace("/", "~1"));
        }
        return sb.toString();
    }

    /** The node as plain immutable values (see {@link Values}). */
    static Object plain(JsonNode node) {
        if (node == null || node.isMissingNode() || node.isNull()) {
            return null;
        }
        return Values.freeze(MAPPER.treeToValue(node, Object.class));
    }

    static Map<String, Object> plainMap(JsonNode node) {
        Object v = plain(node);
        return v instanceof Map<?, ?> ? Values.asMap(v) : Map.of();
    }

    static String text(JsonNode parent, String field) {
        JsonNode n = parent == null ? null : parent.get(field);
        if (n == null || n.isNull() || n.isMissingNode()) {
            return null;
        }
        return n.isString() ? n.stringValue() : n.isContainer() ? null : n.asString();
    }

    static Long longValue(JsonNode parent, String field) {
        JsonNode n = parent == null ? null : parent.get(field);
        return n != null && n.isNumber() ? n.asLong() : null;
    }

    static Double doubleValue(JsonNode parent, String field) {
        JsonNode n = parent == null ? null : parent.get(field);
        return n != null && n.isNumber() ? n.asDouble() : null;
    }

    static Map<String, Object> linked() {
        return new LinkedHashMap<>();
    }
}
