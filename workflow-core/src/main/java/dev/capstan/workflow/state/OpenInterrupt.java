package dev.capstan.workflow.state;

import dev.capstan.workflow.model.InterruptKind;
import dev.capstan.workflow.model.Values;
import java.util.Map;

/**
 * An interrupt waiting for its resume value.
 *
 * @param beforeDispatch true when it is the approval a TASK node needs before it runs
 * @param votes          approval votes so far when the gate needs a quorum (voter → accept/reject)
 */
public record OpenInterrupt(String interruptId, String nodeId, InterruptKind kind, String key,
                            Map<String, Object> resumeSchema, boolean beforeDispatch, Map<String, Object> votes) {
    public OpenInterrupt {
        resumeSchema = Values.freezeMap(resumeSchema);
        votes = Values.freezeMap(votes);
    }

    public OpenInterrupt(String interruptId, String nodeId, InterruptKind kind, String key,
                         Map<String, Object> resumeSchema, boolean beforeDispatch) {
        this(interruptId, nodeId, kind, key, resumeSchema, beforeDispatch, Map.of());
    }

    /** The same interrupt with one more approval vote (voter → action). */
    public OpenInterrupt withVote(String voter, String action) {
        Map<String, Object> v = new java.util.LinkedHashMap<>(votes);
        v.put(voter, action);
        return new OpenInterrupt(interruptId, nodeId, kind, key, resumeSchema, beforeDispatch, v);
    }

    public long votesFor(String action) {
        return votes.values().stream().filter(action::equals).count();
    }
}
