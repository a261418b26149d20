package dev.cllm.bench;

import dev.cllm.decode.AutoBlockReport;
import dev.cllm.decode.BlockSizeUse;

/**
 * One line of a decoding benchmark: a mode (ar, jacobi, ...) at a block size over all prompts.
 * {@code block} is 0 for the block size chosen by measurement (auto); {@code blocks} the sizes that ran
 * (iterations and tokens per n) and {@code auto} why (null unless auto). {@code speedupVsAr} compares
 * tokens/s with the AR row of the same run; {@code sameAsAr} says whether every prompt's output equalled
 * the AR output token for token.
 */
public record BenchRow(
        String mode,
        int block,
        long tokens,
        long iterations,
        double tokensPerIteration,
        double iterationsPerToken,
        double tokensPerSecond,
        double speedupVsAr,
        boolean sameAsAr,
        BlockSizeUse blocks,
        AutoBlockReport auto) {
    /** "auto" or the block size. */
    public String blockLabel() {
        return block == 0 ? "auto" : Integer.toString(block);
    }

    /** The sizes that ran, most iterations first: "4:91% 8:9%" ("-" for AR). */
    public String blocksRun() {
        if (blocks == null || blocks.isEmpty()) return "-";
        long total =
                blocks.iterations().values().stream().mapToLong(Long::longValue).sum();
        StringBuilder sb = new StringBuilder();
        blocks.iterations().entrySet().stream()
                .sorted(java.util.Map.Entry.<Integer, Long>comparingByValue().reversed())
                .forEach(e -> sb.append(sb.length() == 0 ? "" : " ")
                        .append(e.getKey())
                        .append(':')
                        .append(Math.round(100.0 * e.getValue() / total))
                        .append('%'));
        return sb.toString();
    }
}
