package dev.cllm.bench;

/**
 * One line of a decoding benchmark: a mode (ar, jacobi, ...) at a block size over all prompts.
 * {@code speedupVsAr} compares tokens/s with the AR row of the same run; {@code sameAsAr} says whether
 * every prompt's output equalled the AR output token for token.
 */
public record BenchRow(String mode, int block, long tokens, long iterations, double tokensPerIteration,
        double iterationsPerToken, double tokensPerSecond, double speedupVsAr, boolean sameAsAr) {}
