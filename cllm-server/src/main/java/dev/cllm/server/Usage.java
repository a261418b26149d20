package dev.cllm.server;

/**
 * What a finished generation reports in the response's {@code usage}: OpenAI's token counts plus the
 * decoding statistics (forward passes, tokens accepted beyond the first of a pass, stationary tokens,
 * the block size).
 */
record Usage(
        int promptTokens,
        int completionTokens,
        long iterations,
        long generated,
        long fastForwarded,
        long stationary,
        int blockSize) {
    /** Generated tokens (counting an end-of-sequence token) per forward pass; 0 before the first. */
    double tokensPerIteration() {
        return iterations == 0 ? 0 : (double) generated / iterations;
    }
}
