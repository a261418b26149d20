package dev.cllm.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The acceptance estimate's arithmetic on synthetic accepted counts. */
class AcceptanceEstimateTest {
    /** k for a window of n rows when each guess is accepted with probability c after the one before it was. */
    private static int geometric(SplittableRandom random, double c, int n) {
        int k = 1;
        while (k < n && random.nextDouble() < c) k++;
        return k;
    }

    @Test
    void smallerWindowsGetTheExpectedMinimumOfTheObservedCounts() {
        AcceptanceEstimate estimate = new AcceptanceEstimate(Double.POSITIVE_INFINITY);
        SplittableRandom random = new SplittableRandom(7);
        int[] ks = new int[20000];
        for (int i = 0; i < ks.length; i++) {
            ks[i] = geometric(random, 0.6, 16);
            estimate.observe(16, 16, ks[i]);
        }
        for (int n : new int[] {1, 2, 3, 4, 8, 16}) {
            double exact = 0;
            for (int k : ks) exact += Math.min(k, n);
            exact /= ks.length;
            assertEquals(exact, estimate.projected(n), 2e-3, "E[min(k, " + n + ")]");
        }
        assertEquals(estimate.mean(16), estimate.expected(16), 1e-3, "many iterations at 16: the mean there");
    }

    @Test
    void largerWindowsContinueTheTailGeometrically() {
        AcceptanceEstimate estimate = new AcceptanceEstimate(Double.POSITIVE_INFINITY);
        SplittableRandom random = new SplittableRandom(11);
        for (int i = 0; i < 20000; i++) estimate.observe(8, 8, geometric(random, 0.7, 8));
        assertEquals(0.7, estimate.tailContinuation(), 0.02);
        for (int n : new int[] {16, 32, 64}) {
            double geometricSum = (1 - Math.pow(0.7, n)) / (1 - 0.7);
            assertEquals(geometricSum, estimate.projected(n), 0.05 * geometricSum, "projection to " + n);
            assertEquals(0.0, estimate.weight(n), "no iteration ran at " + n);
            assertEquals(estimate.projected(n), estimate.expected(n), 1e-12, "nothing to blend at " + n);
        }
    }

    @Test
    void theMeanAtABlockSizeOutweighsThePooledProjection() {
        // Deep windows accept more at the same distance than shallow ones (their guesses are older):
        // k = 4 of 16 rows at n = 16, but only k = 2 at n = 4. The pooled distances alone would say about 3
        // at n = 4; iterations run at 4 pull the estimate to what 4 really does.
        AcceptanceEstimate estimate = new AcceptanceEstimate(Double.POSITIVE_INFINITY);
        for (int i = 0; i < 200; i++) estimate.observe(16, 16, 4);
        double projectedOnly = estimate.expected(4);
        assertEquals(4.0, projectedOnly, 0.05);
        for (int i = 0; i < 200; i++) estimate.observe(4, 4, 2);
        assertTrue(estimate.expected(4) < 2.2, "the mean at 4 dominates: " + estimate.expected(4));
        assertEquals(4.0, estimate.expected(16), 0.1, "16 keeps its own mean");
    }

    @Test
    void oldObservationsFade() {
        AcceptanceEstimate estimate = new AcceptanceEstimate(100);
        for (int i = 0; i < 50; i++) estimate.observe(16, 16, 9);
        double before = estimate.weight(16);
        for (int i = 0; i < 100; i++) estimate.observe(4, 4, 1);
        assertEquals(before / 2, estimate.weight(16), 1e-9, "one half-life later");
        assertEquals(9.0, estimate.mean(16), 1e-9, "the mean is a ratio of equally aged sums");
        // Distance 2: 25 (aged) successes from the old iterations against about 72 (aged) recent failures.
        double c2 = estimate.continuation(2);
        assertTrue(c2 > 0.2 && c2 < 0.35, "recent iterations dominate the distances: " + c2);
    }

    @Test
    void rowsBelowTheBlockSizeCensorTheDistances() {
        // A window cut to 3 rows at the end of the cache that accepted all 3 says nothing about distance 4.
        AcceptanceEstimate estimate = new AcceptanceEstimate(Double.POSITIVE_INFINITY);
        for (int i = 0; i < 1000; i++) estimate.observe(16, 3, 3);
        assertTrue(estimate.continuation(3) > 0.99);
        assertEquals(estimate.tailContinuation(), estimate.continuation(4), 1e-12, "distance 4 never forwarded");
    }

    @Test
    void refusesImpossibleObservations() {
        AcceptanceEstimate estimate = new AcceptanceEstimate();
        assertThrows(IllegalArgumentException.class, () -> estimate.observe(4, 4, 0));
        assertThrows(IllegalArgumentException.class, () -> estimate.observe(4, 3, 4));
        assertThrows(IllegalArgumentException.class, () -> estimate.observe(4, 5, 2));
        assertThrows(IllegalArgumentException.class, () -> estimate.projected(0));
    }
}
