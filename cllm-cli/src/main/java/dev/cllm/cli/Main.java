package dev.cllm.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code cllm} command line. Exit codes: 0 success, 1 an error (one line on stderr naming the
 * cause), 2 a usage error.
 */
@Command(name = "cllm", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Consistency LLMs for the JVM: Jacobi decoding on a native engine, trajectory collection "
                + "and consistency fine-tuning.",
        subcommands = {CommandLine.HelpCommand.class, InfoCommand.class, GenerateCommand.class, BenchCommand.class, TrajectoriesCommand.class, TrainCommand.class, PretrainCommand.class, DemoCommand.class, DataCommand.class,
                TokenizerCommand.class, ConvertCommand.class, ServeCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns its exit code (for tests). */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler(new ErrorHandler());
        return cli.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.err);
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }

    /** Version from the jar manifest, or "dev". */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"cllm " + (v == null ? "dev" : v)};
        }
    }
}
