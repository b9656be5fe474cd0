package dev.capstan.executor.messaging;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Which offsets may be committed when records finish out of order: per partition, the offset after the longest
 * finished prefix. Used by the poll thread only.
 */
final class OffsetTracker {

    private final Map<TopicPartition, TreeMap<Long, Boolean>> open = new HashMap<>();

    void received(TopicPartition tp, long offset) {
        open.computeIfAbsent(tp, x -> new TreeMap<>()).put(offset, false);
    }

    void finished(TopicPartition tp, long offset) {
        TreeMap<Long, Boolean> offsets = open.get(tp);
        if (offsets != null && offsets.containsKey(offset)) {
            offsets.put(offset, true);
        }
    }

    /** Offsets to commit now (and forgets the finished prefix). */
    Map<TopicPartition, OffsetAndMetadata> committable() {
        Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
        open.forEach((tp, offsets) -> {
            Long last = null;
            while (!offsets.isEmpty() && offsets.firstEntry().getValue()) {
                last = offsets.pollFirstEntry().getKey();
            }
            if (last != null) {
                out.put(tp, new OffsetAndMetadata(last + 1));
            }
        });
        return out;
    }

    void forget(TopicPartition tp) {
        open.remove(tp);
    }

    boolean isEmpty() {
        return open.values().stream().allMatch(TreeMap::isEmpty);
    }
}
