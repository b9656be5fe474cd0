package dev.capstan.workflow.engine;

import dev.capstan.workflow.graph.NodeTypeRegistry;
import dev.capstan.workflow.load.Fixtures;
import dev.capstan.workflow.load.OpenWopLoader;
import dev.capstan.workflow.load.OsopLoader;
import dev.capstan.workflow.load.TestRegistries;
import dev.capstan.workflow.model.WorkflowDefinition;

/** Loads definitions for engine tests. */
final class Defs {

    private Defs() {
    }

    static WorkflowDefinition openWopFixture(String file) {
        return new OpenWopLoader(TestRegistries.openWop()).load(Fixtures.read("openwop/" + file)).orThrow();
    }

    static WorkflowDefinition openWop(String json) {
        return new OpenWopLoader(NodeTypeRegistry.acceptAll()).load(json).orThrow();
    }

    static WorkflowDefinition osopExample(String file) {
        return new OsopLoader(NodeTypeRegistry.acceptAll()).load(Fixtures.read("osop/" + file)).orThrow();
    }

    static WorkflowDefinition osop(String yaml) {
        return new OsopLoader(NodeTypeRegistry.acceptAll()).load(yaml).orThrow();
    }

    /** A compact OpenWOP definition: nodes "id:typeId", edges "from>to" or "from>to@rule". */
    static WorkflowDefinition graph(String settings, String[] nodes, String... edges) {
        StringBuilder sb = new StringBuilder("{\"id\": \"g\", \"name\": \"g\", \"version\": \"1\", \"triggers\": [],"
                + " \"variables\": [], \"metadata\": {}, \"settings\": " + settings + ", \"nodes\": [");
        for (int i = 0; i < nodes.length; i++) {
            String[] parts = nodes[i].split(":", 3);
            String extra = parts.length > 2 ? parts[2] : "{}";
            sb.append(i > 0 ? "," : "").append("{\"id\": \"").append(parts[0]).append("\", \"typeId\": \"")
                    .append(parts.length > 1 ? parts[1] : "core.noop").append("\", \"name\": \"").append(parts[0])
                    .append("\", \"position\": {\"x\": 0, \"y\": 0}, \"config\": {}, \"inputs\": {}, \"settings\": ")
                    .append(extra).append("}");
        }
        sb.append("], \"edges\": [");
        for (int i = 0; i < edges.length; i++) {
            String[] ruleSplit = edges[i].split("@");
            String[] ends = ruleSplit[0].split(">");
            sb.append(i > 0 ? "," : "").append("{\"id\": \"e").append(i).append("\", \"sourceNodeId\": \"").append(ends[0])
                    .append("\", \"targetNodeId\": \"").append(ends[1]).append("\"");
            if (ruleSplit.length > 1) {
                sb.append(", \"triggerRule\": \"").append(ruleSplit[1]).append("\"");
            }
            sb.append("}");
        }
        sb.append("]}");
        return openWop(sb.toString());
    }
}
