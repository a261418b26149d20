package dev.cllm.decode;

/**
 * The block size of each native call of one Jacobi generation: a fixed n, or the automatic choice
 * ({@link AutoBlockSchedule}), which also learns from every iteration.
 */
interface BlockSchedule {
    /** The block size (window rows) of the next native call; maxBlock: the largest the session can use. */
    int next(int maxBlock);

    /** One iteration at block size n forwarded rows rows and accepted k of them (k includes no EOS cut). */
    default void observe(int n, int rows, int accepted) {}

    /**
     * Iterations of the next native refill call (asked after {@link #next}), given what the decoder uses
     * with a fixed block size.
     */
    default int iterationsPerCall(int usual) {
        return usual;
    }

    /** Why the block sizes were chosen, or null for a fixed block size. */
    default AutoBlockReport report() {
        return null;
    }

    static BlockSchedule fixed(int n) {
        if (n < 1) throw new IllegalArgumentException("block size must be >= 1, got " + n);
        return maxBlock -> n;
    }
}
