package dev.capstan.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.capstan.cli.demo.DemoServer;
import dev.capstan.cli.report.HtmlReport;
import dev.capstan.cli.run.LogFiles;
import dev.capstan.cli.support.Cli;
import dev.capstan.cli.support.Demo;
import dev.capstan.cli.support.HeadlessChromium;
import dev.capstan.cli.support.SharedOsop;
import dev.capstan.cli.workflow.WorkflowFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {

    private static final Pattern NODE_ROW = Pattern.compile("<tr class=\"node-row[^\"]*\" data-node-id=\"([^\"]+)\"");

    @TempDir
    Path dir;

    @Test
    void theReportOfADemoRunOpensInHeadlessChromiumWithARowPerNodeAndNoConsoleErrors() throws Exception {
        Optional<Path> chromium = HeadlessChromium.binary();
        assumeTrue(chromium.isPresent(), "SKIPPED: no chromium binary on the PATH; .ci/run installs Debian's chromium");
        Path workflow = Demo.workflow(dir);
        Path log = dir.resolve("demo.osoplog.yaml");
        Path html = dir.resolve("report.html");
        try (DemoServer server = DemoServer.start(0)) {
            Cli.Result run = Cli.run(dir, "run", workflow.toString(), "--local", "--approve", "--input",
                    "base_url=" + server.baseUrl(), "--log", log.toString());
            assertThat(run.exit()).as(run.all()).isZero();
        }
        Cli.Result r = Cli.run(dir, "report", workflow.toString(), log.toString(), "-o", html.toString());
        assertThat(r.exit()).as(r.all()).isZero();

        HeadlessChromium.Page page = HeadlessChromium.load(chromium.get(), html, dir);
        assertThat(page.exitCode()).isZero();
        assertThat(page.consoleMessages()).isEmpty();
        assertThat(rows(page.dom())).containsExactly("check_health", "create_order", "take_payment", "confirm_order",
                "notify_customer");
        assertThat(page.dom()).contains("Demo: place and pay an order").contains("Risk assessment").contains("Human decisions")
                .contains("capstan-cli --approve");
    }

    @Test
    void theConsoleCheckSeesAScriptError() throws Exception {
        Optional<Path> chromium = HeadlessChromium.binary();
        assumeTrue(chromium.isPresent(), "SKIPPED: no chromium binary on the PATH; .ci/run installs Debian's chromium");
        // The control for the check above: a page with a broken script must produce a console line.
        Path bad = Files.writeString(dir.resolve("bad.html"), "<html><body><script>notDefined();</script></body></html>");
        assertThat(HeadlessChromium.load(chromium.get(), bad, dir).consoleMessages()).isNotEmpty();
    }

    @Test
    void theReportIsSelfContainedAndEscapesEverythingFromTheWorkflowAndTheLog() throws Exception {
        Path wf = Files.writeString(dir.resolve("x.osop.yaml"), """
                osop_version: "1.0"
                id: xss
                name: "<script>alert('name')</script>"
                description: "a & b <img src=x onerror=alert(1)>"
                nodes:
                  - id: n1
                    type: api
                    name: "<b>bold</b>"
                edges: []
                """);
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("node_id", "n1");
        record.put("status", "FAILED");
        record.put("error", "http_status: <script>alert(2)</script>");
        record.put("outputs", Map.of("body", "\"><script>alert(3)</script>"));
        record.put("response_preview", "</pre><script>alert(4)</script>");
        Map<String, Object> log = new LinkedHashMap<>();
        log.put("osoplog_version", "1.0");
        log.put("run_id", "r'1");
        log.put("workflow_id", "xss");
        log.put("status", "FAILED");
        log.put("node_records", List.of(record));
        log.put("human_decisions", List.of(Map.of("node_id", "n1", "actor", "<i>eve</i>", "decision", "accept")));
        String html = HtmlReport.render(WorkflowFile.readValid(wf).definition(), log);

        assertThat(html).doesNotContain("<script").doesNotContain("<img").doesNotContain("<b>bold")
                .doesNotContain("<i>eve").contains("&lt;script&gt;alert(&#39;name&#39;)&lt;/script&gt;")
                .contains("a &amp; b &lt;img");
        assertThat(html).doesNotContainPattern("(src|href)=\"(https?:)?//").doesNotContain("<link").doesNotContain("@import");
        assertThat(rows(html)).containsExactly("n1");
    }

    @Test
    void everyLogInTheSharedExamplesRendersEvenWithObjectErrorsAndUnknownTypes() throws Exception {
        for (String name : List.of("fix-auth-bug.osoplog.yaml", "pr-review.osoplog.yaml", "research-and-summarize.osoplog.yaml")) {
            Map<String, Object> log = LogFiles.read(SharedOsop.example(name));
            String html = HtmlReport.render(null, log);
            assertThat(rows(html)).as(name).hasSize(((List<?>) log.get("node_records")).size());
            assertThat(html).as(name).contains("</html>");
        }
    }

    @Test
    void aReportNeedsItsOutputFile() {
        Cli.Result r = Cli.run(dir, "report", "a.osop.yaml", "a.osoplog.yaml");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--output");
    }

    private static List<String> rows(String html) {
        List<String> ids = new ArrayList<>();
        Matcher m = NODE_ROW.matcher(html);
        while (m.find()) {
            ids.add(m.group(1));
        }
        return ids;
    }
}
