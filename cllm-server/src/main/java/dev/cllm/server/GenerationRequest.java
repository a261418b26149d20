package dev.cllm.server;

import dev.cllm.Sampling;
import java.util.List;

/**
 * One generation as the scheduler runs it, whatever endpoint it came from: the prompt's token ids, the
 * token limit, the sampling settings, the stop strings, the Jacobi block size (1: AR), and whether the
 * end-of-sequence token is ignored (benchmarks that want a fixed number of tokens).
 */
record GenerationRequest(
        int[] promptIds, int maxTokens, Sampling sampling, List<String> stop, int blockSize, boolean ignoreEos) {
    GenerationRequest {
        if (promptIds.length == 0) throw new IllegalArgumentException("the prompt must hold at least one token");
        if (maxTokens < 1) throw new IllegalArgumentException("maxTokens must be >= 1, got " + maxTokens);
        if (blockSize < 1) throw new IllegalArgumentException("blockSize must be >= 1, got " + blockSize);
        promptIds = promptIds.clone();
        stop = List.copyOf(stop);
    }
}
