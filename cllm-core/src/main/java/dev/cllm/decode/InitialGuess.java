package dev.cllm.decode;

import dev.cllm.nativelib.CllmNative;

/**
 * How Jacobi decoding guesses tokens it has not predicted yet.
 *
 * <ul>
 *   <li>{@link Kind#RANDOM}: a token of the prompt and the output so far (the reference implementation
 *       draws initial guesses from the prompt), picked by a hash of the seed and the guessed token's
 *       absolute position, so runs are reproducible;</li>
 *   <li>{@link Kind#LAST}: repeat the last known token;</li>
 *   <li>{@link Kind#PAD}: a fixed token id ({@code padToken}).</li>
 * </ul>
 *
 * <p>The rule keeps no state: the guess for a position depends only on the settings, the position and
 * the known sequence. The native engine uses the same formula ({@code cllm.h}, "Guess rule";
 * {@code kernels/jacobi_guess.hpp}), so a window built here and one rebuilt by {@code cllm_jacobi_run}
 * on the device are the same.
 */
public record InitialGuess(Kind kind, long seed, int padToken) {
    public enum Kind {
        RANDOM(CllmNative.CLLM_GUESS_RANDOM),
        LAST(CllmNative.CLLM_GUESS_LAST),
        PAD(CllmNative.CLLM_GUESS_PAD);

        private final int nativeValue;

        Kind(int nativeValue) {
            this.nativeValue = nativeValue;
        }

        /** The matching {@code CLLM_GUESS_*} value. */
        public int nativeValue() {
            return nativeValue;
        }
    }

    public InitialGuess {
        if (kind == null) throw new IllegalArgumentException("initial guess kind must not be null");
        if (kind == Kind.PAD && padToken < 0)
            throw new IllegalArgumentException("pad token must be >= 0, got " + padToken);
    }

    public static InitialGuess random(long seed) {
        return new InitialGuess(Kind.RANDOM, seed, 0);
    }

    public static InitialGuess last() {
        return new InitialGuess(Kind.LAST, 0, 0);
    }

    public static InitialGuess pad(int padToken) {
        return new InitialGuess(Kind.PAD, 0, padToken);
    }

    /** Parses random, last or pad (pad uses padToken). */
    public static InitialGuess parse(String text, long seed, int padToken) {
        return switch (text.toLowerCase(java.util.Locale.ROOT)) {
            case "random" -> random(seed);
            case "last" -> last();
            case "pad" -> pad(padToken);
            default ->
                throw new IllegalArgumentException("initial guess must be random, last or pad, got '" + text + "'");
        };
    }

    /**
     * The guess for the token at absolute position {@code position}; history[0..historyLength) is the
     * known sequence (prompt and output so far, at least one token).
     */
    public int guess(long position, int[] history, int historyLength) {
        return switch (kind) {
            case PAD -> padToken;
            case LAST -> history[historyLength - 1];
            case RANDOM -> history[(int) Long.remainderUnsigned(hash(seed, position), historyLength)];
        };
    }

    /** Fills dest[from..to) with the guesses for positions firstPosition + from .. firstPosition + to - 1. */
    void fill(int[] dest, int from, int to, long firstPosition, int[] history, int historyLength) {
        for (int i = from; i < to; i++) dest[i] = guess(firstPosition + i, history, historyLength);
    }

    /**
     * splitmix64's finaliser over seed + golden-ratio increment * (position + 1), in unsigned 64-bit
     * arithmetic (Java's long wraps the same way).
     */
    static long hash(long seed, long position) {
        long z = seed + 0x9E3779B97F4A7C15L * (position + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
