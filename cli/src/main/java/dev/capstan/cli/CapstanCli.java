package dev.capstan.cli;

import dev.capstan.cli.command.DemoServerCommand;
import dev.capstan.cli.command.ReportCommand;
import dev.capstan.cli.command.RiskCommand;
import dev.capstan.cli.command.RunCommand;
import dev.capstan.cli.command.ValidateCommand;
import java.lang.reflect.Constructor;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code capstan} command line: validate, risk, run and report for OSOP and OpenWOP workflows. */
@Command(name = "capstan", mixinStandardHelpOptions = true, versionProvider = CapstanCli.Version.class,
        description = "Validate, assess, run and report on OSOP and OpenWOP workflows.",
        subcommands = {ValidateCommand.class, RiskCommand.class, RunCommand.class, ReportCommand.class,
                DemoServerCommand.class},
        footer = {"", "Exit codes: 0 ok, 1 invalid file or failed run, 2 usage error."})
public final class CapstanCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        // The schema validator logs through SLF4J, which complains on stderr when no backend is bundled.
        System.setProperty("slf4j.internal.verbosity", "ERROR");
        System.exit(commandLine(CliEnvironment.system()).execute(args));
    }

    public static CommandLine commandLine() {
        return commandLine(CliEnvironment.system());
    }

    /** The command line with every subcommand built around {@code environment}. */
    public static CommandLine commandLine(CliEnvironment environment) {
        CommandLine cl = new CommandLine(CapstanCli.class, new Factory(environment));
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof CliFailure f) {
                commandLine.getErr().println("capstan: " + f.getMessage());
                commandLine.getErr().flush();
                return f.exitCode();
            }
            // A bug of ours: still one line for the user, the details only when asked for.
            commandLine.getErr().println("capstan: unexpected error: " + e);
            if (environment.variable("CAPSTAN_DEBUG") != null) {
                e.printStackTrace(commandLine.getErr());
            }
            commandLine.getErr().flush();
            return CliFailure.FAILED;
        });
        return cl;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = CapstanCli.class.getPackage().getImplementationVersion();
            return new String[] {"capstan " + (version == null ? "dev" : version)};
        }
    }

    /** Gives commands that want it the environment through their constructor; everything else as picocli would. */
    private record Factory(CliEnvironment environment) implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> cls) throws Exception {
            try {
                Constructor<K> c = cls.getDeclaredConstructor(CliEnvironment.class);
                return c.newInstance(environment);
            } catch (NoSuchMethodException noEnvironment) {
                return CommandLine.defaultFactory().create(cls);
            }
        }
    }
}
