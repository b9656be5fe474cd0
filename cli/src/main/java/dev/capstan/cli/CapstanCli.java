package dev.capstan.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code capstan} command line. Subcommands are added as they are built (validate, risk, run, report). */
@Command(name = "capstan", mixinStandardHelpOptions = true, versionProvider = CapstanCli.Version.class,
        description = "Validate, assess and run OSOP and OpenWOP workflows.")
public final class CapstanCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    public static CommandLine commandLine() {
        return new CommandLine(new CapstanCli());
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
}
