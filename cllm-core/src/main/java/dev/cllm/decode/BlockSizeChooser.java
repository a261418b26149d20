package dev.cllm.decode;

/**
 * The block size choice itself, pure arithmetic over a cost table and an acceptance estimate: the n that
 * commits the most tokens per unit of time, expected tokens per iteration / cost of an n-row iteration
 * relative to a 1-row one.
 *
 * <p>Exploration: an estimate for a block size that has not run lately is only a projection, and the
 * projection to larger windows is cautious (it cannot know that a deeper window refines its guesses
 * longer). So now and then the chooser tries a neighbour of the best size (the next larger or smaller
 * candidate) that has little data of its own but scores within {@link #EXPLORE_MARGIN} of the best;
 * what it measures there then replaces the projection.
 */
final class BlockSizeChooser {
    /** A neighbour is worth trying when its projected score is at least (1 - this) of the best's. */
    static final double EXPLORE_MARGIN = 0.15;
    /** A block size with less (decayed) iteration weight than this has no fresh data of its own. */
    static final double FRESH_WEIGHT = 8;
    /** Iterations between two explorations. */
    static final int EXPLORE_PERIOD = 64;

    /**
     * The block size to run next, its score, and whether it is an exploration, or the prior (the first
     * call, before anything was observed).
     */
    record Choice(int blockSize, boolean exploring, double score, boolean prior) {
        Choice(int blockSize, boolean exploring, double score) {
            this(blockSize, exploring, score, false);
        }
    }

    private BlockSizeChooser() {}

    /** Expected tokens per unit of cost at block size n (one of the cost table's). */
    static double score(ForwardCosts costs, TokensPerIteration tokens, int n) {
        return tokens.expected(n) / costs.ratio(n);
    }

    /**
     * The cost table's block size up to maxBlock (at least the smallest candidate) with the highest score;
     * ties go to the smaller n.
     */
    static int best(ForwardCosts costs, TokensPerIteration tokens, int maxBlock) {
        int best = -1;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (int n : costs.blockSizes()) {
            if (best > 0 && n > maxBlock) break;
            double s = score(costs, tokens, n);
            if (s > bestScore) {
                best = n;
                bestScore = s;
            }
        }
        return best;
    }

    /**
     * The best block size, or, when mayExplore, a neighbour of it that has no fresh data and scores within
     * the margin (the larger neighbour first).
     */
    static Choice choose(ForwardCosts costs, TokensPerIteration tokens, int maxBlock, boolean mayExplore) {
        int best = best(costs, tokens, maxBlock);
        double bestScore = score(costs, tokens, best);
        if (mayExplore) {
            Integer larger = costs.ratios().higherKey(best);
            Integer smaller = costs.ratios().lowerKey(best);
            for (Integer neighbour : new Integer[] {larger, smaller}) {
                if (neighbour == null || neighbour > maxBlock || tokens.weight(neighbour) >= FRESH_WEIGHT) continue;
                double s = score(costs, tokens, neighbour);
                if (s >= (1 - EXPLORE_MARGIN) * bestScore) return new Choice(neighbour, true, s);
            }
        }
        return new Choice(best, false, bestScore);
    }
}
