package dev.cllm;

import dev.cllm.decode.ArDecoder;
import dev.cllm.decode.Decoder;
import dev.cllm.decode.InitialGuess;
import dev.cllm.decode.IterationListener;
import dev.cllm.decode.JacobiDecoder;
import dev.cllm.decode.WindowMode;

/**
 * How to generate: greedy AR, or greedy Jacobi decoding with a block size. Immutable; the
 * {@code with}-style methods return copies. Defaults: 256 new tokens, stop at end-of-sequence, Jacobi
 * with the refill window, random initial guesses (seed 0) and an iteration cap per block equal to the
 * block size (enough for any block to converge).
 *
 * <pre>{@code Decoding.jacobi(16).maxNewTokens(128)}</pre>
 */
public record Decoding(boolean jacobi, int blockSize, int maxNewTokens, WindowMode window, InitialGuess initialGuess,
        int maxIterationsPerBlock, boolean stopAtEos) {

    public Decoding {
        if (blockSize < 1) throw new IllegalArgumentException("blockSize must be >= 1, got " + blockSize);
        if (maxNewTokens < 0) throw new IllegalArgumentException("maxNewTokens must be >= 0, got " + maxNewTokens);
        if (window == null) throw new IllegalArgumentException("window must not be null");
        if (initialGuess == null) throw new IllegalArgumentException("initialGuess must not be null");
        if (maxIterationsPerBlock < 1) {
            throw new IllegalArgumentException("maxIterationsPerBlock must be >= 1, got " + maxIterationsPerBlock);
        }
    }

    /** Greedy autoregressive decoding. */
    public static Decoding ar() {
        return new Decoding(false, 1, 256, WindowMode.REFILL, InitialGuess.random(0), 1, true);
    }

    /** Greedy Jacobi decoding with n tokens in flight. */
    public static Decoding jacobi(int blockSize) {
        return new Decoding(true, blockSize, 256, WindowMode.REFILL, InitialGuess.random(0), blockSize, true);
    }

    public Decoding maxNewTokens(int n) {
        return new Decoding(jacobi, blockSize, n, window, initialGuess, maxIterationsPerBlock, stopAtEos);
    }

    public Decoding window(WindowMode mode) {
        return new Decoding(jacobi, blockSize, maxNewTokens, mode, initialGuess, maxIterationsPerBlock, stopAtEos);
    }

    public Decoding initialGuess(InitialGuess guess) {
        return new Decoding(jacobi, blockSize, maxNewTokens, window, guess, maxIterationsPerBlock, stopAtEos);
    }

    public Decoding maxIterationsPerBlock(int cap) {
        return new Decoding(jacobi, blockSize, maxNewTokens, window, initialGuess, cap, stopAtEos);
    }

    public Decoding stopAtEos(boolean stop) {
        return new Decoding(jacobi, blockSize, maxNewTokens, window, initialGuess, maxIterationsPerBlock, stop);
    }

    /** The decoder these settings describe. */
    public Decoder decoder(IterationListener listener) {
        return jacobi ? new JacobiDecoder(blockSize, maxNewTokens, window, initialGuess, maxIterationsPerBlock, listener)
                : new ArDecoder(maxNewTokens);
    }

    @Override
    public String toString() {
        return jacobi ? "jacobi(n=" + blockSize + ", " + window.name().toLowerCase(java.util.Locale.ROOT) + ", "
                + initialGuess.kind().name().toLowerCase(java.util.Locale.ROOT) + " guesses)" : "ar";
    }
}
