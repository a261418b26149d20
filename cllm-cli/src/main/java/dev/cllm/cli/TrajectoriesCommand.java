package dev.cllm.cli;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import dev.cllm.CllmException;
import dev.cllm.Device;
import dev.cllm.engine.NativeModel;
import dev.cllm.engine.NativeSession;
import dev.cllm.model.JsonFiles;
import dev.cllm.train.TrajectoryCollector;
import dev.cllm.train.TrajectoryJob;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code cllm trajectories}: collect Jacobi trajectories with a teacher model (and merge shards). */
@Command(name = "trajectories", mixinStandardHelpOptions = true,
        description = "Collect Jacobi trajectories with a teacher: for each prompt, decode block by block and record "
                + "every Jacobi state from the initial guess to the fixed point (JSONL, .gz for gzip).",
        subcommands = TrajectoriesCommand.Merge.class)
public final class TrajectoriesCommand implements Callable<Integer> {
    @Option(names = {"-m", "--model"}, required = true, paramLabel = "PATH", description = "The teacher checkpoint.")
    Path model;

    @Option(names = "--prompts", required = true, paramLabel = "FILE",
            description = "JSONL with a \"prompt\" field and an optional \"answer\" (tokenized into labels_ids).")
    Path prompts;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Output JSONL (gzip when it ends in .gz); "
            + "an existing file is resumed.")
    Path out;

    @Option(names = "--block", defaultValue = "16", description = "Block size n (default: ${DEFAULT-VALUE}).")
    int block;

    @Option(names = "--max-new-tokens", defaultValue = "256", description = "Tokens per prompt (default: ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Option(names = "--shard", defaultValue = "0/1", paramLabel = "i/N", description = "Take every N-th prompt starting "
            + "at i (default: ${DEFAULT-VALUE}).")
    String shard;

    @Option(names = "--augment", description = "Overwrite about half of the wrong tokens (beyond the first) of each "
            + "intermediate state with fixed-point tokens (the reference's augmentation).")
    boolean augment;

    @Option(names = "--repeat-limit", defaultValue = "10", description = "Drop records whose output repeats one token this "
            + "many times in a row (default: ${DEFAULT-VALUE}).")
    int repeatLimit;

    @Option(names = "--limit", defaultValue = "0", description = "Use only the first N prompts of the file (0: all).")
    int limit;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the initial guesses (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--device", defaultValue = "auto", description = "auto, cpu, cuda or cuda:N (default: ${DEFAULT-VALUE}).")
    String device;

    @Override
    public Integer call() throws IOException {
        String[] parts = shard.split("/");
        if (parts.length != 2) throw new IllegalArgumentException("--shard must look like i/N, got '" + shard + "'");
        int shardIndex, shardCount;
        try {
            shardIndex = Integer.parseInt(parts[0].trim());
            shardCount = Integer.parseInt(parts[1].trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--shard must look like i/N, got '" + shard + "'");
        }
        LoadedModel loaded = LoadedModel.load(model);
        if (!loaded.tokenizer().canEncode()) {
            throw new IllegalArgumentException(model + " has no tokenizer.json: trajectories need text prompts");
        }
        List<TrajectoryJob.Prompt> list = readPrompts(prompts, loaded, limit);
        TrajectoryJob.Settings settings = new TrajectoryJob.Settings(
                new TrajectoryCollector.Settings(block, maxNewTokens, loaded.eos(), seed), shardIndex, shardCount, augment,
                repeatLimit, true);
        int longest = list.stream().mapToInt(p -> p.ids().length).max().orElse(1);
        int capacity = Math.min(loaded.weights().config().maxSeqLen(), longest + maxNewTokens + 1);
        JsonObject info = new JsonObject();
        info.addProperty("model", model.toString());
        info.addProperty("prompts_file", prompts.toString());
        try (NativeModel engine = NativeModel.load(loaded.weights(), Device.parse(device));
             NativeSession session = engine.newSession(capacity)) {
            info.addProperty("device", engine.device().toString());
            TrajectoryJob.Summary s = TrajectoryJob.run(session, list, out, settings, info);
            System.err.printf(Locale.ROOT, "trajectories: %d prompts done (%d already there), %d records written, "
                    + "%d dropped as repetitive, %d tokens augmented, %.1f records/s; manifest %s%n", s.promptsDone(),
                    s.promptsSkipped(), s.records(), s.droppedRepetitive(), s.augmentedTokens(), s.recordsPerSecond(),
                    TrajectoryJob.manifestPath(out));
        }
        return 0;
    }

    static List<TrajectoryJob.Prompt> readPrompts(Path file, LoadedModel loaded, int limit) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("prompt file not found: " + file);
        }
        List<TrajectoryJob.Prompt> out = new ArrayList<>();
        int id = 0;
        for (int i = 0; i < lines.size() && (limit <= 0 || out.size() < limit); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) continue;
            JsonObject o = JsonFiles.parseObjectLine(line, file, i + 1);
            JsonElement prompt = o.get("prompt");
            if (prompt == null || !prompt.isJsonPrimitive()) {
                throw CllmException.badFormat(file, "line " + (i + 1) + " has no string field \"prompt\"");
            }
            JsonElement answer = o.get("answer");
            int[] ids = loaded.tokenizer().encode(prompt.getAsString());
            int[] labels = answer == null || answer.isJsonNull() ? null
                    : continuation(loaded, prompt.getAsString(), ids, answer.getAsString());
            out.add(new TrajectoryJob.Prompt(id++, ids, labels));
        }
        if (out.isEmpty()) throw new IllegalArgumentException("prompt file " + file + " holds no prompts");
        return out;
    }

    /**
     * The label ids of answer, the exact text that follows the prompt: the ids of prompt + answer after the
     * prompt's own ids (tokenizers merge across the boundary otherwise), then end-of-sequence.
     */
    static int[] continuation(LoadedModel loaded, String prompt, int[] promptIds, String answer) {
        int[] all = loaded.tokenizer().encode(prompt + answer);
        int[] labels;
        if (all.length >= promptIds.length && java.util.Arrays.equals(promptIds, 0, promptIds.length, all, 0, promptIds.length)) {
            labels = java.util.Arrays.copyOfRange(all, promptIds.length, all.length);
        } else {
            int[] ids = loaded.tokenizer().encode(answer);
            int bos = loaded.tokenizer().bosId();
            labels = ids.length > 0 && bos >= 0 && ids[0] == bos ? java.util.Arrays.copyOfRange(ids, 1, ids.length) : ids;
        }
        int eos = loaded.eos();
        if (eos < 0) return labels;
        int[] withEos = java.util.Arrays.copyOf(labels, labels.length + 1);
        withEos[labels.length] = eos;
        return withEos;
    }

    /** {@code cllm trajectories merge}: joins shard files. */
    @Command(name = "merge", mixinStandardHelpOptions = true, description = "Join trajectory shards into one file, "
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
