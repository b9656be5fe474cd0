package dev.capstan.run.rest.compat;

import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.Map;

/** Operativus errors are RFC 7807 ProblemDetails ({@code application/problem+json}), as their Spring handler sends. */
final class OperativusErrors {

    private OperativusErrors() {
    }

    static Response problem(int status, String title, String type, String detail) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", type);
        body.put("title", title);
        body.put("status", status);
        body.put("detail", detail);
        return Response.status(status).type("application/problem+json").entity(body).build();
    }
}
