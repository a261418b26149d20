package dev.cllm;

import dev.cllm.decode.ArDecoder;
import dev.cllm.decode.Decoder;
import dev.cllm.decode.InitialGuess;
import dev.cllm.decode.IterationListener;
import dev.cllm.decode.JacobiDecoder;
import dev.cllm.decode.WindowMode;

import java.util.Locale;

/**
 * How to generate: greedy autoregressive decoding ({@link Ar}) or greedy Jacobi decoding ({@link Jacobi}).
 * Each kind is an immutable record holding only its own settings, validated once when it is built; the
 * {@code with}-style methods return validated copies. Defaults: 256 new tokens, stop at
 * end-of-sequence; Jacobi with the block size chosen by measurement ({@link #jacobi()}), the refill
 * window, random initial guesses (seed 0) and an iteration cap per block equal to the block size (enough
 * for any block to converge).
 *
 * <pre>{@code
 * Decoding.jacobi().withMaxNewTokens(128)     // block size chosen by measurement
 * Decoding.jacobi(16)                         // a fixed block size
 * Decoding.ar().withStopAtEos(false)
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
            throw new IllegalArgumentException("blockSize must be >= 1, got " + blockSize
                    + " (Decoding.jacobi() chooses it by measurement)");
        }
        return new Jacobi(blockSize, DEFAULT_MAX_NEW_TOKENS, WindowMode.REFILL, InitialGuess.random(0), blockSize, true);
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

    /** Greedy autoregressive decoding. */
    record Ar(int maxNewTokens, boolean stopAtEos) implements Decoding {
        public Ar {
            requireTokenLimit(maxNewTokens);
        }

        @Override
        public Ar withMaxNewTokens(int maxNewTokens) {
            return new Ar(maxNewTokens, stopAtEos);
        }

        @Override
        public Ar withStopAtEos(boolean stopAtEos) {
            return new Ar(maxNewTokens, stopAtEos);
        }

        @Override
        public Decoder decoder(IterationListener iterations) {
            return new ArDecoder(maxNewTokens);
        }

        @Override
        public String toString() {
            return "ar";
        }
    }

    /**
     * Greedy Jacobi decoding: blockSize tokens in flight ({@link Decoding#AUTO_BLOCK}: chosen by measurement), the
     * window policy, how unknown tokens are guessed, and the cap on iterations per block (SHRINK window; at
     * least 1, or 0 for the block size).
     */
    record Jacobi(int blockSize, int maxNewTokens, WindowMode window, InitialGuess initialGuess,
            int maxIterationsPerBlock, boolean stopAtEos) implements Decoding {
        public Jacobi {
            if (blockSize < 0) {
                throw new IllegalArgumentException("blockSize must be >= 1, or 0 to choose it by measurement, got " + blockSize);
            }
            requireTokenLimit(maxNewTokens);
            if (window == null) throw new IllegalArgumentException("window must not be null");
            if (initialGuess == null) throw new IllegalArgumentException("initialGuess must not be null");
            if (maxIterationsPerBlock < 0) {
                throw new IllegalArgumentException("maxIterationsPerBlock must be >= 1 (0: the block size), got "
                        + maxIterationsPerBlock);
            }
        }

        /** Whether the block size is chosen by measurement ({@link Decoding#jacobi()}). */
        public boolean autoBlock() {
            return blockSize == AUTO_BLOCK;
        }

        @Override
        public Jacobi withMaxNewTokens(int maxNewTokens) {
            return new Jacobi(blockSize, maxNewTokens, window, initialGuess, maxIterationsPerBlock, stopAtEos);
        }

        @Override
        public Jacobi withStopAtEos(boolean stopAtEos) {
            return new Jacobi(blockSize, maxNewTokens, window, initialGuess, maxIterationsPerBlock, stopAtEos);
        }

        public Jacobi withWindow(WindowMode window) {
            return new Jacobi(blockSize, maxNewTokens, window, initialGuess, maxIterationsPerBlock, stopAtEos);
        }

        public Jacobi withInitialGuess(InitialGuess initialGuess) {
            return new Jacobi(blockSize, maxNewTokens, window, initialGuess, maxIterationsPerBlock, stopAtEos);
        }

        public Jacobi withMaxIterationsPerBlock(int maxIterationsPerBlock) {
            return new Jacobi(blockSize, maxNewTokens, window, initialGuess, maxIterationsPerBlock, stopAtEos);
        }

        @Override
        public Decoder decoder(IterationListener iterations) {
            return autoBlock() ? JacobiDecoder.auto(maxNewTokens, window, initialGuess, maxIterationsPerBlock, iterations)
                    : new JacobiDecoder(blockSize, maxNewTokens, window, initialGuess, maxIterationsPerBlock, iterations);
        }

        @Override
        public String toString() {
            return "jacobi(" + (autoBlock() ? "auto" : "n=" + blockSize) + ", " + window.name().toLowerCase(Locale.ROOT)
                    + ", " + initialGuess.kind().name().toLowerCase(Locale.ROOT) + " guesses)";
        }
    }

    private static void requireTokenLimit(int maxNewTokens) {
        if (maxNewTokens < 0) throw new IllegalArgumentException("maxNewTokens must be >= 0, got " + maxNewTokens);
    }
}
