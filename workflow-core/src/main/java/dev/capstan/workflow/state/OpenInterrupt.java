package dev.capstan.workflow.state;

import dev.capstan.workflow.model.InterruptKind;
import dev.capstan.workflow.model.Values;
import java.util.Map;

/**
 * An interrupt waiting for its resume value.
 *
 * @param beforeDispatch true when it is the approval a TASK node needs before it runs
 */
public record OpenInterrupt(String interruptId, String nodeId, InterruptKind kind, String key,
                            Map<String, Object> resumeSchema, boolean beforeDispatch) {
    public OpenInterrupt {
        resumeSchema = Values.freezeMap(resumeSchema);
    }
}
