package dev.cllm.cli;

import dev.cllm.Device;
import dev.cllm.bench.BenchReport;
import dev.cllm.bench.BenchRow;
import dev.cllm.bench.DecodeBenchmark;
import dev.cllm.bench.ForwardTiming;
import dev.cllm.bench.ModelShapes;
import dev.cllm.decode.InitialGuess;
import dev.cllm.decode.WindowMode;
import dev.cllm.engine.NativeModel;
import dev.cllm.engine.NativeSession;
import dev.cllm.model.LlamaConfig;
import dev.cllm.model.LoadedCheckpoint;
import dev.cllm.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code cllm bench}: AR vs Jacobi on the same prompts, plus block-forward timings. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Run AR and Jacobi decoding on the same prompts and print a table (tokens/s, iterations per "
                + "token, tokens per iteration, speedup over AR), plus the time of one forward of a block of n tokens.")
public final class BenchCommand implements Callable<Integer> {
    @ArgGroup(exclusive = true, multiplicity = "1")
    ModelChoice model;

    static final class ModelChoice {
        @Option(
                names = "--model",
                paramLabel = "MODEL",
                description = "Checkpoint: HF directory, llama2.c .bin, or embedded:cllm / embedded:teacher.")
        ModelLocation location;

        @Option(
                names = "--random",
                paramLabel = "SHAPE",
                description = "A seeded random-weight model of a named shape: 110m, 15m, 3m, tiny, 1b, 7b "
                        + "(the presets of native/bench/model-presets.tsv).")
        String shape;
    }

    @Option(
            names = "--prompts",
            paramLabel = "FILE",
            description = "Prompts: JSONL with a \"prompt\" field, or one prompt per line (needs a tokenizer).")
    Path prompts;

    @Option(
            names = "--random-prompts",
            defaultValue = "4",
            description = "Without --prompts: this many random " + "token-id prompts (default: ${DEFAULT-VALUE}).")
    int randomPrompts;

    @Option(
            names = "--prompt-length",
            defaultValue = "16",
            description = "Length of random prompts (default: ${DEFAULT-VALUE}).")
    int promptLength;

    @Mixin
    DecodingOptions decoding = new DecodingOptions("8,16,32", 128, 1);

    @Mixin
    WindowOptions window;

    // A string, not int[]: picocli cannot turn "" or "none" into an empty int array.
    @Option(
            names = "--forward-blocks",
            defaultValue = "1,4,16,32,64",
            description = "Block sizes for the forward timing table, comma-separated; none (or empty) to skip "
                    + "(default: ${DEFAULT-VALUE}).")
    String forwardBlocksSpec;

    @Mixin
    DeviceOption device;

    @Mixin
    WeightsOption weights;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the table as JSON.")
    Path json;

    @Option(names = "--markdown", paramLabel = "FILE", description = "Also write the table as Markdown.")
    Path markdown;

    @Override
    public Integer call() throws IOException {
        int maxNewTokens = decoding.maxNewTokens();
        if (maxNewTokens < 1) throw new IllegalArgumentException("--max-new-tokens must be >= 1, got " + maxNewTokens);
        int[] blocks = decoding.blockSizes();
        List<WindowMode> modes = window.modes();
        InitialGuess guess = window.initialGuess();
        int[] forwardBlocks = parseForwardBlocks(forwardBlocksSpec);
        if (promptLength < 1 || randomPrompts < 1)
            throw new IllegalArgumentException("--random-prompts and --prompt-length must be >= 1");
        Device target = device.device();
        long seed = decoding.seed();
        LoadedCheckpoint loaded =
                model.shape != null ? LoadedCheckpoint.random(shape(model.shape), seed) : model.location.load();
        LlamaConfig config = loaded.weights().config();
        int capacity = Math.min(config.maxSeqLen(), promptLength + maxNewTokens + 64 + 1);
        try (Tokenizer tokenizer = loaded.tokenizer();
                NativeModel nativeModel = NativeModel.load(loaded.weights(), target, weights.weightType());
                NativeSession session = nativeModel.newSession(Math.max(capacity, 2))) {
            System.err.printf(
                    Locale.ROOT,
                    "cllm bench: %s on %s, %,d parameters, %s weights%n",
                    loaded.name(),
                    nativeModel.device(),
                    config.parameterCount(),
                    nativeModel.weightType().cliName());
            List<int[]> promptIds = prompts != null
                    ? PromptFile.read(prompts).stream().map(tokenizer::encode).toList()
                    : randomPrompts(config.vocabSize(), randomPrompts, promptLength, seed);
            DecodeBenchmark bench = new DecodeBenchmark(session);
            if (forwardBlocks.length > 0) {
                int context = Math.min(16, session.capacity() - 64);
                List<ForwardTiming> timings = bench.forwardTimings(forwardBlocks, Math.max(context, 0), 7);
                System.out.println(
                        "Forward of a block of n tokens (context " + Math.max(context, 0) + ", median of 7):");
                System.out.print(BenchReport.forwardTable(timings));
                System.out.println();
            }
            List<BenchRow> rows = bench.run(new DecodeBenchmark.Settings(
                    promptIds, maxNewTokens, blocks, modes, guess, decoding.stopAtEos() ? loaded.eosId() : -1, true));
            System.out.print(BenchReport.table(rows));
            String title = String.format(
                    Locale.ROOT,
                    "cllm bench: %s on %s (%s weights), %d prompts x %d new tokens",
                    loaded.name(),
                    nativeModel.device(),
                    nativeModel.weightType().cliName(),
                    promptIds.size(),
                    maxNewTokens);
            if (json != null) Files.writeString(json, BenchReport.json(rows));
            if (markdown != null) Files.writeString(markdown, BenchReport.markdown(rows, title));
        }
        return 0;
    }

    private static LlamaConfig shape(String name) {
        try {
            return ModelShapes.get(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--random: " + e.getMessage(), e);
        }
    }

    static List<int[]> randomPrompts(int vocab, int count, int length, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < count; i++) out.add(random.ints(length, 0, vocab).toArray());
        return out;
    }

    /** "1,4,16" to its block sizes; "", "none": no forward timings. */
    static int[] parseForwardBlocks(String spec) {
        String trimmed = spec.strip();
        if (trimmed.isEmpty() || trimmed.equalsIgnoreCase("none")) return new int[0];
        String[] parts = trimmed.split(",");
        int[] blocks = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                blocks[i] = Integer.parseInt(parts[i].strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        "--forward-blocks takes block sizes like 1,4,16 or none, got '" + spec + "'");
            }
            if (blocks[i] < 1)
                throw new IllegalArgumentException("--forward-blocks values must be >= 1, got " + blocks[i]);
        }
        return blocks;
    }
}
