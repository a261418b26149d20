package dev.cllm.decode;

/**
 * Statistics of one generation, or of several added together with {@link #plus}.
 *
 * <ul>
 *   <li>{@code tokens}: tokens generated, counting the end-of-sequence token that stopped a generation
 *       (it is not emitted to the listener).</li>
 *   <li>{@code iterations}: forward passes that generated tokens (one per AR step, one per Jacobi
 *       iteration). The prompt's prefill pass is not counted; it is timed in {@code prefillNanos}.</li>
 *   <li>{@code fastForwarded}: tokens accepted beyond the first one of their iteration, i.e. tokens that
 *       a one-token-per-pass decoder would have needed extra passes for. Always
 *       {@code tokens == iterations + fastForwarded}.</li>
 *   <li>{@code stationary}: fast-forwarded tokens that already held their final value in the previous
 *       iteration, while a token before them was still wrong (right before the converged prefix reached
 *       them). {@code stationary <= fastForwarded}.</li>
 *   <li>{@code prefillNanos}, {@code decodeNanos}: wall time of the prompt pass and of generation (the
 *       automatic block size's one-time cost measurement is in neither; see {@link ForwardCosts}).</li>
 *   <li>{@code blocks}: the Jacobi block sizes that ran, with their iterations and tokens (empty for
 *       AR).</li>
 *   <li>{@code auto}: for the automatic block size, why it chose what it chose (the cost table and the
 *       acceptance estimate at the end of the generation; of the last generation when added up); null
 *       otherwise.</li>
 * </ul>
 */
public record DecodeStats(
        long tokens,
        long iterations,
        long fastForwarded,
        long stationary,
        long prefillNanos,
        long decodeNanos,
        BlockSizeUse blocks,
        AutoBlockReport auto) {
    public static final DecodeStats ZERO = new DecodeStats(0, 0, 0, 0, 0, 0);

    public DecodeStats {
        if (blocks == null) blocks = BlockSizeUse.NONE;
    }

    /** Statistics without block sizes (AR, or counts assembled by hand). */
    public DecodeStats(
            long tokens, long iterations, long fastForwarded, long stationary, long prefillNanos, long decodeNanos) {
        this(tokens, iterations, fastForwarded, stationary, prefillNanos, decodeNanos, BlockSizeUse.NONE, null);
    }

    public DecodeStats plus(DecodeStats o) {
        return new DecodeStats(
                tokens + o.tokens,
                iterations + o.iterations,
                fastForwarded + o.fastForwarded,
                stationary + o.stationary,
                prefillNanos + o.prefillNanos,
                decodeNanos + o.decodeNanos,
                blocks.plus(o.blocks),
                o.auto != null ? o.auto : auto);
    }

    /** Tokens per forward pass (1.0 for AR); 0 when nothing was generated. */
    public double tokensPerIteration() {
        return iterations == 0 ? 0 : (double) tokens / iterations;
    }

    /** Forward passes per token (the inverse of {@link #tokensPerIteration}). */
    public double iterationsPerToken() {
        return tokens == 0 ? 0 : (double) iterations / tokens;
    }

    /** Generated tokens per second of generation time (prefill excluded). */
    public double tokensPerSecond() {
        return decodeNanos == 0 ? 0 : tokens * 1e9 / decodeNanos;
    }

    @Override
    public String toString() {
        String base = String.format(
                java.util.Locale.ROOT,
                "%d tokens, %d iterations (%.2f tokens/iteration), %d fast-forwarded, %d stationary, %.1f tokens/s",
                tokens,
                iterations,
                tokensPerIteration(),
                fastForwarded,
                stationary,
                tokensPerSecond());
        return blocks.isEmpty() ? base : base + ", " + blocks.summary();
    }
}
