package dev.cllm.cli;

import com.google.gson.JsonObject;
import dev.cllm.engine.NativeModel;
import dev.cllm.engine.NativeSession;
import dev.cllm.model.LoadedCheckpoint;
import dev.cllm.tokenizer.Tokenizer;
import dev.cllm.train.PromptEncoder;
import dev.cllm.train.PromptFiles;
import dev.cllm.train.PromptTrajectories;
import dev.cllm.train.TrajectoryCollector;
import dev.cllm.train.TrajectoryJob;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cllm trajectories}: collect Jacobi trajectories with a teacher model (and merge shards). */
@Command(
        name = "trajectories",
        mixinStandardHelpOptions = true,
        description = "Collect Jacobi trajectories with a teacher: for each prompt, decode block by block and record "
                + "every Jacobi state from the initial guess to the fixed point (JSONL, .gz for gzip).",
        subcommands = TrajectoriesCommand.Merge.class)
public final class TrajectoriesCommand implements Callable<Integer> {
    // Checked in call(), not by picocli: a required option here would be demanded from "trajectories merge" too.
    @Option(
            names = {"-m", "--model"},
            paramLabel = "MODEL",
            description = "The teacher checkpoint (or embedded:teacher). " + "Required.")
    ModelLocation model;

    @Option(
            names = "--prompts",
            paramLabel = "FILE",
            description =
                    "JSONL with a \"prompt\" field and an optional \"answer\" (tokenized into labels_ids). Required.")
    Path prompts;

    @Option(
            names = "--out",
            paramLabel = "FILE",
            description = "Output JSONL (gzip when it ends in .gz); " + "an existing file is resumed. Required.")
    Path out;

    @Mixin
    DecodingOptions decoding = new DecodingOptions("16", 256, 0);

    @Option(
            names = "--shard",
            defaultValue = "0/1",
            paramLabel = "i/N",
            description = "Take every N-th prompt starting " + "at i (default: ${DEFAULT-VALUE}).")
    String shard;

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

    @Option(names = "--limit", defaultValue = "0", description = "Use only the first N prompts of the file (0: all).")
    int limit;

    @Mixin
    DeviceOption device;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        List<String> missing = new ArrayList<>();
        if (model == null) missing.add("'--model=MODEL'");
        if (prompts == null) missing.add("'--prompts=FILE'");
        if (out == null) missing.add("'--out=FILE'");
        if (!missing.isEmpty()) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "Missing required option" + (missing.size() > 1 ? "s: " : ": ") + String.join(", ", missing));
        }
        int block = decoding.blockSize();
        int maxNewTokens = decoding.maxNewTokens();
        if (maxNewTokens < 1) throw new IllegalArgumentException("--max-new-tokens must be >= 1, got " + maxNewTokens);
        String[] parts = shard.split("/");
        if (parts.length != 2) throw new IllegalArgumentException("--shard must look like i/N, got '" + shard + "'");
        int shardIndex, shardCount;
        try {
            shardIndex = Integer.parseInt(parts[0].trim());
            shardCount = Integer.parseInt(parts[1].trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--shard must look like i/N, got '" + shard + "'");
        }
        LoadedCheckpoint loaded = model.load();
        if (!loaded.tokenizer().canEncode()) {
            throw new IllegalArgumentException(model + " has no tokenizer.json: trajectories need text prompts");
        }
        PromptEncoder encoder = new PromptEncoder(loaded.tokenizer(), loaded.eosId());
        List<TrajectoryJob.Prompt> list = PromptFiles.readJsonl(prompts, limit).stream()
                .map(encoder::encode)
                .toList();
        TrajectoryJob.Settings settings = new TrajectoryJob.Settings(
                new TrajectoryCollector.Settings(
                        block, maxNewTokens, decoding.stopAtEos() ? loaded.eosId() : -1, decoding.seed()),
                shardIndex,
                shardCount,
                augment,
                repeatLimit,
                true);
        int longest = list.stream().mapToInt(p -> p.ids().length).max().orElse(1);
        int capacity = PromptTrajectories.sessionCapacity(
                longest, maxNewTokens, loaded.weights().config().maxSeqLen());
        JsonObject info = new JsonObject();
        info.addProperty("model", model.toString());
        info.addProperty("prompts_file", prompts.toString());
        try (Tokenizer tokenizer = loaded.tokenizer();
                NativeModel engine = NativeModel.load(loaded.weights(), device.device());
                NativeSession session = engine.newSession(capacity)) {
            info.addProperty("device", engine.device().toString());
            TrajectoryJob.Summary s = TrajectoryJob.run(session, list, out, settings, info);
            System.err.printf(
                    Locale.ROOT,
                    "trajectories: %d prompts done (%d already there), %d records written, "
                            + "%d dropped as repetitive, %d tokens augmented, %.1f records/s; manifest %s%n",
                    s.promptsDone(),
                    s.promptsSkipped(),
                    s.records(),
                    s.droppedRepetitive(),
                    s.augmentedTokens(),
                    s.recordsPerSecond(),
                    TrajectoryJob.manifestPath(out));
        }
        return 0;
    }

    /** {@code cllm trajectories merge}: joins shard files. */
    @Command(
            name = "merge",
            mixinStandardHelpOptions = true,
            description = "Join trajectory shards into one file, "
                    + "ordered by data_id and block_id; fails if two shards hold the same prompt.")
    static final class Merge implements Callable<Integer> {
        @Option(names = "--out", required = true, paramLabel = "FILE", description = "Merged output file.")
        Path out;

        @Parameters(arity = "1..*", paramLabel = "SHARD", description = "Shard files.")
        List<Path> shards;

        @Override
        public Integer call() {
            long n = TrajectoryJob.merge(shards, out);
            System.err.printf(Locale.ROOT, "merged %d records from %d shards into %s%n", n, shards.size(), out);
            return 0;
        }
    }
}
