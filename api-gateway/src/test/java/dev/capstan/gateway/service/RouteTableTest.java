package dev.capstan.gateway.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.gateway.service.RouteTable.Route;
import org.junit.jupiter.api.Test;

class RouteTableTest {

    @Test
    void everyTemplateResolvesToItselfWithConcreteIds() {
        for (Route route : RouteTable.routes()) {
            String path = route.template().replaceAll("\\{[^}]+}", "id-1");
            assertThat(RouteTable.resolve(route.method(), path)).as(route.method() + " " + route.template()).contains(route);
        }
    }

    @Test
    void actionsInTheRunSegmentAreNotMistakenForRunIds() {
        assertThat(RouteTable.resolve("POST", "/v1/runs/r1:pause")).get().extracting(Route::template).isEqualTo("/v1/runs/{runId}:pause");
        assertThat(RouteTable.resolve("POST", "/v1/runs/r1:fork").get().scopes()).containsExactlyInAnyOrder("runs:create", "runs:read");
        assertThat(RouteTable.resolve("GET", "/v1/runs/r1:pause")).isEmpty();
        assertThat(RouteTable.resolve("POST", "/v1/runs:bulk-cancel").get().scopes()).containsExactly("runs:cancel");
    }

    @Test
    void pathsOutsideTheTableAreNotForwarded() {
        assertThat(RouteTable.resolve("PATCH", "/v1/workflows")).isEmpty();
        assertThat(RouteTable.resolve("GET", "/v1/workflows/a/b")).isEmpty();
        assertThat(RouteTable.resolve("PATCH", "/v1/workflows/a")).isEmpty();
        assertThat(RouteTable.knowsPath("/v1/workflows/a")).isTrue();
        assertThat(RouteTable.resolve("GET", "/v1/audit/verify")).isEmpty();
    }

    @Test
    void onlyTheSignedTokenRoutesTakeTheirCredentialFromThePath() {
        assertThat(RouteTable.routes().stream().filter(Route::tokenInPath).map(r -> r.method() + " " + r.template()))
                .containsExactlyInAnyOrder("GET /v1/interrupts/{token}", "POST /v1/interrupts/{token}");
        assertThat(RouteTable.routes().stream().filter(Route::tokenInPath)).allMatch(r -> r.scopes().isEmpty());
        assertThat(RouteTable.resolve("POST", "/v1/interrupts/eyJhIjoxfQ.c2ln")).get().extracting(Route::tokenInPath).isEqualTo(true);
        assertThat(RouteTable.resolve("POST", "/v1/interrupts/a/b")).isEmpty();
        assertThat(RouteTable.resolve("POST", "/v1/runs/r1/interrupts/gate/tokens").get().scopes()).containsExactly("approvals:respond");
    }

    @Test
    void streamsAreMarked() {
        assertThat(RouteTable.resolve("GET", "/v1/runs/r1/events").get().stream()).isTrue();
        assertThat(RouteTable.resolve("GET", "/v1/runs/r1/events/poll").get().stream()).isFalse();
    }
}
