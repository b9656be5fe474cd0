package dev.capstan.workflow.state;

import dev.capstan.workflow.model.Values;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a node that runs more than once in a row stands: the target of an OSOP {@code for_each} loop edge or of a
 * spawn edge with {@code spawn_count} > 1. Built only from {@code capstan.loop.reentered} events.
 *
 * @param edgeId      the for_each / spawn edge
 * @param iteratorVar the for_each element's name under {@code loop.}, null for spawn
 * @param items       the list for_each evaluated to when the edge was taken (null for spawn)
 * @param index       the visit in progress (0-based)
 * @param count       how many visits there are in all (0: the list was empty, the target does not run)
 */
public record LoopPosition(String edgeId, String iteratorVar, List<Object> items, int index, int count) {

    @SuppressWarnings("unchecked")
    public LoopPosition {
        items = items == null ? null : (List<Object>) Values.freeze(items);
    }

    /** The current element (null for spawn, or before the first element of an empty list). */
    public Object element() {
        return items != null && index >= 0 && index < items.size() ? items.get(index) : null;
    }

    public boolean hasNext() {
        return index + 1 < count;
    }

    /** What the body reads as {@code loop}: {@code index}, {@code count} and {@code <iteratorVar>} (the element). */
    public Map<String, Object> context() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("index", (long) index);
        m.put("count", (long) count);
        if (iteratorVar != null) {
            m.put(iteratorVar, element());
        }
        return java.util.Collections.unmodifiableMap(m);
    }
}
