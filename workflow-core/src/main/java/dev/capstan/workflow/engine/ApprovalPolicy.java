package dev.capstan.workflow.engine;

import dev.capstan.workflow.model.Node;
import dev.capstan.workflow.model.Values;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An approval gate's rules (OpenWOP approval data {@code requiredApprovals}, {@code rejectionPolicy},
 * {@code approversList}): who may decide, how many accepts release the gate, and how many rejects close it — one
 * under {@code single-veto} (the default), more than half the required approvals under {@code majority}.
 *
 * @param approvers the principals allowed to decide; empty means anyone the host lets resolve interrupts
 */
record ApprovalPolicy(int required, boolean majority, List<String> approvers) {

    ApprovalPolicy {
        approvers = List.copyOf(approvers);
    }

    static ApprovalPolicy of(Node node) {
        Map<String, Object> data = node == null || node.interrupt() == null ? Map.of() : node.interrupt().data();
        Long required = Values.asLong(data.get("requiredApprovals"));
        List<String> approvers = new ArrayList<>();
        if (data.get("approversList") instanceof List<?> l) {
            for (Object a : l) {
                if (a != null && !approvers.contains(String.valueOf(a))) {
                    approvers.add(String.valueOf(a));
                }
            }
        }
        return new ApprovalPolicy(required == null ? 1 : (int) Math.max(1, required),
                "majority".equals(data.get("rejectionPolicy")), approvers);
    }

    /** Whether {@code principal} may act on the gate; an unidentified caller may only when the list is empty. */
    boolean mayDecide(String principal) {
        return approvers.isEmpty() || principal != null && approvers.contains(principal);
    }

    boolean rejects(long rejects) {
        return majority ? rejects * 2 > required : rejects >= 1;
    }
}
