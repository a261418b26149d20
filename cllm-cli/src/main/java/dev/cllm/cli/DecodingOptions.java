package dev.cllm.cli;

import dev.cllm.Decoding;
import picocli.CommandLine.Option;

/**
 * The decoding options every decoding command shares: token limit, Jacobi block size (a number, or auto:
 * chosen by measurement), seed, and whether to stop at end-of-sequence. Each command passes its own defaults to the constructor; every check names the
 * option as the user typed it. The Jacobi window and initial guess are in {@link WindowOptions}.
 */
final class DecodingOptions {
    @Option(
            names = {"-n", "--max-new-tokens", "--max-tokens"},
            paramLabel = "N",
            description = "Most tokens to generate per prompt (default: ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Option(
            names = "--block",
            paramLabel = "N",
            description = "Jacobi block size n, the tokens in flight per iteration: "
                    + "auto (the n with the most tokens per second, from measured forward costs and what iterations accept) or a "
                    + "number; cllm bench takes a comma-separated list such as auto,4,8 (default: ${DEFAULT-VALUE}).")
    String block;

    /** What --block takes for the block size chosen by measurement. */
    static final String AUTO = "auto";

    @Option(
            names = "--seed",
            paramLabel = "SEED",
            description =
                    "Seed of what the command draws at random: the sampling "
                            + "draws (generate), the random model and prompts (bench), the questions (demo), the initial guesses and "
                            + "augmentation (trajectories); the Jacobi decoder's guesses have --guess-seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--no-eos", description = "Do not stop at the end-of-sequence token.")
    boolean noEos;

    DecodingOptions(String block, int maxNewTokens, long seed) {
        this.block = block;
        this.maxNewTokens = maxNewTokens;
        this.seed = seed;
    }

    int maxNewTokens() {
        if (maxNewTokens < 0) throw new IllegalArgumentException("--max-new-tokens must be >= 0, got " + maxNewTokens);
        return maxNewTokens;
    }

    /** The one block size of a command that decodes with one; {@link Decoding#AUTO_BLOCK} for auto. */
    int blockSizeOrAuto() {
        int[] sizes = blockSizes();
        if (sizes.length != 1)
            throw new IllegalArgumentException("--block takes one block size here, got '" + block + "'");
        return sizes[0];
    }

    /** The one fixed block size of a command that needs a number (auto refused). */
    int blockSize() {
        int size = blockSizeOrAuto();
        if (size == Decoding.AUTO_BLOCK) {
            throw new IllegalArgumentException("--block auto is not available here: give a block size such as 16");
        }
        return size;
    }

    /** The block sizes of a command that compares several (a comma-separated list; auto is {@link Decoding#AUTO_BLOCK}). */
    int[] blockSizes() {
        String[] parts = block.split(",", -1);
        int[] sizes = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i].strip();
            if (part.equalsIgnoreCase(AUTO)) {
                sizes[i] = Decoding.AUTO_BLOCK;
                continue;
            }
            try {
                sizes[i] = Integer.parseInt(part);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                        "--block takes auto or block sizes such as 16 or auto,8,16, got '" + block + "'");
            }
            if (sizes[i] < 1) throw new IllegalArgumentException("--block must be auto or >= 1, got " + sizes[i]);
        }
        return sizes;
    }

    long seed() {
        return seed;
    }

    boolean stopAtEos() {
        return !noEos;
    }

    /** Greedy AR with these options. */
    Decoding ar() {
        return Decoding.ar().withMaxNewTokens(maxNewTokens()).withStopAtEos(stopAtEos());
    }

    /** Jacobi decoding with the one block size (or auto), and the window and initial guess of window. */
    Decoding.Jacobi jacobi(WindowOptions window) {
        int size = blockSizeOrAuto();
        Decoding.Jacobi jacobi = size == Decoding.AUTO_BLOCK ? Decoding.jacobi() : Decoding.jacobi(size);
        return jacobi.withMaxNewTokens(maxNewTokens())
                .withWindow(window.mode())
                .withInitialGuess(window.initialGuess())
                .withStopAtEos(stopAtEos());
    }
}
