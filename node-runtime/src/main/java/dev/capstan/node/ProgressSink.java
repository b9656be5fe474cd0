package dev.capstan.node;

import java.util.Map;

/** Where a streaming node sends chunks while it runs; each becomes a {@code progress} result. */
@FunctionalInterface
public interface ProgressSink {

    /** {@code channel} is {@code ai.message.chunk} for model tokens or {@code output.chunk} for other output. */
    void chunk(String channel, String text, boolean isLast, Map<String, Object> meta);

    ProgressSink NONE = (channel, text, isLast, meta) -> {
    };
}
