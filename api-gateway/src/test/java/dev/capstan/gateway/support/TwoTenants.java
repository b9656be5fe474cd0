package dev.capstan.gateway.support;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import java.util.List;
import java.util.Map;

/** The two tenants of the through-the-gateway tests, with all-scope keys and a workflow helper. */
public final class TwoTenants {

    public static final List<String> ALL = List.of("manifest:read", "runs:create", "runs:read", "runs:cancel",
            "artifacts:read", "webhooks:manage", "approvals:respond", "packs:publish", "packs:yank",
            "packs:yank-revert", "audit:read", "workspace:read", "workspace:write");

    private static String keyA;
    private static String keyB;

    private TwoTenants() {
    }

    /** Creates tenant-a and tenant-b (if missing) and an all-scope key for each, once per application. */
    public static synchronized void ensure() {
        if (keyA == null) {
            Admin.tenant("tenant-a", null);
            Admin.tenant("tenant-b", null);
            keyA = Admin.key("tenant-a", ALL, null).get("key");
            keyB = Admin.key("tenant-b", ALL, null).get("key");
        }
    }

    public static String keyA() {
        ensure();
        return keyA;
    }

    public static String keyB() {
        ensure();
        return keyB;
    }

    /** An all-scope token of the shared issuer for the tenant. */
    public static String token(String tenant) {
        return TestIssuers.token(TestIssuers.SHARED, "user-of-" + tenant, tenant, String.join(" ", ALL));
    }

    /** Registers a one-node workflow (core.noop) with the credential; returns its id. */
    public static String workflow(String credential, String workflowId) {
        given().header("Authorization", "Bearer " + credential).contentType("application/json")
                .body("{\"id\":\"" + workflowId + "\",\"name\":\"" + workflowId + "\",\"version\":\"1.0\",\"nodes\":[{\"id\":\"n\","
                        + "\"typeId\":\"core.noop\",\"name\":\"N\",\"position\":{\"x\":0,\"y\":0},\"config\":{},\"inputs\":{}}],"
                        + "\"edges\":[],\"triggers\":[],\"variables\":[],\"metadata\":{},\"settings\":{}}")
                .when().post("/v1/workflows")
                .then().statusCode(201).body("workflowId", equalTo(workflowId));
        return workflowId;
    }

    /** Starts a run of the workflow; with no executor in the tests it stays running until cancelled. */
    public static String run(String credential, String workflowId) {
        return given().header("Authorization", "Bearer " + credential).contentType("application/json")
                .body(Map.of("workflowId", workflowId, "inputs", Map.of()))
                .when().post("/v1/runs")
                .then().statusCode(201).extract().path("runId");
    }
}
