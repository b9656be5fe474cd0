package dev.capstan.run.service;

import dev.capstan.run.config.ArtifactConfig;
import dev.capstan.run.repository.ArtifactRow;
import dev.capstan.workflow.engine.Decision;
import dev.capstan.workflow.engine.RunInput;
import dev.capstan.workflow.error.ErrorInfo;
import dev.capstan.workflow.event.EventTypes;
import dev.capstan.workflow.event.RunEvent;
import dev.capstan.workflow.model.Values;
import dev.capstan.workflow.state.RunFold;
import dev.capstan.workflow.state.RunState;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Finds the artifacts a step produces and records them: an approval interrupt that shows {@code artifactData}, and
 * the {@code artifacts} a node result declares. Each becomes an {@code artifact.created} event placed right after
 * the event that produced it (so it precedes a terminal event of the same step) and a {@code run_artifacts} row
 * written in the step's one statement. The engine stays unaware of artifacts: they do not change a run's course.
 */
@ApplicationScoped
public class ArtifactRecorder {

    public static final String ARTIFACT_CREATED = "artifact.created";
    public static final String TOO_LARGE = "artifact_too_large";
    public static final String INVALID = "artifact_invalid";
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._:-]{1,200}");
    private static final int MAX_TYPE_LENGTH = 200;
    private static final int MAX_SUMMARY_LENGTH = 1000;

    private final ArtifactConfig config;
    private final JsonCodec json;

    public ArtifactRecorder(ArtifactConfig config, JsonCodec json) {
        this.config = config;
        this.json = json;
    }

    /** The decision with its artifacts' events, and the rows to write with it; the same decision when there are none. */
    public record Recorded(Decision decision, List<ArtifactRow> rows) {
    }

    /**
     * A completed node whose declared artifacts are malformed or too large fails instead (not retryable: the same
     * node would declare the same); the producer learns why rather than finding a truncated artifact later.
     */
    public RunInput screen(RunInput input, List<Map<String, Object>> declared) {
        if (!(input instanceof RunInput.NodeCompleted completed) || declared.isEmpty()) {
            return input;
        }
        ErrorInfo problem = problem(declared);
        return problem == null ? input : new RunInput.NodeFailed(completed.nodeId(), completed.attempt(), problem, completed.cost());
    }

    private ErrorInfo problem(List<Map<String, Object>> declared) {
        if (declared.size() > config.maxPerResult()) {
            return new ErrorInfo(INVALID, "A node result may declare at most " + config.maxPerResult() + " artifacts; this one declared "
                    + declared.size() + ".", Map.of("maxPerResult", config.maxPerResult()), false);
        }
        for (Map<String, Object> a : declared) {
            Object id = a.get("artifactId");
            Object type = a.get("artifactType");
            if (!(id instanceof String s) || !ID.matcher(s).matches()) {
                return new ErrorInfo(INVALID, "A declared artifact needs an artifactId of 1 to 200 letters, digits or ._:-",
                        Map.of("artifactId", String.valueOf(id)), false);
            }
            if (!(type instanceof String t) || t.isBlank() || t.length() > MAX_TYPE_LENGTH) {
                return new ErrorInfo(INVALID, "Artifact " + id + " needs an artifactType of 1 to " + MAX_TYPE_LENGTH + " characters.",
                        Map.of("artifactId", id), false);
            }
            if (a.get("summary") != null && !(a.get("summary") instanceof String summary && summary.length() <= MAX_SUMMARY_LENGTH)) {
                return new ErrorInfo(INVALID, "The summary of artifact " + id + " must be a string of at most " + MAX_SUMMARY_LENGTH
                        + " characters.", Map.of("artifactId", id), false);
            }
            int size = sizeOf(a.get("content"));
            if (size > config.maxContentBytes()) {
                return new ErrorInfo(TOO_LARGE, "Artifact " + id + " is " + size + " bytes of JSON; at most " + config.maxContentBytes()
                        + " are kept.", Map.of("artifactId", id, "sizeBytes", size, "maxBytes", config.maxContentBytes()), false);
            }
        }
        return null;
    }

    /** The JSON size of an artifact's content, as stored. */
    public int sizeOf(Object content) {
        return content == null ? 0 : json.write(content).getBytes(StandardCharsets.UTF_8).length;
    }

    /**
     * Adds the artifacts of an accepted decision. {@code completedBy} is the completion it applies when the step is a
     * node result (its declared artifacts are recorded after that node's {@code node.completed}), else null.
     */
    public Recorded record(String tenantId, Decision decision, RunInput.NodeCompleted completedBy,
                           List<Map<String, Object>> declared, Instant now) {
        List<RunEvent> engineEvents = decision.events();
        List<List<Draft>> after = new ArrayList<>();
        int added = 0;
        boolean declaredPlaced = completedBy == null || declared.isEmpty();
        for (RunEvent e : engineEvents) {
            List<Draft> drafts = new ArrayList<>();
            if (EventTypes.INTERRUPT_REQUESTED.equals(e.type()) && "approval".equals(e.payload().get("kind"))) {
                Map<String, Object> data = Values.asMap(e.payload().get("data"));
                if (data.get("artifactData") != null && data.get("artifactId") instanceof String id) {
                    drafts.add(new Draft(id, String.valueOf(data.getOrDefault("artifactType", "workflow-step")), e.nodeId(),
                            data.get("title") instanceof String title ? title : null, data.get("artifactData")));
                }
            }
            if (!declaredPlaced && EventTypes.NODE_COMPLETED.equals(e.type()) && completedBy.nodeId().equals(e.nodeId())) {
                declared.forEach(a -> drafts.add(declaredDraft(a, completedBy.nodeId())));
                declaredPlaced = true;
            }
            added += drafts.size();
            after.add(drafts);
        }
        if (added == 0) {
            return new Recorded(decision, List.of());
        }
        // Renumber: each artifact.created follows the event that produced it.
        RunState before = decision.state();
        long sequence = before.nextSequence() - engineEvents.size();
        String runId = before.runId();
        List<RunEvent> events = new ArrayList<>(engineEvents.size() + added);
        List<RunEvent> appendedAtEnd = new ArrayList<>(added);
        List<ArtifactRow> rows = new ArrayList<>(added);
        for (int i = 0; i < engineEvents.size(); i++) {
            RunEvent e = engineEvents.get(i);
            events.add(new RunEvent(e.eventId(), e.runId(), sequence++, e.type(), e.timestamp(), e.nodeId(), e.payload()));
            for (Draft d : after.get(i)) {
                Map<String, Object> payload = new LinkedHashMap<>();
                payload.put("artifactId", d.artifactId());
                payload.put("artifactType", d.artifactType());
                if (d.nodeId() != null) {
                    payload.put("nodeId", d.nodeId());
                }
                payload.put("version", sequence);
                if (d.summary() != null) {
                    payload.put("summary", d.summary());
                }
                String eventId = UUID.randomUUID().toString();
                events.add(new RunEvent(eventId, runId, sequence, ARTIFACT_CREATED, now, d.nodeId(), payload));
                appendedAtEnd.add(new RunEvent(eventId, runId, before.nextSequence() + appendedAtEnd.size(), ARTIFACT_CREATED, now,
                        d.nodeId(), payload));
                rows.add(new ArtifactRow(tenantId, runId, d.artifactId(), sequence, d.artifactType(), d.nodeId(), d.summary(),
                        d.content() == null ? null : json.write(d.content()), now));
                sequence++;
            }
        }
        // artifact.created changes no state, so folding them at the end gives the state of the reordered log.
        RunState state = RunFold.foldFrom(before, appendedAtEnd);
        return new Recorded(new Decision(events, decision.commands(), state, null), rows);
    }

    private static Draft declaredDraft(Map<String, Object> a, String nodeId) {
        return new Draft((String) a.get("artifactId"), (String) a.get("artifactType"), nodeId,
                a.get("summary") instanceof String s ? s : null, a.get("content"));
    }

    private record Draft(String artifactId, String artifactType, String nodeId, String summary, Object content) {
    }
}
