package dev.capstan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.cli.support.Cli;
import dev.capstan.cli.support.SharedOsop;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ValidateCommandTest {

    @TempDir
    Path dir;

    @Test
    void theSeedExamplesAreValid() {
        Cli.Result r = Cli.run(dir, "validate", SharedOsop.example("run-api-workflow.osop.yaml").toString(),
                SharedOsop.example("stripe-payment-flow.osop.yaml").toString());
        assertThat(r.exit()).as(r.all()).isZero();
        assertThat(r.out()).contains("run-api-workflow.osop.yaml: valid").contains("stripe-payment-flow.osop.yaml: valid");
    }

    @Test
    void aNodeWithoutTypeIsReportedWithItsPathAndLine() throws IOException {
        Path bad = Files.writeString(dir.resolve("bad.osop.yaml"), """
                osop_version: "1.0"
                id: broken
                name: Broken
                nodes:
                  - id: first
                    type: api
                  - id: second
                    name: no type here
                edges:
                  - from: first
                    to: second
                """);
        Cli.Result r = Cli.run(dir, "validate", bad.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).containsPattern(java.util.regex.Pattern.quote(bad.toString()) + ":7:\\d+: error: .*\\(at /nodes/1/type");
        assertThat(r.out()).contains("bad.osop.yaml: invalid");
    }

    @Test
    void anEdgeToAMissingNodeAndBrokenYamlAreBothLocated() throws IOException {
        Path dangling = Files.writeString(dir.resolve("dangling.osop.yaml"), """
                osop_version: "1.0"
                id: dangling
                name: Dangling
                nodes:
                  - id: only
                    type: api
                edges:
                  - from: only
                    to: nowhere
                """);
        Path yaml = Files.writeString(dir.resolve("yaml.osop.yaml"), "osop_version: \"1.0\"\nid: x\nnodes: [\n  - id: a\n");
        Cli.Result r = Cli.run(dir, "validate", dangling.toString(), yaml.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).containsPattern("dangling\\.osop\\.yaml:8:\\d+: error: .*nowhere.*\\(at /edges/0")
                .containsPattern("yaml\\.osop\\.yaml:\\d+:\\d+: error: ");
    }

    @Test
    void oneInvalidFileAmongValidOnesFailsTheCommandButReportsEachFile() throws IOException {
        Path bad = Files.writeString(dir.resolve("bad.osop.yaml"), "osop_version: \"1.0\"\nid: b\nname: B\nnodes: []\n");
        Cli.Result r = Cli.run(dir, "validate", SharedOsop.example("api-health-check.osop.yaml").toString(), bad.toString(),
                dir.resolve("missing.osop.yaml").toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("api-health-check.osop.yaml: valid").contains("bad.osop.yaml: invalid")
                .contains("missing.osop.yaml: no such file");
    }

    @Test
    void warningsFailOnlyWithStrict() {
        String file = SharedOsop.example("cicd-deploy.osop.yaml").toString();
        assertThat(Cli.run(dir, "validate", file).exit()).isZero();
        Cli.Result strict = Cli.run(dir, "validate", "--strict", file);
        assertThat(strict.exit()).isEqualTo(1);
        assertThat(strict.out()).contains(": warning: ");
    }

    @Test
    void executionLogsAreCheckedAgainstTheOsopLogSchema() {
        Cli.Result r = Cli.run(dir, "validate", SharedOsop.example("fix-auth-bug.osoplog.yaml").toString(),
                SharedOsop.example("pr-review.osoplog.yaml").toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("fix-auth-bug.osoplog.yaml: valid (osop log")
                .contains("pr-review.osoplog.yaml: error: /node_records/0/node_type")
                .contains("pr-review.osoplog.yaml: error: /node_records/1/error")
                .contains("pr-review.osoplog.yaml: invalid (osop log, 2 errors)");
    }

    @Test
    void withoutFilesItIsAUsageError() {
        Cli.Result r = Cli.run(dir, "validate");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("Missing required parameter");
    }
}
