package dev.cllm.decode;

import java.util.TreeMap;

/**
 * The automatic block size of one model, window policy and guess rule: the acceptance estimate shared by
 * every generation (and every session) of that model, and the exploration clock. Thread-safe: sessions of
 * one model may generate at the same time.
 */
final class BlockSizeTuner {
    /** The block size of the first call, before anything was observed: a middle size as the prior. */
    static final int START_BLOCK = 8;

    private final AcceptanceEstimate estimate;
    private long sinceExploration;

    BlockSizeTuner() {
        this(new AcceptanceEstimate());
    }

    BlockSizeTuner(AcceptanceEstimate estimate) {
        this.estimate = estimate;
    }

    /** The block size of the next call (see {@link BlockSizeChooser}). */
    synchronized BlockSizeChooser.Choice next(ForwardCosts costs, int maxBlock) {
        if (estimate.observations() == 0) {
            Integer start = costs.ratios().floorKey(Math.max(1, Math.min(START_BLOCK, maxBlock)));
            int n = start != null ? start : costs.ratios().firstKey();
            return new BlockSizeChooser.Choice(n, false, BlockSizeChooser.score(costs, estimate, n), true);
        }
        BlockSizeChooser.Choice choice =
                BlockSizeChooser.choose(costs, estimate, maxBlock, sinceExploration >= BlockSizeChooser.EXPLORE_PERIOD);
        if (choice.exploring()) sinceExploration = 0;
        return choice;
    }

    synchronized void observe(int n, int rows, int accepted) {
        estimate.observe(n, rows, accepted);
        sinceExploration++;
    }

    /** The estimate now, for every candidate, and the best block size up to maxBlock. */
    synchronized AutoBlockReport report(ForwardCosts costs, int maxBlock, int explorations) {
        TreeMap<Integer, Double> expected = new TreeMap<>();
        for (int n : costs.blockSizes()) expected.put(n, estimate.expected(n));
        return new AutoBlockReport(costs, expected, BlockSizeChooser.best(costs, estimate, maxBlock), explorations);
    }
}
