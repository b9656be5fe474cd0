package dev.capstan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.cli.run.LogFiles;
import dev.capstan.cli.support.Cli;
import dev.capstan.cli.support.FakeApi;
import dev.capstan.cli.support.SharedOsop;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP examples of {@code ../shared/osop/examples}, run with {@code --local} against a loopback server standing
 * in for the real API (their URLs are rewritten to it; nothing else in the files changes).
 */
class OsopExamplesLocalTest {

    private static final String SECRET = "sk_test_capstan_secret_value";

    @TempDir
    Path dir;

    @Test
    void theStripePaymentFlowRunsAndPassesIdsBetweenCalls() throws IOException {
        try (FakeApi stripe = new FakeApi()) {
            stripe.on("POST /v1/customers", 200, "{\"id\":\"cus_42\",\"object\":\"customer\"}")
                    .on("POST /v1/payment_intents", 200, "{\"id\":\"pi_7\",\"client_secret\":\"pi_7_secret\"}")
                    .on("POST /v1/payment_intents/pi_7/confirm", 200, "{\"id\":\"pi_7\",\"status\":\"processing\"}")
                    .on("GET /v1/payment_intents/pi_7", 200, "{\"id\":\"pi_7\",\"status\":\"succeeded\"}");
            Path workflow = rewritten("stripe-payment-flow.osop.yaml", "https://api.stripe.com", stripe.url());
            Path log = dir.resolve("stripe.osoplog.yaml");
            Cli.Result r = Cli.run(dir, Map.of("CAPSTAN_SECRET_STRIPE_SECRET_KEY", SECRET), dev.capstan.cli.Terminal.NONE,
                    "run", workflow.toString(), "--local", "--approve", "--mock-llm", "--log", log.toString());
            assertThat(r.exit()).as(r.all()).isZero();

            assertThat(stripe.requests).extracting(req -> req.method() + " " + req.path()).containsExactly(
                    "POST /v1/customers", "POST /v1/payment_intents", "POST /v1/payment_intents/pi_7/confirm",
                    "GET /v1/payment_intents/pi_7");
            assertThat(stripe.requests).allSatisfy(req -> assertThat(req.header("Authorization")).isEqualTo("Bearer " + SECRET));
            assertThat(stripe.requests.get(1).body()).contains("\"customer\":\"cus_42\"");

            String text = Files.readString(log);
            assertThat(text).doesNotContain(SECRET);
            Map<String, Object> doc = LogFiles.read(log);
            assertThat(SharedOsop.logSchemaErrors(doc)).isEmpty();
            List<Map<String, Object>> records = LocalRunTest.records(doc);
            assertThat(records).extracting(m -> m.get("node_id")).containsExactly("create_customer", "create_intent",
                    "confirm_payment", "check_status", "send_receipt");
            assertThat(records).extracting(m -> m.get("status")).containsOnly("COMPLETED");
            assertThat(records.get(4).get("node_type")).isEqualTo("agent");
            assertThat(records.get(4).get("ai_metadata")).asString().contains("prompt_tokens").contains("completion_tokens");
        }
    }

    @Test
    void theForumPostSopRunsItsFirstCallAndSkipsTheOptionalUpload() throws IOException {
        try (FakeApi forum = new FakeApi()) {
            forum.on("POST /api/v1/posts", 201, "{\"id\":77}");
            Path workflow = rewritten("sop-01-create-forum-post.osop.yaml", "https://medi-rank.com", forum.url());
            Path log = dir.resolve("forum.osoplog.yaml");
            Cli.Result r = Cli.run(dir, "run", workflow.toString(), "--local", "--approve", "--secret", "TOKEN=t0k3n-value",
                    "--log", log.toString());
            assertThat(r.exit()).as(r.all()).isZero();
            assertThat(forum.count("POST", "/api/v1/posts")).isEqualTo(1);
            assertThat(forum.requests.get(0).header("Authorization")).isEqualTo("Bearer t0k3n-value");
            Map<String, Object> doc = LogFiles.read(log);
            assertThat(SharedOsop.logSchemaErrors(doc)).isEmpty();
            assertThat(LocalRunTest.records(doc)).extracting(m -> m.get("node_id") + "=" + m.get("status"))
                    .containsExactly("step_1=COMPLETED", "step_2=SKIPPED");
            assertThat(Files.readString(log)).doesNotContain("t0k3n-value");
        }
    }

    @Test
    void aMissingSecretFailsTheNodeWithItsName() throws IOException {
        try (FakeApi forum = new FakeApi()) {
            Path workflow = rewritten("sop-01-create-forum-post.osop.yaml", "https://medi-rank.com", forum.url());
            Cli.Result r = Cli.run(dir, "run", workflow.toString(), "--local", "--approve");
            assertThat(r.exit()).isEqualTo(1);
            assertThat(r.out()).contains("The secret 'TOKEN' is not set");
            assertThat(forum.requests).isEmpty();
        }
    }

    private Path rewritten(String example, String realBase, String loopback) throws IOException {
        String text = Files.readString(SharedOsop.example(example));
        assertThat(text).contains(realBase);
        return Files.writeString(dir.resolve(example), text.replace(realBase, loopback));
    }
}
