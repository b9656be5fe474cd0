package dev.capstan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.capstan.cli.support.Cli;
import dev.capstan.cli.support.SharedOsop;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RiskCommandTest {

    @TempDir
    Path dir;

    @Test
    void theHighRiskFixtureScoresOneHundredWithItsRules() {
        Cli.Result r = Cli.run(dir, "risk", SharedOsop.example("high_risk_workflow.osop.yaml").toString());
        assertThat(r.exit()).isZero();
        assertThat(r.out()).startsWith("Risk score 100/100: danger").contains("RISK-001 critical").contains("RISK-002");
    }

    @Test
    void jsonCarriesScoreVerdictAndFindingsWithRuleIds() throws Exception {
        Cli.Result r = Cli.run(dir, "risk", SharedOsop.example("risk_analysis_demo.osop").toString(), "--json");
        assertThat(r.exit()).isZero();
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertThat(json.get("overall_score").asInt()).isBetween(0, 100);
        assertThat(json.get("verdict").asText()).isIn("safe", "caution", "warning", "danger");
        assertThat(json.get("findings").size()).isPositive();
        assertThat(json.get("findings").get(0).get("rule_id").asText()).matches("RISK-00[1-8]");
    }

    @Test
    void anInvalidFileIsAFailureWithItsProblems() {
        Cli.Result r = Cli.run(dir, "risk", dir.resolve("nope.osop.yaml").toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("nope.osop.yaml: no such file").doesNotContain("Exception");
    }
}
