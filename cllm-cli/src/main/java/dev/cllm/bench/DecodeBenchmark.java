package dev.cllm.bench;

import dev.cllm.decode.ArDecoder;
import dev.cllm.decode.DecodeResult;
import dev.cllm.decode.DecodeStats;
import dev.cllm.decode.Decoder;
import dev.cllm.decode.InitialGuess;
import dev.cllm.decode.JacobiDecoder;
import dev.cllm.decode.WindowMode;
import dev.cllm.engine.NativeSession;
import dev.cllm.util.ProgressBar;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Runs AR and Jacobi decoding on the same prompts and session, and times block forwards. All rows come
 * from one run on one machine, so their ratios are meaningful.
 */
public final class DecodeBenchmark {
    /** What to run. */
    public record Settings(
            List<int[]> prompts,
            int maxNewTokens,
            int[] blocks,
            List<WindowMode> modes,
            InitialGuess initialGuess,
            int eos,
            boolean progress) {}

    private final NativeSession session;

    public DecodeBenchmark(NativeSession session) {
        this.session = session;
    }

    /**
     * AR first (the baseline), then Jacobi for every mode and block size (0: chosen by measurement; its
     * one-time cost measurement happens in the warm-up, outside the timed rows).
     */
    public List<BenchRow> run(Settings s) {
        int runs = s.prompts().size() * (1 + s.blocks().length * s.modes().size());
        List<BenchRow> rows = new ArrayList<>();
        try (ProgressBar bar = s.progress() ? new ProgressBar("bench", runs) : null) {
            // Warm up caches, thread pools and the JIT with a short generation of each kind.
            new ArDecoder(Math.min(8, s.maxNewTokens()))
                    .decode(session, s.prompts().get(0), s.eos(), null);
            int firstFixed =
                    Arrays.stream(s.blocks()).filter(n -> n > 0).findFirst().orElse(0);
            if (firstFixed > 0) {
                new JacobiDecoder(firstFixed, Math.min(8, s.maxNewTokens()))
                        .decode(session, s.prompts().get(0), s.eos(), null);
            }
            // The automatic size measures its costs at its first decode: here, outside the timed rows.
            if (Arrays.stream(s.blocks()).anyMatch(n -> n == 0)) {
                for (WindowMode mode : s.modes()) {
                    decoder(0, s, mode).decode(session, s.prompts().get(0), s.eos(), null);
                }
            }

            List<int[]> arOutputs = new ArrayList<>();
            DecodeStats ar = DecodeStats.ZERO;
            for (int[] prompt : s.prompts()) {
                DecodeResult r = new ArDecoder(s.maxNewTokens()).decode(session, prompt, s.eos(), null);
                arOutputs.add(r.tokens());
                ar = ar.plus(r.stats());
                if (bar != null)
                    bar.step(String.format(
                            java.util.Locale.ROOT, "ar %.1f tok/s", r.stats().tokensPerSecond()));
            }
            double arSpeed = ar.tokensPerSecond();
            rows.add(row("ar", 1, ar, arSpeed, true));
            for (WindowMode mode : s.modes()) {
                for (int n : s.blocks()) {
                    Decoder decoder = decoder(n, s, mode);
                    DecodeStats total = DecodeStats.ZERO;
                    boolean same = true;
                    for (int i = 0; i < s.prompts().size(); i++) {
                        DecodeResult r = decoder.decode(session, s.prompts().get(i), s.eos(), null);
                        same &= Arrays.equals(r.tokens(), arOutputs.get(i));
                        total = total.plus(r.stats());
                        if (bar != null) {
                            bar.step(String.format(
                                    java.util.Locale.ROOT,
                                    "jacobi n=%s %.1f tok/s",
                                    n == 0 ? "auto" : n,
                                    r.stats().tokensPerSecond()));
                        }
                    }
                    String name = mode == WindowMode.REFILL ? "jacobi" : "jacobi-shrink";
                    rows.add(row(name, n, total, arSpeed, same));
                }
            }
        }
        return rows;
    }

    /** The Jacobi decoder of block size n (0: chosen by measurement). */
    private static Decoder decoder(int n, Settings s, WindowMode mode) {
        return n == 0
                ? JacobiDecoder.auto(s.maxNewTokens(), mode, s.initialGuess(), 0, null)
                : new JacobiDecoder(n, s.maxNewTokens(), mode, s.initialGuess(), n, null);
    }

    private static BenchRow row(String mode, int block, DecodeStats s, double arSpeed, boolean same) {
        return new BenchRow(
                mode,
                block,
                s.tokens(),
                s.iterations(),
                s.tokensPerIteration(),
                s.iterationsPerToken(),
                s.tokensPerSecond(),
                arSpeed == 0 ? 0 : s.tokensPerSecond() / arSpeed,
                same,
                s.blocks(),
                s.auto());
    }

    /**
     * Median time of one forward of n tokens (no logits beyond what decoding needs: all rows' logits,
     * as a Jacobi iteration computes them) at a context of contextLength positions.
     */
    public List<ForwardTiming> forwardTimings(int[] blocks, int contextLength, int repeats) {
        int vocab = session.model().config().vocabSize();
        int[] context = new int[contextLength];
        for (int i = 0; i < contextLength; i++) context[i] = (i * 7919 + 13) % vocab;
        session.truncate(0);
        if (contextLength > 0) session.forward(context, false);
        List<ForwardTiming> out = new ArrayList<>();
        double one = 0;
        for (int n : blocks) {
            int[] tokens = new int[n];
            for (int i = 0; i < n; i++) tokens[i] = (i * 104729 + 7) % vocab;
            double[] times = new double[repeats];
            for (int r = -1; r < repeats; r++) { // r = -1 warms up
                long start = System.nanoTime();
                session.jacobiStep(tokens, n);
                long elapsed = System.nanoTime() - start;
                session.truncate(contextLength);
                if (r >= 0) times[r] = elapsed / 1e6;
            }
            Arrays.sort(times);
            double median = times[repeats / 2];
            if (n == 1) one = median;
            out.add(new ForwardTiming(n, median, one == 0 ? 0 : median / one));
        }
        return out;
    }
}
