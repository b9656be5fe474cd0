package dev.capstan.workflow.risk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.workflow.graph.NodeTypeRegistry;
import dev.capstan.workflow.load.Fixtures;
import dev.capstan.workflow.load.OpenWopLoader;
import dev.capstan.workflow.load.OsopLoader;
import dev.capstan.workflow.load.TestRegistries;
import dev.capstan.workflow.model.WorkflowDefinition;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RiskAssessorTest {

    static WorkflowDefinition osop(String file) {
        return new OsopLoader(NodeTypeRegistry.acceptAll()).load(Fixtures.read("osop/" + file)).orThrow();
    }

    /**
     * Expected score, verdict and rules. Where they equal the reference pre-flight's results (shared/osop/SOURCES.md)
     * the row says "reference"; the three that differ read approval gates the reference ignores
     * ({@code security.approval_gate}), as the OSOP digest asks.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
            "ai-code-review.osop.yaml; 16; safe; RISK-008; reference",
            "api-health-check.osop.yaml; 21; caution; RISK-008; reference",
            "fix-auth-bug.osop; 37; caution; RISK-005 RISK-008; reference",
            "high_risk_workflow.osop.yaml; 100; danger; RISK-001 RISK-002 RISK-007 RISK-008; reference",
            "risk_analysis_demo.osop; 64; warning; RISK-003 RISK-007 RISK-008; reference",
            "simple-agent-chain.osop.yaml; 30; caution; RISK-005 RISK-008; reference",
            "sop-01-create-forum-post.osop.yaml; 16; safe; RISK-008; reference",
            "stripe-payment-flow.osop.yaml; 23; caution; RISK-008; reference",
            "switch-intent-routing.osop; 30; caution; RISK-005 RISK-008; reference",
            "cicd-deploy.osop.yaml; 49; warning; RISK-007 RISK-008; gate read from security.approval_gate {required} (reference 67 with RISK-001)",
            "github-pr-deploy.osop.yaml; 28; caution; RISK-007 RISK-008; gate read from security.approval_gate: true (reference 40 with RISK-001)",
            "run-api-workflow.osop.yaml; 28; caution; RISK-007 RISK-008; human_approve's gate mitigates (reference 29)",
    })
    void scoresVerdictsAndRulesForTheOsopExamples(String file, int score, String verdict, String rules, String note) {
        RiskReport r = RiskAssessor.assess(osop(file));
        assertThat(r.overallScore()).as(note).isEqualTo(score);
        assertThat(r.verdict()).isEqualTo(verdict);
        assertThat(r.ruleIds()).isEqualTo(List.of(rules.split(" ")));
    }

    @Test
    void aHardCodedTokenIsCriticalButASecretsReferenceIsNot() {
        String yaml = """
                osop_version: "1.0"
                id: s
                name: secrets
                nodes:
                  - {id: leak, type: api, timeout_sec: 5, runtime: {headers: {Authorization: "ghp_abcdefghijklmnop"}}}
                  - {id: ok, type: api, timeout_sec: 5, runtime: {headers: {Authorization: "Bearer ${secrets.GH_TOKEN}"}}}
                edges: [{from: leak, to: ok}]
                """;
        RiskReport r = RiskAssessor.assess(new OsopLoader(NodeTypeRegistry.acceptAll()).load(yaml).orThrow());
        assertThat(r.findings()).extracting(Finding::ruleId, Finding::nodeId).containsExactly(
                org.assertj.core.groups.Tuple.tuple("RISK-004", "leak"));
        assertThat(r.findings().get(0).severity()).isEqualTo(Severity.CRITICAL);
    }

    @Test
    void segregationOfDutiesBetweenNodesWithTheSameRoleIsHigh() {
        String yaml = """
                osop_version: "1.0"
                id: s
                name: sod
                nodes:
                  - {id: author, type: human, role: engineer}
                  - {id: approver, type: human, role: engineer, actors: {segregation_from: [author]}}
                edges: [{from: author, to: approver}]
                """;
        RiskReport r = RiskAssessor.assess(new OsopLoader(NodeTypeRegistry.acceptAll()).load(yaml).orThrow());
        assertThat(r.ruleIds()).containsExactly("RISK-006");
    }

    @Test
    void anyOpenWopDefinitionCanBeAssessed() {
        WorkflowDefinition def = new OpenWopLoader(TestRegistries.openWop())
                .load(Fixtures.read("openwop/conformance-multi-node.json")).orThrow();
        RiskReport r = RiskAssessor.assess(def);
        assertThat(r.overallScore()).as("mean node score 1 of 8 = 12.5, rounded half-to-even").isEqualTo(12);
        assertThat(r.verdict()).isEqualTo("safe");
        assertThat(r.findings()).isEmpty();
    }
}
