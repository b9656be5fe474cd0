package dev.capstan.run.rest.compat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.capstan.common.identity.CallerIdentity;
import dev.capstan.common.identity.IdentityConfig;
import dev.capstan.common.identity.IdentityToken;
import dev.capstan.run.service.JsonCodec;
import dev.capstan.run.service.RunLogFollower;
import dev.capstan.run.service.compat.AgentOsEvents;
import dev.capstan.run.service.compat.AgentOsService;
import dev.capstan.run.service.compat.AgentOsService.LiveRun;
import dev.capstan.run.service.compat.CompatException;
import dev.capstan.run.service.compat.CompatStatus;
import dev.capstan.workflow.event.RunEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * AgentOS {@code POST /workflows/{id}/runs} and {@code …/runs/{runId}/continue}: form posts that stream the run as
 * SSE by default ({@code event: <Name>\ndata: <json>\n\n}, the JSON carrying {@code "event"}), or answer with the run
 * output ({@code stream=false}) or 202 PENDING ({@code background=true}). On Vert.x directly, like the OpenWOP event
 * stream, for control over framing and to see the client go away (which cancels a foreground run, as in AgentOS).
 */
@ApplicationScoped
public class AgentOsRunRoute {

    private static final Logger LOG = Logger.getLogger(AgentOsRunRoute.class);
    private static final Set<String> KNOWN_FIELDS = Set.of("message", "stream", "background", "session_id", "user_id", "version",
            "factory_input", "step_requirements");
    private static final Duration WAIT = Duration.ofMinutes(10);

    private final AgentOsService service;
    private final RunLogFollower follower;
    private final JsonCodec json;
    private final IdentityToken tokens;
    private final Clock clock = Clock.systemUTC();

    public AgentOsRunRoute(AgentOsService service, RunLogFollower follower, JsonCodec json, IdentityConfig identity) {
        this.service = service;
        this.follower = follower;
        this.json = json;
        this.tokens = new IdentityToken(identity.secret());
    }

    void install(@Observes Router router) {
        BodyHandler forms = BodyHandler.create(false).setBodyLimit(1024 * 1024);
        router.post("/workflows/:workflowId/runs").order(-100).handler(forms).handler(this::start);
        router.post("/workflows/:workflowId/runs/:runId/continue").order(-100).handler(forms).handler(this::continueRun);
    }

    private void start(RoutingContext ctx) {
        try {
            CallerIdentity caller = caller(ctx, "runs:create");
            MultiMap form = ctx.request().formAttributes();
            String message = form.get("message");
            if (message == null) {
                throw CompatException.unprocessable("message is required");
            }
            boolean stream = flag(form.get("stream"), true);
            boolean background = flag(form.get("background"), false);
            Map<String, Object> extra = new LinkedHashMap<>();
            form.forEach(entry -> {
                if (!KNOWN_FIELDS.contains(entry.getKey())) {
                    extra.put(entry.getKey(), entry.getValue());
                }
            });
            Uni<LiveRun> started = service.start(caller, ctx.pathParam("workflowId"), message, form.get("session_id"), form.get("user_id"), extra);
            respond(ctx, caller, started, stream, background);
        } catch (CompatException e) {
            fail(ctx, e);
        }
    }

    private void continueRun(RoutingContext ctx) {
        try {
            CallerIdentity caller = caller(ctx, "approvals:respond");
            MultiMap form = ctx.request().formAttributes();
            JsonNode requirements = null;
            String raw = form.get("step_requirements");
            if (raw != null && !raw.isBlank()) {
                try {
                    requirements = new com.fasterxml.jackson.databind.ObjectMapper().readTree(raw);
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    throw CompatException.badRequest("step_requirements is not valid JSON");
                }
            }
            boolean stream = flag(form.get("stream"), true);
            respond(ctx, caller, service.continueRun(caller, ctx.pathParam("workflowId"), ctx.pathParam("runId"), requirements), stream, false);
        } catch (CompatException e) {
            fail(ctx, e);
        }
    }

    private void respond(RoutingContext ctx, CallerIdentity caller, Uni<LiveRun> live, boolean stream, boolean background) {
        live.subscribe().with(run -> {
            if (background && !stream) {
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("run_id", run.row().runId());
                body.put("session_id", run.sessionId());
                body.put("status", "PENDING");
                ctx.response().setStatusCode(202).putHeader("Content-Type", "application/json").end(json.write(body));
            } else if (stream) {
                new Stream(ctx, caller.tenant(), run, !background).open();
            } else {
                service.settled(caller.tenant(), run.row().runId(), WAIT).flatMap(service::output).subscribe().with(
                        output -> ctx.response().setStatusCode(200).putHeader("Content-Type", "application/json").end(json.write(output)),
                        error -> fail(ctx, error));
            }
        }, error -> fail(ctx, error));
    }

    private CallerIdentity caller(RoutingContext ctx, String scope) {
        CallerIdentity caller = tokens.verify(ctx.request().getHeader(IdentityToken.HEADER), clock.instant())
                .orElseThrow(() -> new CompatException(401, "Unauthorized", "", "This service accepts calls only through the Capstan gateway."));
        if (!caller.hasScope(scope)) {
            throw new CompatException(403, "Forbidden", "", "The credentials lack the scope " + scope + ".");
        }
        return caller;
    }

    private static boolean flag(String raw, boolean fallback) {
        if (raw == null || raw.isBlank()) {
            return fallback;
        }
        return switch (raw.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "1", "yes", "on" -> true;
            case "false", "0", "no", "off" -> false;
            default -> throw CompatException.unprocessable("Input should be a valid boolean: " + raw);
        };
    }

    private void fail(RoutingContext ctx, Throwable error) {
        int status;
        String detail;
        if (error instanceof CompatException e) {
            status = e.status();
            detail = e.getMessage();
        } else {
            String correlationId = UUID.randomUUID().toString();
            LOG.errorf(error, "Unexpected failure on the AgentOS surface, correlationId=%s", correlationId);
            status = 500;
            detail = "The server failed to handle the request; correlation id " + correlationId;
        }
        if (ctx.response().headWritten()) {
            ctx.response().end();
            return;
        }
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(json.write(Map.of("detail", detail)));
    }

    /** One open stream; its state is touched only on the connection's context. */
    private final class Stream {
        private final RoutingContext ctx;
        private final HttpServerResponse response;
        private final io.vertx.core.Context context;
        private final String tenantId;
        private final LiveRun run;
        private final boolean cancelOnDisconnect;
        private final AgentOsEvents mapper;
        private boolean closed;
        private boolean finished;
        private RunLogFollower.Follow follow;

        Stream(RoutingContext ctx, String tenantId, LiveRun run, boolean cancelOnDisconnect) {
            this.ctx = ctx;
            this.response = ctx.response();
            this.context = Vertx.currentContext();
            this.tenantId = tenantId;
            this.run = run;
            this.cancelOnDisconnect = cancelOnDisconnect;
            this.mapper = new AgentOsEvents(run.definition(), run.sessionId(), run.row().runId());
        }

        void open() {
            response.setChunked(true).putHeader("Content-Type", "text/event-stream").putHeader("Cache-Control", "no-cache")
                    .putHeader("X-Accel-Buffering", "no");
            response.closeHandler(v -> {
                if (!finished && cancelOnDisconnect) {
                    service.cancelQuietly(tenantId, run.row().runId());
                }
                close();
            });
            follow = follower.follow(run.row().runId(), context, this::accept, error -> {
                finished = true;
                response.end();
                close();
            });
        }

        /** Maps the next events of the log; events up to {@code run.after()} only feed the mapper's state. */
        private boolean accept(List<RunEvent> events) {
            boolean end = false;
            for (RunEvent event : events) {
                List<Map<String, Object>> mapped = mapper.map(event);
                if (event.sequence() <= run.after()) {
                    continue;
                }
                for (Map<String, Object> out : mapped) {
                    send((String) out.get("event"), out);
                    if (out.get("event").equals("WorkflowPaused")) {
                        end = true;
                    }
                }
                end |= event.isTerminal();
            }
            if (end) {
                finishAfterPause();
            }
            return end;
        }

        private void send(String name, Object data) {
            response.write("event: " + name + "\ndata: " + json.write(data) + "\n\n");
        }

        /** After a pause AgentOS sends the run output as a legacy {@code WorkflowRunOutput} frame, then ends the stream. */
        private void finishAfterPause() {
            finished = true;
            service.find(tenantId, run.row().runId()).flatMap(row -> CompatStatus.waiting(row.status())
                            ? service.output(row).map(output -> (Object) output) : Uni.createFrom().nullItem())
                    .subscribe().with(output -> context.runOnContext(v -> {
                        if (output != null && !closed) {
                            send("WorkflowRunOutput", output);
                        }
                        response.end();
                        close();
                    }), error -> context.runOnContext(v -> {
                        response.end();
                        close();
                    }));
        }

        private void close() {
            if (closed) {
                return;
            }
            closed = true;
            follow.close();
        }
    }
}
