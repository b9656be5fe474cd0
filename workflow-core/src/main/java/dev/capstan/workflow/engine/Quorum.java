package dev.capstan.workflow.engine;

import dev.capstan.workflow.model.Node;
import dev.capstan.workflow.model.Values;
import java.util.Map;

/**
 * An approval gate's quorum (OpenWOP approval data {@code requiredApprovals}, {@code rejectionPolicy}): how many
 * accepts release it, and how many rejects close it — one under {@code single-veto} (the default), more than half
 * the required approvals under {@code majority}.
 */
record Quorum(int required, boolean majority) {

    static Quorum of(Node node) {
        Map<String, Object> data = node == null || node.interrupt() == null ? Map.of() : node.interrupt().data();
        Long required = Values.asLong(data.get("requiredApprovals"));
        return new Quorum(required == null ? 1 : (int) Math.max(1, required),
                "majority".equals(data.get("rejectionPolicy")));
    }

    boolean rejects(long rejects) {
        return majority ? rejects * 2 > required : rejects >= 1;
    }
}
