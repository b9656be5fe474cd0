package dev.capstan.workflow.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.workflow.model.SourceFormat;
import org.junit.jupiter.api.Test;

class WorkflowLoadersTest {

    private final WorkflowLoaders loaders = new WorkflowLoaders(TestRegistries.openWop());

    @Test
    void theFormatIsDetectedFromTheContent() {
        assertThat(loaders.load(Fixtures.read("openwop/conformance-noop.json")).orThrow().format())
                .isEqualTo(SourceFormat.OPENWOP);
        assertThat(loaders.load(Fixtures.read("osop/run-api-workflow.osop.yaml")).orThrow().format())
                .isEqualTo(SourceFormat.OSOP);
        assertThat(loaders.load("{\"id\": \"s\", \"steps\": [{\"stepOrder\": 1, \"agentId\": \"a\"}]}").orThrow().format())
                .isEqualTo(SourceFormat.STEP_LIST);
    }

    @Test
    void osopWrittenAsJsonIsStillOsop() {
        String json = "{\"osop_version\": \"1.0\", \"id\": \"j\", \"name\": \"J\", \"nodes\": [{\"id\": \"a\", \"type\": \"api\"}],"
                + " \"edges\": []}";
        assertThat(WorkflowLoaders.detect(json)).isEqualTo(SourceFormat.OSOP);
        assertThat(loaders.load(json).errors()).isEmpty();
    }
}
