package dev.cllm.decode;

import java.util.SplittableRandom;

/**
 * How Jacobi decoding guesses tokens it has not predicted yet.
 *
 * <ul>
 *   <li>{@link Kind#RANDOM}: tokens drawn uniformly from the prompt and the output so far (the reference
 *       implementation's default), from a seeded generator, so runs are reproducible.</li>
 *   <li>{@link Kind#LAST}: repeat the last known token.</li>
 *   <li>{@link Kind#PAD}: a fixed token id ({@code padToken}).</li>
 * </ul>
 */
public record InitialGuess(Kind kind, long seed, int padToken) {
    public enum Kind { RANDOM, LAST, PAD }

    public InitialGuess {
        if (kind == null) throw new IllegalArgumentException("initial guess kind must not be null");
        if (kind == Kind.PAD && padToken < 0) throw new IllegalArgumentException("pad token must be >= 0, got " + padToken);
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
            default -> throw new IllegalArgumentException("initial guess must be random, last or pad, got '" + text + "'");
        };
    }

    /** A guesser for one generation; history is the prompt followed by the output so far. */
    Guesser start() {
        return new Guesser(this);
    }

    /** Stateful guesser (its random stream advances across calls). */
    static final class Guesser {
        private final InitialGuess settings;
        private final SplittableRandom random;

        Guesser(InitialGuess settings) {
            this.settings = settings;
            this.random = new SplittableRandom(settings.seed);
        }

        /** Fills dest[from..to) with guesses; history[0..historyLength) is the known sequence. */
        void fill(int[] dest, int from, int to, int[] history, int historyLength) {
            for (int i = from; i < to; i++) {
                dest[i] = switch (settings.kind) {
                    case RANDOM -> history[random.nextInt(historyLength)];
                    case LAST -> history[historyLength - 1];
                    case PAD -> settings.padToken;
                };
            }
        }
    }
}
