package dev.cllm.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code cllm} command line. Exit codes: 0 success, 1 an error (one line on stderr naming the
 * cause), 2 a usage error.
 */
@Command(
        name = "cllm",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Consistency LLMs for the JVM: Jacobi decoding on a native engine, trajectory collection "
                + "and consistency fine-tuning.",
        subcommands = {
            CommandLine.HelpCommand.class,
            InfoCommand.class,
            GenerateCommand.class,
            BenchCommand.class,
            TrajectoriesCommand.class,
            TrainCommand.class,
            PretrainCommand.class,
            DemoCommand.class,
            DataCommand.class,
            TokenizerCommand.class,
            ConvertCommand.class,
            ServeCommand.class
        })
public final class Main implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns its exit code (for tests). */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler(new ErrorHandler());
        cli.registerConverter(ModelLocation.class, text -> {
            try {
                return ModelLocation.parse(text);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        });
        return cli.execute(args);
    }

    /** Bare {@code cllm}: the usage, once, and the usage-error exit code. */
    @Override
    public Integer call() {
        CommandLine cli = spec.commandLine();
        cli.getErr().println("cllm: a command is required");
        cli.usage(cli.getErr());
        return cli.getCommandSpec().exitCodeOnInvalidInput();
    }

    /** The project version, written into version.properties by the build. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties properties = new Properties();
            try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
                if (in == null) throw new IOException("version.properties is missing from the jar");
                properties.load(in);
            }
            return new String[] {"cllm " + properties.getProperty("version")};
        }
    }
}
