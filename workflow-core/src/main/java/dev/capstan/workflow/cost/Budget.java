package dev.capstan.workflow.cost;

import dev.capstan.workflow.model.Node;

/** Budget checks: before a node starts (its estimate) and after it reports what it spent. */
public final class Budget {

    private Budget() {
    }

    /** True when starting the node would cross the budget, judged by its cost estimate (no estimate = no block). */
    public static boolean wouldExceed(Double budgetUsd, CostTotals spent, Node node) {
        if (budgetUsd == null || node.cost().usd() == null) {
            return false;
        }
        return spent.usd() + node.cost().usd() > budgetUsd;
    }

    public static boolean exceeded(Double budgetUsd, CostTotals spent) {
        return budgetUsd != null && spent.usd() > budgetUsd;
    }
}
