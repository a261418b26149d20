package dev.cllm;

import dev.cllm.decode.ArDecoder;
import dev.cllm.decode.Decoder;
import dev.cllm.decode.InitialGuess;
import dev.cllm.decode.IterationListener;
import dev.cllm.decode.JacobiDecoder;
import dev.cllm.decode.SamplingDecoder;
import dev.cllm.decode.WindowMode;
import java.util.List;
import java.util.Locale;

/**
 * How to generate: autoregressive decoding ({@link Ar}) or Jacobi decoding ({@link Jacobi}), each greedy
 * or sampled ({@link Sampling}: temperature, top-k, top-p, min-p, penalties, seed), with optional stop
 * strings. Each kind is an immutable record holding only its own settings, validated once when it is
 * built; the {@code with}-style methods return validated copies. Defaults: greedy, 256 new tokens, stop
 * at end-of-sequence, no stop strings; Jacobi with the block size chosen by measurement
 * ({@link #jacobi()}), the refill window, random initial guesses (seed 0) and an iteration cap per block
 * equal to the block size (enough for any block to converge).
 *
 * <p>Sampling is lossless: Jacobi output equals AR output token for token for the same settings and seed
 * ({@link Sampling}).
 *
 * <pre>{@code
 * Decoding.jacobi().withMaxNewTokens(128)     // block size chosen by measurement
 * Decoding.jacobi(16)                         // a fixed block size
 * Decoding.ar().withStopAtEos(false)
 * Decoding.jacobi(8).withTemperature(0.7).withTopP(0.9).withSeed(42).withStop("\n\n")
 * }</pre>
 *
 * <p>Code that needs the kind tests it with {@code instanceof Decoding.Jacobi j}; new kinds may be added
 * to this sealed interface.
 */
public sealed interface Decoding permits Decoding.Ar, Decoding.Jacobi {
    /** The token limit of {@link #ar()}, {@link #jacobi()} and {@link #jacobi(int)}. */
    int DEFAULT_MAX_NEW_TOKENS = 256;

    /** {@link Jacobi#blockSize()} of {@link #jacobi()}: the block size is chosen by measurement. */
    int AUTO_BLOCK = 0;

    /** Greedy autoregressive decoding: one forward pass per token. */
    static Ar ar() {
        return new Ar(DEFAULT_MAX_NEW_TOKENS, true);
    }

    /**
     * Greedy Jacobi decoding whose block size (tokens in flight) is chosen by measurement: at the first
     * such decode of a model the cost of an n-row iteration against a 1-row one is timed (n = 1, 2, 4, ...,
     * 64; about 0.2 s, once per model and CPU thread count), and during generation the decoder runs the n
     * with the most expected tokens per unit of time, from what each iteration accepted. The output is the
     * same whatever n runs; {@code Generation.stats()} reports the sizes that ran and why
     * ({@link dev.cllm.decode.DecodeStats#blocks()}, {@link dev.cllm.decode.DecodeStats#auto()}).
     */
    static Jacobi jacobi() {
        return new Jacobi(AUTO_BLOCK, DEFAULT_MAX_NEW_TOKENS, WindowMode.REFILL, InitialGuess.random(0), 0, true);
    }

    /** Greedy Jacobi decoding with a fixed blockSize tokens in flight (1 or more). */
    static Jacobi jacobi(int blockSize) {
        if (blockSize < 1) {
            throw new IllegalArgumentException(
                    "blockSize must be >= 1, got " + blockSize + " (Decoding.jacobi() chooses it by measurement)");
        }
        return new Jacobi(
                blockSize, DEFAULT_MAX_NEW_TOKENS, WindowMode.REFILL, InitialGuess.random(0), blockSize, true);
    }

    /** How each token is chosen (greedy by default). */
    Sampling sampling();

    /** Text that ends the generation when it appears in the output (which then stops before it). */
    List<String> stop();

    /** A copy with other sampling settings. */
    Decoding withSampling(Sampling sampling);

    /** A copy with other stop strings (none: no stop string). */
    Decoding withStop(String... stop);

    /** A copy sampling at this temperature (0: greedy). */
    default Decoding withTemperature(double temperature) {
        return withSampling(sampling().withTemperature(temperature));
    }

    /** A copy keeping the k most likely tokens (0: off). */
    default Decoding withTopK(int topK) {
        return withSampling(sampling().withTopK(topK));
    }

    /** A copy keeping the most likely tokens that hold topP of the probability (1: off). */
    default Decoding withTopP(double topP) {
        return withSampling(sampling().withTopP(topP));
    }

    /** A copy keeping tokens at least minP as likely as the most likely one (0: off). */
    default Decoding withMinP(double minP) {
        return withSampling(sampling().withMinP(minP));
    }

    /** A copy with a repetition penalty (1: off). */
    default Decoding withRepetitionPenalty(double penalty) {
        return withSampling(sampling().withRepetitionPenalty(penalty));
    }

    /** A copy with a presence penalty (0: off). */
    default Decoding withPresencePenalty(double penalty) {
        return withSampling(sampling().withPresencePenalty(penalty));
    }

    /** A copy with a frequency penalty (0: off). */
    default Decoding withFrequencyPenalty(double penalty) {
        return withSampling(sampling().withFrequencyPenalty(penalty));
    }

    /** A copy with another sampling seed. */
    default Decoding withSeed(long seed) {
        return withSampling(sampling().withSeed(seed));
    }

    /** Tokens to generate at most (the end-of-sequence token that stops a generation not counted). */
    int maxNewTokens();

    /** Whether the model's end-of-sequence token ends the generation. */
    boolean stopAtEos();

    /** A copy with another token limit (>= 0). */
    Decoding withMaxNewTokens(int maxNewTokens);

    /** A copy that does (or does not) stop at the end-of-sequence token. */
    Decoding withStopAtEos(boolean stopAtEos);

    /** The decoder these settings describe; iterations (may be null) observes each iteration. */
    Decoder decoder(IterationListener iterations);

    /** Autoregressive decoding: one forward pass per token. */
    record Ar(int maxNewTokens, boolean stopAtEos, Sampling sampling, List<String> stop) implements Decoding {
        public Ar {
            requireTokenLimit(maxNewTokens);
            if (sampling == null) throw new IllegalArgumentException("sampling must not be null");
            stop = stopStrings(stop);
        }

        /** Greedy, no stop strings. */
        public Ar(int maxNewTokens, boolean stopAtEos) {
            this(maxNewTokens, stopAtEos, Sampling.greedy(), List.of());
        }

        @Override
        public Ar withMaxNewTokens(int maxNewTokens) {
            return new Ar(maxNewTokens, stopAtEos, sampling, stop);
        }

        @Override
        public Ar withStopAtEos(boolean stopAtEos) {
            return new Ar(maxNewTokens, stopAtEos, sampling, stop);
        }

        @Override
        public Ar withSampling(Sampling sampling) {
            return new Ar(maxNewTokens, stopAtEos, sampling, stop);
        }

        @Override
        public Ar withStop(String... stop) {
            return new Ar(maxNewTokens, stopAtEos, sampling, List.of(stop));
        }

        @Override
        public Decoder decoder(IterationListener iterations) {
            Decoder plain = new ArDecoder(maxNewTokens);
            return sampling.isGreedy() ? plain : new SamplingDecoder(plain, sampling);
        }

        @Override
        public String toString() {
            return sampling.isGreedy() ? "ar" : "ar, " + sampling;
        }
    }

    /**
     * Jacobi decoding (greedy or sampled): blockSize tokens in flight ({@link Decoding#AUTO_BLOCK}: chosen by
     * measurement), the window policy, how unknown tokens are guessed, and the cap on iterations per block
     * (SHRINK window; at least 1, or 0 for the block size).
     */
    record Jacobi(
            int blockSize,
            int maxNewTokens,
            WindowMode window,
            InitialGuess initialGuess,
            int maxIterationsPerBlock,
            boolean stopAtEos,
            Sampling sampling,
            List<String> stop)
            implements Decoding {
        public Jacobi {
            if (blockSize < 0) {
                throw new IllegalArgumentException(
                        "blockSize must be >= 1, or 0 to choose it by measurement, got " + blockSize);
            }
            requireTokenLimit(maxNewTokens);
            if (window == null) throw new IllegalArgumentException("window must not be null");
            if (initialGuess == null) throw new IllegalArgumentException("initialGuess must not be null");
            if (maxIterationsPerBlock < 0) {
                throw new IllegalArgumentException(
                        "maxIterationsPerBlock must be >= 1 (0: the block size), got " + maxIterationsPerBlock);
            }
            if (sampling == null) throw new IllegalArgumentException("sampling must not be null");
            stop = stopStrings(stop);
        }

        /** Greedy, no stop strings. */
        public Jacobi(
                int blockSize,
                int maxNewTokens,
                WindowMode window,
                InitialGuess initialGuess,
                int maxIterationsPerBlock,
                boolean stopAtEos) {
            this(
                    blockSize,
                    maxNewTokens,
                    window,
                    initialGuess,
                    maxIterationsPerBlock,
                    stopAtEos,
                    Sampling.greedy(),
                    List.of());
        }

        /** Whether the block size is chosen by measurement ({@link Decoding#jacobi()}). */
        public boolean autoBlock() {
            return blockSize == AUTO_BLOCK;
        }

        @Override
        public Jacobi withMaxNewTokens(int maxNewTokens) {
            return new Jacobi(
                    blockSize, maxNewTokens, window, initialGuess, maxIterationsPerBlock, stopAtEos, sampling, stop);
        }

        @Override
        public Jacobi withStopAtEos(boolean stopAtEos) {
            return new Jacobi(
                    blockSize, maxNewTokens, window, initialGuess, maxIterationsPerBlock, stopAtEos, sampling, stop);
        }

        @Override
        public Jacobi withSampling(Sampling sampling) {
            return new Jacobi(
                    blockSize, maxNewTokens, window, initialGuess, maxIterationsPerBlock, stopAtEos, sampling, stop);
        }

        @Override
        public Jacobi withStop(String... stop) {
            return new Jacobi(
                    blockSize,
                    maxNewTokens,
                    window,
                    initialGuess,
                    maxIterationsPerBlock,
                    stopAtEos,
                    sampling,
                    List.of(stop));
        }

        public Jacobi withWindow(WindowMode window) {
            return new Jacobi(
                    blockSize, maxNewTokens, window, initialGuess, maxIterationsPerBlock, stopAtEos, sampling, stop);
        }

        public Jacobi withInitialGuess(InitialGuess initialGuess) {
            return new Jacobi(
                    blockSize, maxNewTokens, window, initialGuess, maxIterationsPerBlock, stopAtEos, sampling, stop);
        }

        public Jacobi withMaxIterationsPerBlock(int maxIterationsPerBlock) {
            return new Jacobi(
                    blockSize, maxNewTokens, window, initialGuess, maxIterationsPerBlock, stopAtEos, sampling, stop);
        }

        @Override
        public Decoder decoder(IterationListener iterations) {
            Decoder plain = autoBlock()
                    ? JacobiDecoder.auto(maxNewTokens, window, initialGuess, maxIterationsPerBlock, iterations)
                    : new JacobiDecoder(
                            blockSize, maxNewTokens, window, initialGuess, maxIterationsPerBlock, iterations);
            return sampling.isGreedy() ? plain : new SamplingDecoder(plain, sampling);
        }

        @Override
        public String toString() {
            return "jacobi(" + (autoBlock() ? "auto" : "n=" + blockSize) + ", "
                    + window.name().toLowerCase(Locale.ROOT)
                    + ", " + initialGuess.kind().name().toLowerCase(Locale.ROOT) + " guesses"
                    + (sampling.isGreedy() ? "" : ", " + sampling) + ")";
        }
    }

    private static void requireTokenLimit(int maxNewTokens) {
        if (maxNewTokens < 0) throw new IllegalArgumentException("maxNewTokens must be >= 0, got " + maxNewTokens);
    }

    private static List<String> stopStrings(List<String> stop) {
        if (stop == null) throw new IllegalArgumentException("stop must not be null (an empty list: no stop string)");
        for (String s : stop) {
            if (s == null || s.isEmpty()) throw new IllegalArgumentException("stop strings must not be null or empty");
        }
        return List.copyOf(stop);
    }
}
