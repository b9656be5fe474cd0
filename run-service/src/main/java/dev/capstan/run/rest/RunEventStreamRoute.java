package dev.capstan.run.rest;

import dev.capstan.run.service.JsonCodec;
import dev.capstan.common.error.ApiException;
import dev.capstan.common.error.ErrorCode;
import dev.capstan.common.identity.CallerIdentity;
import dev.capstan.common.identity.IdentityConfig;
import dev.capstan.common.identity.IdentityToken;
import dev.capstan.run.repository.RunRepository;
import dev.capstan.run.repository.RunRow;
import dev.capstan.run.service.RunCoordinator;
import dev.capstan.run.service.RunLogFollower;
import dev.capstan.run.service.StreamModes;
import dev.capstan.workflow.event.EventTypes;
import dev.capstan.workflow.event.RunEvent;
import dev.capstan.workflow.state.RunFold;
import dev.capstan.workflow.state.RunSnapshots;
import dev.capstan.workflow.state.RunState;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /v1/runs/{runId}/events}: the run's events as Server-Sent Events. The backlog after
 * {@code Last-Event-ID} is sent first, then live events as they commit; the stream always re-reads the
 * log from the last sequence it sent, so there is neither a gap nor a duplicate, and it closes after
 * the terminal event. Written on Vert.x directly for control over flushing, batching and keepalives.
 */
@ApplicationScoped
public class RunEventStreamRoute {

    private static final long KEEPALIVE_MS = 15_000;
    private static final int MAX_BUFFER_MS = 5_000;

    private final RunRepository runs;
    private final RunLogFollower follower;
    private final JsonCodec json;
    private final IdentityToken tokens;
    private final Clock clock = Clock.systemUTC();

    public RunEventStreamRoute(RunRepository runs, RunLogFollower follower, JsonCodec json, IdentityConfig identity) {
        this.runs = runs;
        this.follower = follower;
        this.json = json;
        this.tokens = new IdentityToken(identity.secret());
    }

    void install(@Observes Router router) {
        router.get("/v1/runs/:runId/events").order(-100).handler(this::handle);
    }

    private void handle(RoutingContext ctx) {
        try {
            CallerIdentity caller = tokens.verify(ctx.request().getHeader(IdentityToken.HEADER), clock.instant())
                    .orElseThrow(() -> new ApiException(ErrorCode.UNAUTHENTICATED, "This service accepts calls only through the Capstan gateway."));
            if (!caller.hasScope("runs:read")) {
                throw new ApiException(ErrorCode.FORBIDDEN, "The credentials lack the scope runs:read.", Map.of("requiredScope", "runs:read"));
            }
            StreamModes modes = StreamModes.parse(ctx.request().getParam("streamMode"));
            int bufferMs = parseBufferMs(ctx.request().getParam("bufferMs"));
            long after = parseLastEventId(ctx.request().getHeader("Last-Event-ID"));
            String runId = ctx.pathParam("runId");
            runs.find(caller.tenant(), runId).subscribe().with(row -> {
                if (row == null) {
                    fail(ctx, new ApiException(ErrorCode.NOT_FOUND, "Run " + runId + " not found", Map.of("runId", runId)));
                } else {
                    new Stream(ctx, row, modes, bufferMs, after).open();
                }
            }, error -> fail(ctx, error));
        } catch (ApiException e) {
            fail(ctx, e);
        }
    }

    private static int parseBufferMs(String raw) {
        if (raw == null || raw.isBlank()) {
            return 0;
        }
        try {
            int value = Integer.parseInt(raw.trim());
            if (value >= 0 && value <= MAX_BUFFER_MS) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw ApiException.validation("bufferMs must be a whole number from 0 to " + MAX_BUFFER_MS + ".", Map.of("field", "bufferMs"));
    }

    private static long parseLastEventId(String raw) {
        if (raw == null || raw.isBlank()) {
            return -1;
        }
        try {
            return Long.parseLong(raw.trim());
        } catch (NumberFormatException e) {
            throw ApiException.validation("Last-Event-ID must be an event sequence number.", Map.of("field", "Last-Event-ID"));
        }
    }

    private void fail(RoutingContext ctx, Throwable error) {
        ApiException api = error instanceof ApiException e ? e
                : new ApiException(ErrorCode.INTERNAL_ERROR, "The server failed to open the stream.");
        if (ctx.response().headWritten()) {
            ctx.response().end();
            return;
        }
        ctx.response().setStatusCode(api.status()).putHeader("Content-Type", "application/json")
                .end(json.write(api.toEnvelope()));
    }

    /** One open stream. All its state is touched only on the connection's event-loop context. */
    private final class Stream {
        private final RoutingContext ctx;
        private final HttpServerResponse response;
        private final io.vertx.core.Context context;
        private final RunRow row;
        private final StreamModes modes;
        private final int bufferMs;
        private long lastSent;
        private RunState state;
        private boolean closed;
        private final List<Map<String, Object>> batch = new ArrayList<>();
        private long batchTimer = -1;
        private long keepaliveTimer = -1;
        private RunLogFollower.Follow follow;

        Stream(RoutingContext ctx, RunRow row, StreamModes modes, int bufferMs, long after) {
            this.ctx = ctx;
            this.response = ctx.response();
            this.context = Vertx.currentContext();
            this.row = row;
            this.modes = modes;
            this.bufferMs = bufferMs;
            this.lastSent = after;
        }

        void open() {
            response.setChunked(true)
                    .putHeader("Content-Type", "text/event-stream")
                    .putHeader("Cache-Control", "no-cache")
                    .putHeader("X-Accel-Buffering", "no");
            response.write(":ok\n\n");
            response.closeHandler(v -> close());
            keepaliveTimer = ctx.vertx().setPeriodic(KEEPALIVE_MS, id -> {
                if (!closed) {
                    response.write(":keepalive\n\n");
                }
            });
            follow = follower.follow(row.runId(), context, this::accept, error -> finish());
        }

        /** Sends what the modes admit of the next events of the log; true once the terminal event is sent. */
        private boolean accept(List<RunEvent> events) {
            boolean terminal = false;
            for (RunEvent event : events) {
                if (modes.values()) {
                    // Only the values mode sends snapshots, so only it needs the run's state as of each event.
                    state = state == null ? RunFold.fold(row.runId(), row.workflowId(), List.of(event))
                            : RunFold.foldFrom(state, List.of(event));
                }
                if (event.sequence() <= lastSent) {
                    continue;
                }
                send(event);
                terminal |= event.isTerminal();
            }
            if (terminal) {
                flush();
                finish();
            }
            return terminal;
        }

        private void send(RunEvent event) {
            Map<String, Object> doc;
            if (modes.values()) {
                if (!StreamModes.isUpdate(event.type())) {
                    lastSent = event.sequence();
                    return;
                }
                doc = snapshotEvent(event);
            } else if (modes.admits(event.type())) {
                doc = event.toDocument();
            } else {
                lastSent = event.sequence();
                return;
            }
            lastSent = event.sequence();
            if (bufferMs == 0) {
                response.write("id: " + event.sequence() + "\nevent: " + doc.get("type") + "\ndata: " + json.write(doc) + "\n\n");
                return;
            }
            batch.add(doc);
            boolean forceFlush = event.isTerminal() || event.type().equals(EventTypes.NODE_SUSPENDED);
            if (forceFlush) {
                flush();
            } else if (batchTimer < 0) {
                batchTimer = ctx.vertx().setTimer(bufferMs, id -> {
                    batchTimer = -1;
                    flush();
                });
            }
        }

        private Map<String, Object> snapshotEvent(RunEvent event) {
            Map<String, Object> snapshot = new LinkedHashMap<>(RunSnapshots.toSnapshot(state, RunCoordinator.ENGINE_VERSION));
            snapshot.put("owner", Map.of("tenant", row.tenantId()));
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("eventId", event.eventId() + ":snapshot");
            doc.put("runId", event.runId());
            doc.put("type", "state.snapshot");
            doc.put("payload", snapshot);
            doc.put("timestamp", event.timestamp().toString());
            doc.put("sequence", event.sequence());
            return doc;
        }

        private void flush() {
            if (batchTimer >= 0) {
                ctx.vertx().cancelTimer(batchTimer);
                batchTimer = -1;
            }
            if (batch.isEmpty() || closed) {
                return;
            }
            Object highest = batch.get(batch.size() - 1).get("sequence");
            response.write("id: " + highest + "\nevent: batch\ndata: " + json.write(batch) + "\n\n");
            batch.clear();
        }

        private void finish() {
            if (!closed) {
                flush();
                response.end();
            }
            close();
        }

        private void close() {
            if (closed) {
                return;
            }
            closed = true;
            ctx.vertx().cancelTimer(keepaliveTimer);
            if (batchTimer >= 0) {
                ctx.vertx().cancelTimer(batchTimer);
            }
            follow.close();
        }
    }
}
