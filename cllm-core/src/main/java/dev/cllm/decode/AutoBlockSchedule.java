package dev.cllm.decode;

/**
 * The automatic block size for one generation: asks the model's {@link BlockSizeTuner} before each native
 * call and tells it every iteration's accepted count. A call that tries a size (a model's first call, at
 * the prior size, or an exploration) runs at most {@link #TRYING_ITERATIONS_PER_CALL} iterations, so a
 * poor size costs little; the others run as long as with a fixed size (8 iterations when streaming, else
 * 64), so the choice is revised at least that often.
 */
final class AutoBlockSchedule implements BlockSchedule {
    /** Iterations per native refill call at most while trying a size. */
    static final int TRYING_ITERATIONS_PER_CALL = 8;

    private final ForwardCosts costs;
    private final BlockSizeTuner tuner;
    private int maxBlock = Integer.MAX_VALUE;
    private int explorations;
    private boolean trying;

    AutoBlockSchedule(ForwardCosts costs, BlockSizeTuner tuner) {
        this.costs = costs;
        this.tuner = tuner;
    }

    @Override
    public int next(int maxBlock) {
        this.maxBlock = maxBlock;
        BlockSizeChooser.Choice choice = tuner.next(costs, maxBlock);
        if (choice.exploring()) explorations++;
        trying = choice.exploring() || choice.prior();
        return choice.blockSize();
    }

    @Override
    public void observe(int n, int rows, int accepted) {
        tuner.observe(n, rows, accepted);
    }

    @Override
    public int iterationsPerCall(int usual) {
        return trying ? Math.min(usual, TRYING_ITERATIONS_PER_CALL) : usual;
    }

    @Override
    public AutoBlockReport report() {
        return tuner.report(costs, maxBlock, explorations);
    }
}
