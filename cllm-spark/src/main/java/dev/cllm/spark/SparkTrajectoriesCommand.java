package dev.cllm.spark;

import dev.cllm.CllmException;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The job's entry point for {@code spark-submit} (the job jar's Main-Class) and {@code java -cp}: the
 * options of {@code cllm trajectories}, plus the outputs and the split of the work. Exit codes as the cllm
 * command line: 0, 1 for an error (one line on stderr), 2 for a usage error.
 */
@Command(
        name = "cllm-spark-trajectories",
        mixinStandardHelpOptions = true,
        description = "Collect Jacobi trajectories on Spark: prompts (JSONL or Parquet) in, trajectory records out "
                + "(Parquet and/or JSONL part files that cllm train reads). The records equal those of cllm trajectories "
                + "with the same options, however the work is split.")
public final class SparkTrajectoriesCommand implements Callable<Integer> {
    @Option(
            names = {"-m", "--model"},
            required = true,
            paramLabel = "PATH",
            description = "The teacher checkpoint, a path every executor can read (relative: the executor's working "
                    + "directory, where spark-submit --archives unpacks).")
    String model;

    @Option(
            names = "--prompts",
            required = true,
            paramLabel = "PATH",
            description =
                    "Prompts: JSONL with a \"prompt\" "
                            + "field and an optional \"answer\", or Parquet with those columns; a file or a directory (any Hadoop file system).")
    String prompts;

    @Option(
            names = "--prompts-format",
            defaultValue = "auto",
            paramLabel = "auto|jsonl|parquet",
            description = "auto: Parquet when every input file ends in .parquet (default: ${DEFAULT-VALUE}).")
    String promptsFormat;

    @Option(names = "--parquet", paramLabel = "DIR", description = "Write the records as Parquet to DIR.")
    String parquet;

    @Option(
            names = "--jsonl",
            paramLabel = "DIR",
            description = "Write the records as JSONL part files to DIR " + "(cllm train --data DIR reads them).")
    String jsonl;

    @Option(
            names = "--jsonl-compression",
            defaultValue = "gzip",
            paramLabel = "gzip|none",
            description = "Compression of the JSONL part files (default: ${DEFAULT-VALUE}).")
    String jsonlCompression;

    @Option(names = "--block", defaultValue = "16", description = "Block size n (default: ${DEFAULT-VALUE}).")
    int block;

    @Option(
            names = "--max-new-tokens",
            defaultValue = "256",
            description = "Tokens per prompt (default: ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Option(
            names = "--augment",
            description = "Overwrite about half of the wrong tokens (beyond the first) of each "
                    + "intermediate state with fixed-point tokens (the reference's augmentation).")
    boolean augment;

    @Option(
            names = "--repeat-limit",
            defaultValue = "10",
            description = "Drop records whose output repeats one token this "
                    + "many times in a row (default: ${DEFAULT-VALUE}).")
    int repeatLimit;

    @Option(names = "--limit", defaultValue = "0", description = "Use only the first N prompts (0: all).")
    int limit;

    @Option(
            names = "--seed",
            defaultValue = "0",
            description = "Seed of the initial guesses and of the augmentation; each "
                    + "prompt's own seeds come from it and the prompt's id (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--device",
            defaultValue = "auto",
            description =
                    "auto, cpu, cuda (the GPU Spark assigns to each task) " + "or cuda:N (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(
            names = "--partitions",
            defaultValue = "0",
            description = "Collection tasks (0: four per core of the " + "application, at most one per prompt).")
    int partitions;

    @Option(
            names = "--threads",
            defaultValue = "0",
            description =
                    "Engine CPU threads per executor (0: the executor's " + "cores, spark.executor.cores or local[N]).")
    int threads;

    @Option(names = "--overwrite", description = "Replace existing output directories.")
    boolean overwrite;

    @Option(
            names = "--master",
            paramLabel = "URL",
            description = "Spark master, for runs without spark-submit " + "(e.g. local[2]); spark-submit sets it.")
    String master;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command as main does and returns the exit code. */
    public static int execute(String... args) {
        return commandLine().execute(args);
    }

    /** The options the arguments give, for Java callers that start the job with {@link SparkTrajectories#run}. */
    public static SparkTrajectoryOptions parseOptions(String... args) {
        CommandLine cli = commandLine();
        cli.parseArgs(args);
        return ((SparkTrajectoriesCommand) cli.getCommand()).options();
    }

    private static CommandLine commandLine() {
        return new CommandLine(new SparkTrajectoriesCommand()).setExecutionExceptionHandler((e, cli, parsed) -> {
            cli.getErr().println("cllm-spark: " + rootMessage(e));
            if (System.getenv("CLLM_DEBUG") != null) e.printStackTrace(cli.getErr());
            return 1;
        });
    }

    SparkTrajectoryOptions options() {
        boolean gzip = switch (jsonlCompression.toLowerCase(Locale.ROOT)) {
            case "gzip" -> true;
            case "none" -> false;
            default ->
                throw new IllegalArgumentException(
                        "--jsonl-compression must be gzip or none, got '" + jsonlCompression + "'");
        };
        PromptFormat format;
        try {
            format = PromptFormat.valueOf(promptsFormat.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "--prompts-format must be auto, jsonl or parquet, got '" + promptsFormat + "'");
        }
        return new SparkTrajectoryOptions(
                model,
                prompts,
                format,
                parquet,
                jsonl,
                gzip,
                block,
                maxNewTokens,
                augment,
                repeatLimit,
                seed,
                device,
                limit,
                partitions,
                threads,
                overwrite);
    }

    @Override
    public Integer call() {
        SparkTrajectoryOptions options = options();
        SparkSession.Builder builder = SparkSession.builder().appName("cllm trajectories");
        if (master != null) builder.master(master);
        SparkSession spark = builder.getOrCreate();
        try {
            SparkTrajectorySummary s = SparkTrajectories.run(spark, options);
            System.err.printf(
                    Locale.ROOT,
                    "cllm-spark: %d prompts, %d records written, %d dropped as repetitive, %d tokens "
                            + "augmented, %d tasks; %.1f s, %.1f records/s, %.0f teacher tokens/s (%.0f per task)%n",
                    s.promptsDone(),
                    s.records(),
                    s.dropped(),
                    s.augmentedTokens(),
                    s.partitions(),
                    s.seconds(),
                    s.recordsPerSecond(),
                    s.teacherTokensPerSecond(),
                    s.teacherTokensPerTaskSecond());
        } finally {
            spark.stop();
        }
        return 0;
    }

    /**
     * The message to show for a failure: the first of our own errors in the cause chain (a task's error
     * comes wrapped in Spark's), else the outermost message.
     */
    static String rootMessage(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IllegalArgumentException || t instanceof CllmException) return t.getMessage();
        }
        return e.getMessage() == null
                ? e.toString()
                : e.getMessage().lines().findFirst().orElse(e.toString());
    }
}
