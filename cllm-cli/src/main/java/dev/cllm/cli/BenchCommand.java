package dev.cllm.cli;

import dev.cllm.Device;
import dev.cllm.WeightType;
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

import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/** {@code cllm bench}: AR vs Jacobi on the same prompts, plus block-forward timings. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Run AR and Jacobi decoding on the same prompts and print a table (tokens/s, iterations per "
                + "token, tokens per iteration, speedup over AR), plus the time of one forward of a block of n tokens.")
public final class BenchCommand implements Callable<Integer> {
    @ArgGroup(exclusive = true, multiplicity = "1")
    ModelChoice model;

    static final class ModelChoice {
        @Option(names = "--model", paramLabel = "PATH", description = "Checkpoint: HF directory or llama2.c .bin.")
        Path path;

        @Option(names = "--random", paramLabel = "SHAPE",
                description = "A seeded random-weight model of a named shape: 110m, 15m, 3m, tiny, 1b, 7b "
                        + "(the presets of native/bench/model-presets.tsv).")
        String shape;
    }

    @Option(names = "--prompts", paramLabel = "FILE",
            description = "Prompts: JSONL with a \"prompt\" field, or one prompt per line (needs a tokenizer).")
    Path prompts;

    @Option(names = "--random-prompts", defaultValue = "4", description = "Without --prompts: this many random "
            + "token-id prompts (default: ${DEFAULT-VALUE}).")
    int randomPrompts;

    @Option(names = "--prompt-length", defaultValue = "16", description = "Length of random prompts (default: ${DEFAULT-VALUE}).")
    int promptLength;

    @Option(names = "--block", split = ",", defaultValue = "8,16,32", description = "Jacobi block sizes (default: ${DEFAULT-VALUE}).")
    int[] blocks;

    @Option(names = "--max-new-tokens", defaultValue = "128", description = "Tokens per prompt (default: ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Option(names = "--window", split = ",", defaultValue = "refill",
            description = "Jacobi window modes: refill, shrink, or both (default: ${DEFAULT-VALUE}).")
    List<String> windows;

    @Option(names = "--init", defaultValue = "random", description = "Initial guess: random, last or pad (default: ${DEFAULT-VALUE}).")
    String init;

    // A string, not int[]: picocli cannot turn "" or "none" into an empty int array.
    @Option(names = "--forward-blocks", defaultValue = "1,4,16,32,64",
            description = "Block sizes for the forward timing table, comma-separated; none (or empty) to skip "
                    + "(default: ${DEFAULT-VALUE}).")
    String forwardBlocksSpec;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of random weights, prompts and guesses.")
    long seed;

    @Option(names = "--device", defaultValue = "auto", description = "auto, cpu, cuda or cuda:N (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--weights", paramLabel = "TYPE", description = "Weight type the engine computes with: f32, bf16 "
            + "or q8_0 (default: the checkpoint's own).")
    String weights;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the table as JSON.")
    Path json;

    @Option(names = "--markdown", paramLabel = "FILE", description = "Also write the table as Markdown.")
    Path markdown;

    @Override
    public Integer call() throws IOException {
        if (maxNewTokens < 1) throw new IllegalArgumentException("--max-new-tokens must be >= 1");
        for (int b : blocks) if (b < 1) throw new IllegalArgumentException("--block values must be >= 1, got " + b);
        int[] forwardBlocks = parseForwardBlocks(forwardBlocksSpec);
        if (promptLength < 1 || randomPrompts < 1) throw new IllegalArgumentException("--random-prompts and --prompt-length must be >= 1");
        List<WindowMode> modes = new ArrayList<>();
        for (String w : windows) {
            switch (w.toLowerCase(Locale.ROOT)) {
                case "refill" -> modes.add(WindowMode.REFILL);
                case "shrink" -> modes.add(WindowMode.SHRINK);
                case "both" -> {
                    modes.add(WindowMode.REFILL);
                    modes.add(WindowMode.SHRINK);
                }
                default -> throw new IllegalArgumentException("--window must be refill, shrink or both, got '" + w + "'");
            }
        }
        Device target = Device.parse(device);
        WeightType weightType = weights == null ? null : WeightType.parse(weights);
        LoadedModel loaded = model.shape != null ? LoadedModel.random(ModelShapes.get(model.shape), seed)
                : LoadedModel.load(model.path);
        LlamaConfig config = loaded.weights().config();
        int capacity = Math.min(config.maxSeqLen(), promptLength + maxNewTokens + 64 + 1);
        try (NativeModel nativeModel = NativeModel.load(loaded.weights(), target, weightType);
             NativeSession session = nativeModel.newSession(Math.max(capacity, 2))) {
            System.err.printf(Locale.ROOT, "cllm bench: %s on %s, %,d parameters, %s weights%n", loaded.description(),
                    nativeModel.device(), config.parameterCount(), nativeModel.weightType().cliName());
            List<int[]> promptIds = prompts != null ? loaded.encodePrompts(prompts)
                    : randomPrompts(config.vocabSize(), randomPrompts, promptLength, seed);
            DecodeBenchmark bench = new DecodeBenchmark(session);
            if (forwardBlocks.length > 0) {
                int context = Math.min(16, session.capacity() - 64);
                List<ForwardTiming> timings = bench.forwardTimings(forwardBlocks, Math.max(context, 0), 7);
                System.out.println("Forward of a block of n tokens (context " + Math.max(context, 0) + ", median of 7):");
                System.out.print(BenchReport.forwardTable(timings));
                System.out.println();
            }
            InitialGuess guess = InitialGuess.parse(init, seed, 0);
            List<BenchRow> rows = bench.run(new DecodeBenchmark.Settings(promptIds, maxNewTokens, blocks, modes, guess,
                    loaded.eos(), true));
            System.out.print(BenchReport.table(rows));
            String title = String.format(Locale.ROOT, "cllm bench: %s on %s (%s weights), %d prompts x %d new tokens",
                    loaded.description(), nativeModel.device(), nativeModel.weightType().cliName(), promptIds.size(), maxNewTokens);
            if (json != null) Files.writeString(json, BenchReport.json(rows));
            if (markdown != null) Files.writeString(markdown, BenchReport.markdown(rows, title));
        }
        return 0;
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
                throw new IllegalArgumentException("--forward-blocks takes block sizes like 1,4,16 or none, got '" + spec + "'");
            }
            if (blocks[i] < 1) throw new IllegalArgumentException("--forward-blocks values must be >= 1, got " + blocks[i]);
        }
        return blocks;
    }
}
