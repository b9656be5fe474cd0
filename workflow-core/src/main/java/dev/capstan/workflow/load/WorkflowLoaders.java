package dev.capstan.workflow.load;

import dev.capstan.workflow.error.LoadResult;
import dev.capstan.workflow.graph.NodeTypeRegistry;
import dev.capstan.workflow.model.SourceFormat;
import dev.capstan.workflow.model.WorkflowDefinition;
import java.util.regex.Pattern;

/**
 * One entry point for callers that receive definitions in any supported format: picks the loader from the
 * content (an {@code osop_version} key means OSOP — an {@code osoplog_version} key too, so a run log is rejected
 * for what it is — a top-level {@code steps} list means a step list, anything
 * else is OpenWOP JSON) unless the caller says which.
 */
public final class WorkflowLoaders {

    private static final Pattern OSOP = Pattern.compile("(^|[\\s{,])\"?osop(log)?_version\"?\\s*:", Pattern.MULTILINE);
    private static final Pattern STEPS = Pattern.compile("\"steps\"\\s*:\\s*\\[");

    private final OpenWopLoader openWop;
    private final OsopLoader osop;
    private final StepListLoader steps = new StepListLoader();

    public WorkflowLoaders(NodeTypeRegistry registry) {
        this.openWop = new OpenWopLoader(registry);
        this.osop = new OsopLoader(registry);
    }

    public static SourceFormat detect(String text) {
        if (text != null && OSOP.matcher(text).find()) {
            return SourceFormat.OSOP;
        }
        if (text != null && text.stripLeading().startsWith("{") && STEPS.matcher(text).find()
                && !text.contains("\"nodes\"")) {
            return SourceFormat.STEP_LIST;
        }
        return SourceFormat.OPENWOP;
    }

    public LoadResult<WorkflowDefinition> load(String text) {
        return load(text, detect(text));
    }

    public LoadResult<WorkflowDefinition> load(String text, SourceFormat format) {
        return switch (format) {
            case OPENWOP -> openWop.load(text);
            case OSOP -> osop.load(text);
            case STEP_LIST -> steps.load(text);
        };
    }
}
