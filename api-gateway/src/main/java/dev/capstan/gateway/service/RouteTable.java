package dev.capstan.gateway.service;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Every public path the gateway forwards: which service owns it and which OpenWOP scopes a caller needs.
 * A path that matches no route is not forwarded (404), so a service never sees a path the gateway did
 * not authorise. Scopes do not imply each other: a route listing two needs both.
 */
public final class RouteTable {

    /** The services behind the gateway. */
    public enum Service { RUN, WEBHOOK, REGISTRY }

    /**
     * One route. {@code template} is the path as documented (also the low-cardinality metric tag);
     * {@code scopes} empty means any authenticated caller; {@code stream} marks server-sent events;
     * {@code tokenInPath} marks a route whose credential is a signed token in its path, verified by the service:
     * the gateway asks for no API key or bearer there, forwards no identity, and rate-limits by client address.
     */
    public record Route(String method, String template, Pattern pattern, Service service, Set<String> scopes,
                        boolean stream, boolean tokenInPath, String summary) {

        public boolean matches(String method, String path) {
            return this.method.equals(method) && pattern.matcher(path).matches();
        }
    }

    private static final String SEGMENT = "[^/]+";
    // OpenWOP puts actions inside the run segment (`/v1/runs/{runId}:pause`), so the id stops at ':'.
    private static final String ID = "[^/:]+";

    private static final List<Route> ROUTES = List.of(
            // OpenWOP v1: workflows and runs (run-service)
            route("POST", "/v1/workflows", Service.RUN, "Register a workflow definition as its next version", "workspace:write"),
            route("GET", "/v1/workflows", Service.RUN, "List workflows (latest version of each)", "manifest:read"),
            route("GET", "/v1/workflows/{workflowId}", Service.RUN, "Read the latest version of a workflow", "manifest:read"),
            route("PUT", "/v1/workflows/{workflowId}", Service.RUN, "Register a new version of a workflow", "workspace:write"),
            route("DELETE", "/v1/workflows/{workflowId}", Service.RUN, "Delete a workflow (runs in flight keep their version)", "workspace:write"),
            route("POST", "/v1/runs", Service.RUN, "Start a run", "runs:create"),
            route("GET", "/v1/runs", Service.RUN, "List runs, newest first", "runs:read"),
            route("POST", "/v1/runs:bulk-cancel", Service.RUN, "Cancel up to 100 runs", "runs:cancel"),
            route("GET", "/v1/runs/{runId}", Service.RUN, "Read a run's snapshot", "runs:read"),
            stream("GET", "/v1/runs/{runId}/events", Service.RUN, "Stream a run's events (SSE)", "runs:read"),
            route("GET", "/v1/runs/{runId}/events/poll", Service.RUN, "Poll a run's events", "runs:read"),
            route("POST", "/v1/runs/{runId}/cancel", Service.RUN, "Cancel a run", "runs:cancel"),
            route("POST", "/v1/runs/{runId}:fork", Service.RUN, "Fork a run from a point of its log", "runs:create", "runs:read"),
            route("POST", "/v1/runs/{runId}:pause", Service.RUN, "Pause a run", "runs:cancel"),
            route("POST", "/v1/runs/{runId}:resume", Service.RUN, "Resume a paused run", "runs:cancel"),
            route("POST", "/v1/runs/{runId}/interrupts/{nodeId}", Service.RUN, "Resolve an interrupt", "approvals:respond"),
            route("POST", "/v1/runs/{runId}/interrupts/{nodeId}/tokens", Service.RUN,
                    "Mint a signed token that inspects or resolves an open interrupt", "approvals:respond"),
            tokenInPath("GET", "/v1/interrupts/{token}", Service.RUN, "Inspect an interrupt with its signed token"),
            tokenInPath("POST", "/v1/interrupts/{token}", Service.RUN, "Resolve an interrupt with its signed token"),
            route("GET", "/v1/runs/{runId}/artifacts/{artifactId}", Service.RUN, "Read an artifact of a run", "artifacts:read"),
            // OpenWOP v1: webhooks (webhook-service)
            route("POST", "/v1/webhooks", Service.WEBHOOK, "Subscribe an endpoint to run events", "webhooks:manage"),
            route("DELETE", "/v1/webhooks/{webhookId}", Service.WEBHOOK, "Delete a webhook subscription", "webhooks:manage"),
            // OpenWOP v1: node-pack registry (registry-service); reads need only an authenticated caller
            route("GET", "/v1/packs/{name}", Service.REGISTRY, "Read a pack's index"),
            route("GET", "/v1/packs/{name}/-/{file}", Service.REGISTRY, "Read a pack version's manifest, tarball or signature"),
            route("PUT", "/v1/packs/{name}/-/{file}", Service.REGISTRY, "Publish a pack version", "packs:publish"),
            route("POST", "/v1/packs/{name}/-/{version}/yank", Service.REGISTRY, "Yank a pack version", "packs:yank"),
            route("DELETE", "/v1/packs/{name}/-/{version}/yank", Service.REGISTRY, "Revert a yank", "packs:yank-revert"),
            // Operativus-compatible surface (run-service)
            route("GET", "/api/v1/workflows", Service.RUN, "List workflows (Operativus)", "manifest:read"),
            route("POST", "/api/v1/workflows", Service.RUN, "Create a workflow (Operativus)", "workspace:write"),
            route("GET", "/api/v1/workflows/{id}", Service.RUN, "Read a workflow (Operativus)", "manifest:read"),
            route("PATCH", "/api/v1/workflows/{id}", Service.RUN, "Update a workflow (Operativus)", "workspace:write"),
            route("DELETE", "/api/v1/workflows/{id}", Service.RUN, "Delete a workflow (Operativus)", "workspace:write"),
            route("POST", "/api/v1/workflows/{id}/clone", Service.RUN, "Clone a workflow (Operativus)", "workspace:write"),
            route("GET", "/api/v1/workflows/{id}/steps", Service.RUN, "List steps (Operativus)", "manifest:read"),
            route("GET", "/api/v1/workflows/{id}/graph", Service.RUN, "Read the DAG (Operativus)", "manifest:read"),
            route("GET", "/api/v1/workflows/{id}/edges", Service.RUN, "List edges (Operativus)", "manifest:read"),
            route("GET", "/api/v1/workflows/{id}/layout", Service.RUN, "Read the layout (Operativus)", "manifest:read"),
            route("POST", "/api/v1/workflows/{id}/steps", Service.RUN, "Add a step (Operativus)", "workspace:write"),
            route("PATCH", "/api/v1/workflows/{id}/steps/{stepId}", Service.RUN, "Update a step (Operativus)", "workspace:write"),
            route("DELETE", "/api/v1/workflows/{id}/steps/{stepId}", Service.RUN, "Delete a step (Operativus)", "workspace:write"),
            route("POST", "/api/v1/workflows/{id}/edges", Service.RUN, "Add an edge (Operativus)", "workspace:write"),
            route("PATCH", "/api/v1/workflows/{id}/edges/{edgeId}", Service.RUN, "Update an edge (Operativus)", "workspace:write"),
            route("DELETE", "/api/v1/workflows/{id}/edges/{edgeId}", Service.RUN, "Delete an edge (Operativus)", "workspace:write"),
            route("PUT", "/api/v1/workflows/{id}/layout", Service.RUN, "Save the layout (Operativus)", "workspace:write"),
            route("GET", "/api/v1/workflows/{id}/validate", Service.RUN, "Validate a workflow (Operativus)", "manifest:read"),
            route("POST", "/api/v1/workflows/{id}/run", Service.RUN, "Start a run (Operativus)", "runs:create"),
            route("GET", "/api/v1/workflows/{id}/runs", Service.RUN, "List a workflow's runs (Operativus)", "runs:read"),
            route("POST", "/api/v1/workflows/runs/{runId}/resume", Service.RUN, "Resume a run (Operativus)", "approvals:respond"),
            route("POST", "/api/v1/workflows/runs/{runId}/continue", Service.RUN, "Choose a route (Operativus)", "approvals:respond"),
            route("GET", "/api/v1/workflows/runs/{runId}/route-options", Service.RUN, "Read route options (Operativus)", "runs:read"),
            route("GET", "/api/v1/workflows/runs/{runId}/node-runs", Service.RUN, "Read node runs (Operativus)", "runs:read"),
            route("GET", "/api/v1/workflows/runs/{runId}/child-node-runs", Service.RUN, "Read child node runs (Operativus)", "runs:read"),
            route("DELETE", "/api/v1/workflows/runs/{runId}", Service.RUN, "Cancel a run (Operativus)", "runs:cancel"),
            // AgentOS-compatible surface (run-service); its client discovers workflows through GET /config
            route("GET", "/config", Service.RUN, "The OS configuration, listing its workflows (AgentOS)", "manifest:read"),
            route("GET", "/health", Service.RUN, "Health of the AgentOS surface (AgentOS)", "manifest:read"),
            route("GET", "/workflows", Service.RUN, "List workflows (AgentOS)", "manifest:read"),
            route("GET", "/workflows/{workflowId}", Service.RUN, "Read a workflow (AgentOS)", "manifest:read"),
            stream("POST", "/workflows/{workflowId}/runs", Service.RUN, "Run a workflow, streamed by default (AgentOS)", "runs:create"),
            route("GET", "/workflows/{workflowId}/runs", Service.RUN, "List runs of a session (AgentOS)", "runs:read"),
            route("GET", "/workflows/{workflowId}/runs/{runId}", Service.RUN, "Read a run (AgentOS)", "runs:read"),
            stream("POST", "/workflows/{workflowId}/runs/{runId}/continue", Service.RUN, "Continue a paused run (AgentOS)", "approvals:respond"),
            route("POST", "/workflows/{workflowId}/runs/{runId}/cancel", Service.RUN, "Cancel a run (AgentOS)", "runs:cancel"),
            stream("POST", "/workflows/{workflowId}/runs/{runId}/resume", Service.RUN, "Resume a run's event stream (AgentOS)", "runs:read"));

    private RouteTable() {
    }

    public static List<Route> routes() {
        return ROUTES;
    }

    /** The route for a request, or empty when the gateway does not forward it. */
    public static Optional<Route> resolve(String method, String path) {
        for (Route route : ROUTES) {
            if (route.matches(method, path)) {
                return Optional.of(route);
            }
        }
        return Optional.empty();
    }

    /** Whether any route has this path, whatever its method (to tell 405 from 404). */
    public static boolean knowsPath(String path) {
        return ROUTES.stream().anyMatch(route -> route.pattern().matcher(path).matches());
    }

    /** Whether the path belongs to a surface the gateway fronts (and so needs credentials). */
    public static boolean isPublicSurface(String path) {
        return path.startsWith("/v1/") || path.equals("/api/v1/workflows") || path.startsWith("/api/v1/workflows/")
                || path.equals("/workflows") || path.startsWith("/workflows/") || path.equals("/config") || path.equals("/health");
    }

    private static Route route(String method, String template, Service service, String summary, String... scopes) {
        return new Route(method, template, compile(template), service, Set.of(scopes), false, false, summary);
    }

    private static Route stream(String method, String template, Service service, String summary, String... scopes) {
        return new Route(method, template, compile(template), service, Set.of(scopes), true, false, summary);
    }

    private static Route tokenInPath(String method, String template, Service service, String summary) {
        return new Route(method, template, compile(template), service, Set.of(), false, true, summary);
    }

    static Pattern compile(String template) {
        StringBuilder regex = new StringBuilder();
        int i = 0;
        while (i < template.length()) {
            int open = template.indexOf('{', i);
            if (open < 0) {
                regex.append(Pattern.quote(template.substring(i)));
                break;
            }
            regex.append(Pattern.quote(template.substring(i, open)));
            int close = template.indexOf('}', open);
            regex.append(template.startsWith("/v1/runs/") ? ID : SEGMENT);
            i = close + 1;
        }
        return Pattern.compile(regex.toString());
    }
}
