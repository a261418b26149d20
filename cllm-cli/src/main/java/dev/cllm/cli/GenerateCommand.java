package dev.cllm.cli;

import dev.cllm.Cllm;
import dev.cllm.Decoding;
import dev.cllm.Device;
import dev.cllm.models.EmbeddedModels;
import dev.cllm.Generation;
import dev.cllm.Model;
import dev.cllm.Sampling;
import dev.cllm.Session;
import dev.cllm.WeightType;
import dev.cllm.decode.DecodeStats;
import dev.cllm.decode.InitialGuess;
import dev.cllm.decode.WindowMode;

import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code cllm generate}: AR or Jacobi generation, greedy or sampled. The generated text (not the prompt)
 * streams to stdout; statistics go to stderr. AR and Jacobi print the same text for the same model,
 * prompt, sampling settings and seed.
 */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Generate a continuation of a prompt (AR or Jacobi, greedy or sampled). Text to stdout, statistics to stderr.")
public final class GenerateCommand implements Callable<Integer> {
    @Option(names = {"-m", "--model"}, paramLabel = "PATH",
            description = "Checkpoint: a Hugging Face directory, a llama2.c .bin or a .gguf file (default: the embedded CLLM).")
    Path model;

    @ArgGroup(exclusive = true, multiplicity = "1")
    PromptChoice prompt;

    static final class PromptChoice {
        @Option(names = {"-p", "--prompt"}, paramLabel = "TEXT", description = "Prompt text (encoded by tokenizer.json).")
        String text;

        @Option(names = "--prompt-ids", split = ",", paramLabel = "IDS", description = "Prompt as token ids, e.g. 1,5,9.")
        int[] ids;
    }

    @Option(names = {"-n", "--max-tokens", "--max-new-tokens"}, defaultValue = "256",
            description = "Maximum number of generated tokens (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--print-ids", description = "Print token ids instead of text.")
    boolean printIds;

    @Option(names = "--jacobi", description = "Use Jacobi decoding (lossless: same output as AR).")
    boolean jacobi;

    @Option(names = "--block", defaultValue = "16", description = "Jacobi block size n (default: ${DEFAULT-VALUE}).")
    int block;

    @Option(names = "--init", defaultValue = "random", description = "Jacobi initial guess: random, last or pad "
            + "(default: ${DEFAULT-VALUE}).")
    String init;

    @Option(names = "--pad-token", defaultValue = "0", description = "Token id used by --init pad (default: ${DEFAULT-VALUE}).")
    int padToken;

    @Option(names = "--window", defaultValue = "refill", description = "Jacobi window: refill (keep n tokens in flight) "
            + "or shrink (the reference's fixed blocks) (default: ${DEFAULT-VALUE}).")
    String window;

    @Option(names = "--no-eos", description = "Do not stop at the end-of-sequence token.")
    boolean noEos;

    @Option(names = "--guess-seed", defaultValue = "0", description = "Seed of random initial Jacobi guesses (default: ${DEFAULT-VALUE}).")
    long guessSeed;

    @Option(names = "--temperature", defaultValue = "0",
            description = "Sampling temperature; 0 is greedy (default: ${DEFAULT-VALUE}). Jacobi output equals AR output "
                    + "for the same --seed.")
    double temperature;

    @Option(names = "--top-k", defaultValue = "0", description = "Keep the k most likely tokens (0: off).")
    int topK;

    @Option(names = "--top-p", defaultValue = "1", description = "Keep the most likely tokens holding this probability (1: off).")
    double topP;

    @Option(names = "--min-p", defaultValue = "0", description = "Keep tokens at least this fraction as likely as the top one (0: off).")
    double minP;

    @Option(names = "--repetition-penalty", defaultValue = "1", description = "Divide seen tokens' logits by this (1: off).")
    double repetitionPenalty;

    @Option(names = "--presence-penalty", defaultValue = "0", description = "Subtract this from seen tokens' logits (0: off).")
    double presencePenalty;

    @Option(names = "--frequency-penalty", defaultValue = "0", description = "Subtract this per occurrence (0: off).")
    double frequencyPenalty;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the sampling draws (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--stop", paramLabel = "TEXT", description = "Stop before this text (repeatable).")
    String[] stop = new String[0];

    @Option(names = "--device", defaultValue = "auto", description = "auto, cpu, cuda or cuda:N (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--weights", paramLabel = "TYPE", description = "Weight type the engine computes with: f32, bf16 "
            + "or q8_0 (default: the checkpoint's own).")
    String weights;

    @Override
    public Integer call() {
        if (maxTokens < 0) throw new IllegalArgumentException("--max-tokens must be >= 0");
        WindowMode windowMode = WindowMode.valueOf(parseWindow(window));
        InitialGuess guess = InitialGuess.parse(init, guessSeed, padToken);
        Sampling sampling = new Sampling(temperature, topK, topP, minP, repetitionPenalty, presencePenalty, frequencyPenalty,
                false, seed);
        Decoding decoding = jacobi
                ? Decoding.jacobi(block).withWindow(windowMode).withInitialGuess(guess).withMaxNewTokens(maxTokens)
                        .withStopAtEos(!noEos).withSampling(sampling).withStop(stop)
                : Decoding.ar().withMaxNewTokens(maxTokens).withStopAtEos(!noEos).withSampling(sampling).withStop(stop);
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        Device target = Device.parse(device);
        WeightType weightType = weights == null ? null : WeightType.parse(weights);
        try (Model m = model != null ? Cllm.load(model, target, weightType)
                : EmbeddedModels.load(EmbeddedModels.CLLM, target, weightType)) {
            int[] ids = prompt.ids != null ? prompt.ids : m.tokenizer().encode(prompt.text);
            int capacity = (int) Math.min(m.config().maxSeqLen(), (long) ids.length + maxTokens + 1);
            try (Session session = m.newSession(Math.max(capacity, 1))) {
                boolean[] first = {true};
                Generation g = session.generate(ids, decoding, token -> {
                    if (printIds) {
                        if (token.id() >= 0) out.print((first[0] ? "" : " ") + token.id());
                        first[0] = false;
                    } else {
                        out.print(token.text());
                    }
                    out.flush();
                });
                out.println();
                DecodeStats s = g.stats();
                System.err.printf(Locale.ROOT, "%s on %s (%s weights): %d tokens in %.2f s (%.1f tokens/s), %d iterations, "
                        + "%.2f tokens/iteration, %d fast-forwarded, %d stationary, stop: %s%n", decoding, m.device(),
                        m.weightType().cliName(),
                        g.tokens().length, s.decodeNanos() / 1e9, s.tokensPerSecond(), s.iterations(),
                        s.tokensPerIteration(), s.fastForwarded(), s.stationary(),
                        g.stopReason().name().toLowerCase(Locale.ROOT));
            }
        }
        return 0;
    }

    private static String parseWindow(String text) {
        String w = text.toUpperCase(Locale.ROOT);
        if (Arrays.stream(WindowMode.values()).noneMatch(m -> m.name().equals(w))) {
            throw new IllegalArgumentException("--window must be refill or shrink, got '" + text + "'");
        }
        return w;
    }
}
