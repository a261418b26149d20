package dev.cllm.cli;

import dev.cllm.Decoding;
import dev.cllm.Generation;
import dev.cllm.Model;
import dev.cllm.Session;
import dev.cllm.decode.DecodeStats;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code cllm generate}: AR or Jacobi generation, greedy or sampled. The generated text (not the prompt)
 * streams to stdout; statistics go to stderr. AR and Jacobi print the same text for the same model,
 * prompt, sampling settings and seed. {@code -p -} reads the prompt from standard input.
 */
@Command(
        name = "generate",
        mixinStandardHelpOptions = true,
        description =
                "Generate a continuation of a prompt (AR or Jacobi, greedy or sampled). Text to stdout, statistics to stderr.")
public final class GenerateCommand implements Callable<Integer> {
    @Option(
            names = {"-m", "--model"},
            paramLabel = "MODEL",
            defaultValue = "embedded:cllm",
            description =
                    "Checkpoint: a Hugging Face directory, a llama2.c .bin, a .gguf file, or embedded:cllm / embedded:teacher "
                            + "(default: ${DEFAULT-VALUE}).")
    ModelLocation model;

    @ArgGroup(exclusive = true, multiplicity = "1")
    PromptChoice prompt;

    static final class PromptChoice {
        @Option(
                names = {"-p", "--prompt"},
                paramLabel = "TEXT",
                description = "Prompt text (encoded by tokenizer.json); "
                        + "- reads it from standard input (one trailing newline dropped).")
        String text;

        @Option(
                names = "--prompt-ids",
                split = ",",
                paramLabel = "IDS",
                description = "Prompt as token ids, e.g. 1,5,9.")
        int[] ids;
    }

    @Option(names = "--print-ids", description = "Print token ids instead of text.")
    boolean printIds;

    @Option(
            names = "--jacobi",
            description = "Use Jacobi decoding (lossless: same output as AR), by default with the "
                    + "block size chosen by measurement (--block auto).")
    boolean jacobi;

    @Mixin
    DecodingOptions decoding = new DecodingOptions(DecodingOptions.AUTO, 256, 0);

    @Mixin
    WindowOptions window;

    @Mixin
    DeviceOption device;

    @Mixin
    SamplingOptions sampling;

    @Mixin
    WeightsOption weights;

    @Override
    public Integer call() throws IOException {
        Decoding settings = (jacobi ? decoding.jacobi(window) : decoding.ar())
                .withSampling(sampling.sampling(decoding.seed()))
                .withStop(sampling.stop());
        String promptText = prompt.text == null ? null : prompt.text.equals("-") ? readStandardInput() : prompt.text;
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        try (Model m = model.open(device.device(), weights.weightType())) {
            int[] ids = prompt.ids != null ? prompt.ids : m.tokenizer().encode(promptText);
            int capacity = (int) Math.min(m.config().maxSeqLen(), (long) ids.length + decoding.maxNewTokens() + 1);
            try (Session session = m.newSession(Math.max(capacity, 1))) {
                boolean[] first = {true};
                Generation g = session.generate(ids, settings, token -> {
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
                System.err.printf(
                        Locale.ROOT,
                        "%s on %s (%s weights): %d tokens in %.2f s (%.1f tokens/s), %d iterations, "
                                + "%.2f tokens/iteration, %d fast-forwarded, %d stationary, stop: %s%n",
                        settings,
                        m.device(),
                        m.weightType().cliName(),
                        g.tokens().length,
                        s.decodeNanos() / 1e9,
                        s.tokensPerSecond(),
                        s.iterations(),
                        s.tokensPerIteration(),
                        s.fastForwarded(),
                        s.stationary(),
                        g.stopReason().name().toLowerCase(Locale.ROOT));
                if (s.auto() != null) {
                    System.err.println("block size auto: ran " + s.blocks().summary() + "; "
                            + s.auto().summary());
                }
            }
        }
        return 0;
    }

    /** The whole of standard input as UTF-8, less one trailing newline (what echo and here-documents add). */
    static String readStandardInput() throws IOException {
        InputStream in = System.in;
        String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        if (text.endsWith("\r\n")) return text.substring(0, text.length() - 2);
        if (text.endsWith("\n")) return text.substring(0, text.length() - 1);
        return text;
    }
}
