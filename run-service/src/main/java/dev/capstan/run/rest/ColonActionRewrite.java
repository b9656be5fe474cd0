package dev.capstan.run.rest;

import jakarta.ws.rs.container.ContainerRequestContext;
import java.net.URI;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * OpenWOP puts actions inside a path segment ({@code /v1/runs/{runId}:pause}, {@code /v1/runs:bulk-cancel}),
 * which JAX-RS templates cannot match against a plain {@code {runId}}. Before matching, such paths are
 * rewritten to {@code /v1/runs/{runId}/actions/{action}} and {@code /v1/runs/actions/{action}}.
 */
public class ColonActionRewrite {

    private static final Pattern RUN_ACTION = Pattern.compile("^/v1/runs/([^/:]+):([a-z-]+)$");
    private static final Pattern COLLECTION_ACTION = Pattern.compile("^/v1/runs:([a-z-]+)$");

    @ServerRequestFilter(preMatching = true)
    public void rewrite(ContainerRequestContext request) {
        URI uri = request.getUriInfo().getRequestUri();
        // Some clients percent-encode the colon.
        String path = uri.getRawPath().replace("%3A", ":").replace("%3a", ":");
        Matcher run = RUN_ACTION.matcher(path);
        Matcher collection = COLLECTION_ACTION.matcher(path);
        String rewritten = null;
        if (run.matches()) {
            rewritten = "/v1/runs/" + run.group(1) + "/actions/" + run.group(2);
        } else if (collection.matches()) {
            rewritten = "/v1/runs/actions/" + collection.group(1);
        }
        if (rewritten != null) {
            String query = uri.getRawQuery();
            request.setRequestUri(URI.create(rewritten + (query == null ? "" : "?" + query)));
        }
    }
}
