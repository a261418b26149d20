package dev.cllm.decode;

/**
 * The automatic block size for one generation: asks the model's {@link BlockSizeTuner} before each native
 * call and tells it every iteration's accepted count. Calls are kept short (at most
 * {@link #ITERATIONS_PER_CALL} iterations) so that the size can change often.
 */
final class AutoBlockSchedule implements BlockSchedule {
    /** Iterations per native refill call at most: the block size may change between calls. */
    static final int ITERATIONS_PER_CALL = 8;

    private final ForwardCosts costs;
    private final BlockSizeTuner tuner;
    private int maxBlock = Integer.MAX_VALUE;
    private int explorations;

    AutoBlockSchedule(ForwardCosts costs, BlockSizeTuner tuner) {
        this.costs = costs;
        this.tuner = tuner;
    }

    @Override
    public int next(int maxBlock) {
        this.maxBlock = maxBlock;
        BlockSizeChooser.Choice choice = tuner.next(costs, maxBlock);
        if (choice.exploring()) explorations++;
        return choice.blockSize();
    }

    @Override
    public void observe(int n, int rows, int accepted) {
        tuner.observe(n, rows, accepted);
    }

    @Override
    public int iterationsPerCall(int usual) {
        return Math.min(usual, ITERATIONS_PER_CALL);
    }

    @Override
    public AutoBlockReport report() {
        return tuner.report(costs, maxBlock, explorations);
    }
}
