package dev.cllm.cli;

import dev.cllm.Decoding;

import picocli.CommandLine.Option;

/**
 * The decoding options every decoding command shares: token limit, Jacobi block size, seed, and whether to
 * stop at end-of-sequence. Each command passes its own defaults to the constructor; every check names the
 * option as the user typed it. The Jacobi window and initial guess are in {@link WindowOptions}.
 */
final class DecodingOptions {
    @Option(names = {"-n", "--max-new-tokens", "--max-tokens"}, paramLabel = "N",
            description = "Most tokens to generate per prompt (default: ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Option(names = "--block", paramLabel = "N", description = "Jacobi block size n, the tokens in flight per iteration; "
            + "cllm bench takes a comma-separated list (default: ${DEFAULT-VALUE}).")
    String block;

    @Option(names = "--seed", paramLabel = "SEED", description = "Seed of what the command draws at random: the sampling "
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

    /** The one block size of a command that decodes with one. */
    int blockSize() {
        int[] sizes = blockSizes();
        if (sizes.length != 1) throw new IllegalArgumentException("--block takes one block size here, got '" + block + "'");
        return sizes[0];
    }

    /** The block sizes of a command that compares several (a comma-separated list). */
    int[] blockSizes() {
        String[] parts = block.split(",", -1);
        int[] sizes = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                sizes[i] = Integer.parseInt(parts[i].strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--block takes block sizes such as 16 or 8,16,32, got '" + block + "'");
            }
            if (sizes[i] < 1) throw new IllegalArgumentException("--block must be >= 1, got " + sizes[i]);
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

    /** Jacobi decoding with the one block size, and the window and initial guess of window. */
    Decoding jacobi(WindowOptions window) {
        return Decoding.jacobi(blockSize()).withMaxNewTokens(maxNewTokens()).withWindow(window.mode())
                .withInitialGuess(window.initialGuess()).withStopAtEos(stopAtEos());
    }
}
