package dev.cllm.decode;

/**
 * What the block size chooser needs to know about acceptance: the expected tokens one iteration commits
 * at each block size, and how much of that comes from iterations actually run at that size.
 */
interface TokensPerIteration {
    /** Expected tokens committed per iteration with a window of n rows (>= 1). */
    double expected(int n);

    /** How many (decayed) iterations ran at block size n: 0 when the expectation is only a projection. */
    double weight(int n);
}
