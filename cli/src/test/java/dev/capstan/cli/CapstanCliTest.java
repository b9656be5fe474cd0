package dev.capstan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class CapstanCliTest {

    @Test
    void withoutArgumentsItPrintsUsageAndSucceeds() {
        StringWriter out = new StringWriter();
        int exit = CapstanCli.commandLine().setOut(new PrintWriter(out)).execute();
        assertThat(exit).isZero();
        assertThat(out.toString()).contains("Usage: capstan");
    }

    @Test
    void anUnknownOptionIsAUsageError() {
        StringWriter err = new StringWriter();
        int exit = CapstanCli.commandLine().setErr(new PrintWriter(err)).execute("--no-such-option");
        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("Unknown option: '--no-such-option'");
    }
}
