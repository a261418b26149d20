package dev.cllm.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The block size choice as pure arithmetic: synthetic cost tables and acceptance, no model, no clock. */
class BlockSizeChooserTest {
    private static final int[] SIZES = {1, 2, 4, 8, 16, 32, 64};

    /** Expected tokens per iteration given per n, with a weight per n (0: a projection only). */
    private record Table(Map<Integer, Double> tokens, Map<Integer, Double> weights) implements TokensPerIteration {
        Table(double... perSize) {
            this(toMap(perSize), new TreeMap<>());
        }

        @Override
        public double expected(int n) {
            return tokens.get(n);
        }

        @Override
        public double weight(int n) {
            return weights.getOrDefault(n, 100.0);
        }

        Table withWeight(int n, double w) {
            Map<Integer, Double> copy = new TreeMap<>(weights);
            copy.put(n, w);
            return new Table(tokens, copy);
        }
    }

    private static Map<Integer, Double> toMap(double... perSize) {
        Map<Integer, Double> m = new TreeMap<>();
        for (int i = 0; i < perSize.length; i++) m.put(SIZES[i], perSize[i]);
        return m;
    }

    private static ForwardCosts costs(double... ratios) {
        return ForwardCosts.of(toMap(ratios));
    }

    @Test
    void picksTheArgmaxOfTokensPerCostOnRandomTables() {
        SplittableRandom random = new SplittableRandom(2026);
        for (int trial = 0; trial < 2000; trial++) {
            double[] ratios = new double[SIZES.length];
            double[] tokens = new double[SIZES.length];
            ratios[0] = 1;
            tokens[0] = 1;
            for (int i = 1; i < SIZES.length; i++) {
                ratios[i] = ratios[i - 1] * (1 + random.nextDouble() * 1.2);
                tokens[i] = Math.min(SIZES[i], tokens[i - 1] + random.nextDouble() * (SIZES[i] - SIZES[i - 1]) * 0.3);
            }
            int maxBlock = SIZES[random.nextInt(SIZES.length)] + random.nextInt(3);
            int bestIndex = 0;
            for (int i = 1; i < SIZES.length && SIZES[i] <= maxBlock; i++) {
                if (tokens[i] / ratios[i] > tokens[bestIndex] / ratios[bestIndex]) bestIndex = i;
            }
            int expected = SIZES[bestIndex];
            int chosen = BlockSizeChooser.best(costs(ratios), new Table(tokens), maxBlock);
            assertEquals(expected, chosen, "trial " + trial);
            BlockSizeChooser.Choice choice = BlockSizeChooser.choose(costs(ratios), new Table(tokens), maxBlock, true);
            assertEquals(expected, choice.blockSize(), "fresh data everywhere: no exploration, trial " + trial);
            assertFalse(choice.exploring());
        }
    }

    @Test
    void theCasesTheIssueNames() {
        // The embedded CLLM on a 2-core CPU at f32: a 16-row forward costs 2.1x a 1-row one (README, "Wall
        // clock"); 4 and 8 are close (1.45 and 1.45 tokens per unit of cost), 8 a little ahead.
        double[] cllmTokens = {1.0, 1.4, 1.75, 2.08, 2.2, 2.3, 2.35};
        assertEquals(8, BlockSizeChooser.best(costs(1, 1.05, 1.21, 1.43, 2.13, 4.1, 8.2), new Table(cllmTokens), 512));
        // bf16 on the same CPU makes larger blocks steeper (n = 16 costs 3x): 4 wins.
        assertEquals(4, BlockSizeChooser.best(costs(1, 1.1, 1.3, 1.7, 3.0, 5.8, 11), new Table(cllmTokens), 512));
        // A 7B model on a GPU: flat up to 64 rows, so the most tokens per iteration wins.
        assertEquals(64, BlockSizeChooser.best(costs(1, 1, 1.01, 1.02, 1.03, 1.04, 1.05), new Table(cllmTokens), 512));
        // ... unless the session cannot hold more than 20 positions.
        assertEquals(16, BlockSizeChooser.best(costs(1, 1, 1.01, 1.02, 1.03, 1.04, 1.05), new Table(cllmTokens), 20));
        // Vanilla Jacobi on a model without consistency training: AR (n = 1) wins on the CPU.
        assertEquals(
                1,
                BlockSizeChooser.best(
                        costs(1, 1.05, 1.21, 1.43, 2.13, 4.1, 8.2),
                        new Table(1.0, 1.02, 1.04, 1.05, 1.05, 1.05, 1.05),
                        512));
    }

    @Test
    void tiesGoToTheSmallerBlock() {
        assertEquals(1, BlockSizeChooser.best(costs(1, 1, 2, 4, 8, 16, 32), new Table(1, 1, 2, 4, 8, 16, 32), 512));
        assertEquals(1, BlockSizeChooser.best(costs(1, 2, 4, 8, 16, 32, 64), new Table(1, 2, 4, 8, 16, 32, 64), 512));
        assertEquals(4, BlockSizeChooser.best(costs(1, 2, 2, 4, 4, 8, 8), new Table(1, 1.5, 3, 4, 6, 8, 12), 512));
    }

    @Test
    void exploresAStaleNeighbourOnlyWhenItScoresClose() {
        ForwardCosts cpu = costs(1, 1.1, 1.3, 1.7, 3.0, 5.8, 11);
        Table tokens = new Table(1.0, 1.4, 1.75, 2.08, 2.2, 2.3, 2.35); // scores 1, 1.27, 1.35 (best), 1.22, 0.73, ...
        BlockSizeChooser.Choice fresh = BlockSizeChooser.choose(cpu, tokens, 512, true);
        assertEquals(4, fresh.blockSize());
        assertFalse(fresh.exploring());
        BlockSizeChooser.Choice explore = BlockSizeChooser.choose(cpu, tokens.withWeight(8, 1), 512, true);
        assertEquals(8, explore.blockSize(), "stale larger neighbour within the margin");
        assertTrue(explore.exploring());
        BlockSizeChooser.Choice smaller = BlockSizeChooser.choose(cpu, tokens.withWeight(2, 0), 512, true);
        assertEquals(2, smaller.blockSize(), "stale smaller neighbour (1.27, within 15% of 1.35)");
        assertEquals(
                4,
                BlockSizeChooser.choose(cpu, tokens.withWeight(8, 1), 512, false)
                        .blockSize(),
                "not its turn");
        // A stale neighbour far below the best is not worth a call.
        Table far = new Table(1.0, 1.4, 1.75, 1.5, 2.2, 2.3, 2.35).withWeight(8, 0);
        assertEquals(4, BlockSizeChooser.choose(cpu, far, 512, true).blockSize());
        // Nor one beyond what the session holds.
        assertEquals(
                4,
                BlockSizeChooser.choose(cpu, tokens.withWeight(8, 0), 7, true).blockSize());
    }

    @Test
    void worksOnAnAcceptanceEstimateFedSyntheticIterations() {
        // Every iteration at n = 8 accepts 3 rows: the estimate says about 3 at n >= 4, so with these costs 4 wins.
        AcceptanceEstimate estimate = new AcceptanceEstimate(Double.POSITIVE_INFINITY);
        for (int i = 0; i < 500; i++) estimate.observe(8, 8, 3);
        assertEquals(4, BlockSizeChooser.best(costs(1, 1.05, 1.21, 1.43, 2.13, 4.1, 8.2), estimate, 512));
        // Accepting everything at 8 under flat costs projects further gains upward.
        AcceptanceEstimate perfect = new AcceptanceEstimate(Double.POSITIVE_INFINITY);
        for (int i = 0; i < 500; i++) perfect.observe(8, 8, 8);
        assertEquals(64, BlockSizeChooser.best(costs(1, 1, 1, 1, 1.01, 1.02, 1.05), perfect, 512));
    }
}
