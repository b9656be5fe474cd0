package dev.capstan.run.service.compat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;

/** A node's outputs as the text both compatible surfaces show: the text output when there is one, else JSON. */
public final class OutputText {

    private static final ObjectMapper JSON = new ObjectMapper();

    private OutputText() {
    }

    /** The single text field an agent step reports ({@code content}, {@code text} or {@code output}), if any. */
    public static String text(Object outputs) {
        if (outputs instanceof Map<?, ?> map) {
            for (String key : new String[] {"content", "text", "output"}) {
                if (map.get(key) instanceof String s) {
                    return s;
                }
            }
        }
        return outputs instanceof String s ? s : null;
    }

    public static String of(Object outputs) {
        if (outputs == null) {
            return null;
        }
        String text = text(outputs);
        if (text != null) {
            return text;
        }
        try {
            return JSON.writeValueAsString(outputs);
        } catch (JsonProcessingException e) {
            return String.valueOf(outputs);
        }
    }
}
