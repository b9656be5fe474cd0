package dev.capstan.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** OSOP declared outputs and the body encodings an HTTP node sends, against a real server on loopback. */
class HttpBodiesAndOutputsTest {

    private static final String TENANT = "t-loopback";

    private final Target target = new Target()
            .route("/customers", ex -> Target.respond(ex, 201, "application/json",
                    "{\"id\":\"cus_1\",\"status\":\"active\",\"customer\":{\"email\":\"a@example.com\"},\"items\":[{\"sku\":\"x1\"}]}"))
            .route("/echo", ex -> Target.respond(ex, 200, "text/plain", "ok"));

    private final NodeRuntimeSettings settings = NodeRuntimeSettings.defaults().withHttp(new NodeRuntimeSettings.Http(false,
            Optional.of(List.of(TENANT)), 5_000, 0, 10, 1_000, 1_048_576, 4096));
    private final NodeRunner runner = new NodeRunner(NodeHandlerRegistry.standard(settings, new ObjectMapper()),
            tenant -> Map.of("TOKEN", "tok-SECRET-123456"), 10_000, Executors.newFixedThreadPool(2));

    @AfterEach
    void stop() {
        target.close();
    }

    private NodeOutcome run(String typeId, Map<String, Object> config) throws Exception {
        return runner.run(new NodeInvocation(TENANT, "r1", "n1", typeId, 1, null, Map.of(), config, null, Map.of()), null)
                .get(10, TimeUnit.SECONDS).outcome();
    }

    private static Map<String, Object> osopApi(Map<String, Object> runtime, Object outputs) {
        Map<String, Object> node = new LinkedHashMap<>();
        node.put("id", "create_customer");
        node.put("type", "api");
        node.put("runtime", runtime);
        if (outputs != null) {
            node.put("outputs", outputs);
        }
        return node;
    }

    @Test
    void osopDeclaredOutputsAreTakenFromTheResponseAndADeclaredStatusWinsOverTheHttpStatus() throws Exception {
        Map<String, Object> runtime = new LinkedHashMap<>();
        runtime.put("method", "POST");
        runtime.put("url", target.url(""));
        runtime.put("endpoint", "/customers");
        runtime.put("body", Map.of("email", "a@example.com"));
        runtime.put("response_mapping", Map.of("email", "$.customer.email", "first_sku", "$.items.0.sku"));
        NodeOutcome o = run("osop.api", osopApi(runtime, List.of(Map.of("customer_id", "data.id"),
                Map.of("status", "data.status"), Map.of("missing", "data.nope"))));

        assertThat(o).isInstanceOf(NodeOutcome.Completed.class);
        NodeOutcome.Completed c = (NodeOutcome.Completed) o;
        assertThat(c.outputs()).containsEntry("customer_id", "cus_1").containsEntry("status", "active")
                .containsEntry("email", "a@example.com").containsEntry("first_sku", "x1").containsEntry("missing", null);
        assertThat(c.outputs().get("body")).isInstanceOf(Map.class);
        assertThat(c.http()).containsEntry("status", 201);
    }

    @Test
    void osopOutputsInTheMapFormAndBareNamesAreApplied() throws Exception {
        Map<String, Object> runtime = Map.of("method", "GET", "url", target.url("/customers"));
        NodeOutcome.Completed c = (NodeOutcome.Completed) run("osop.api", osopApi(runtime, Map.of("cid", "$.id")));
        assertThat(c.outputs()).containsEntry("cid", "cus_1").containsEntry("status", 201);
        NodeOutcome.Completed bare = (NodeOutcome.Completed) run("osop.api", osopApi(runtime, List.of("id")));
        assertThat(bare.outputs()).containsEntry("id", "cus_1");
    }

    @Test
    void anOsopNodeWithAFormContentTypeHeaderSendsAFormBody() throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("email", "user@example.com");
        body.put("name", "John Doe");
        Map<String, Object> runtime = Map.of("method", "POST", "url", target.url("/echo"),
                "headers", Map.of("Authorization", "Bearer ${secrets.TOKEN}", "Content-Type", "application/x-www-form-urlencoded"),
                "body", body);
        assertThat(run("osop.api", osopApi(runtime, null))).isInstanceOf(NodeOutcome.Completed.class);

        Target.Received r = target.received.get(0);
        assertThat(r.header("content-type")).isEqualTo("application/x-www-form-urlencoded");
        assertThat(r.body()).isEqualTo("email=user%40example.com&name=John+Doe");
        assertThat(r.header("authorization")).isEqualTo("Bearer tok-SECRET-123456");
    }

    @Test
    void anOsopMultipartNodeSendsEachFieldAsAPartAndRepeatsListFields() throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("title", "Post Title");
        body.put("tags[]", List.of("tag1", "tag2"));
        body.put("clinic_id", 1);
        body.put("note", Map.of("filename", "note.txt", "content", "hello file", "contentType", "text/plain"));
        Map<String, Object> runtime = Map.of("method", "POST", "url", target.url("/echo"), "content_type",
                "multipart/form-data", "body", body);
        assertThat(run("osop.api", osopApi(runtime, null))).isInstanceOf(NodeOutcome.Completed.class);

        Target.Received r = target.received.get(0);
        String ct = r.header("content-type");
        assertThat(ct).startsWith("multipart/form-data; boundary=");
        String boundary = ct.substring(ct.indexOf("boundary=") + 9);
        assertThat(r.body()).isEqualTo("--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"title\"\r\n\r\nPost Title\r\n"
                + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"tags[]\"\r\n\r\ntag1\r\n"
                + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"tags[]\"\r\n\r\ntag2\r\n"
                + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"clinic_id\"\r\n\r\n1\r\n"
                + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"note\"; filename=\"note.txt\"\r\n"
                + "Content-Type: text/plain\r\n\r\nhello file\r\n"
                + "--" + boundary + "--\r\n");
    }

    @Test
    void anHttpNodeKeepsItsFormContentTypeAndBodyTypeFormOrMultipartChoosesTheEncoding() throws Exception {
        run("core.http.request", Map.of("method", "POST", "url", target.url("/echo"),
                "headers", Map.of("content-type", "application/x-www-form-urlencoded; charset=utf-8"), "body", Map.of("a", "1 2")));
        run("core.http.request", Map.of("method", "PUT", "url", target.url("/echo"), "bodyType", "form",
                "body", Map.of("k", List.of("x", "y"))));
        run("core.http.request", Map.of("method", "POST", "url", target.url("/echo"), "bodyType", "multipart",
                "body", Map.of("f", "v")));
        run("core.http.request", Map.of("method", "POST", "url", target.url("/echo"), "body", Map.of("j", 1)));

        List<Target.Received> got = target.received;
        assertThat(got.get(0).header("content-type")).isEqualTo("application/x-www-form-urlencoded; charset=utf-8");
        assertThat(got.get(0).body()).isEqualTo("a=1+2");
        assertThat(got.get(1).header("content-type")).isEqualTo("application/x-www-form-urlencoded");
        assertThat(got.get(1).body()).isEqualTo("k=x&k=y");
        assertThat(got.get(2).header("content-type")).startsWith("multipart/form-data; boundary=");
        assertThat(got.get(2).body()).contains("Content-Disposition: form-data; name=\"f\"\r\n\r\nv\r\n");
        assertThat(got.get(3).header("content-type")).isEqualTo("application/json");
        assertThat(got.get(3).body()).isEqualTo("{\"j\":1}");
    }
}
