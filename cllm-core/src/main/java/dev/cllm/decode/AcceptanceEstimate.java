package dev.cllm.decode;

import java.util.Map;
import java.util.TreeMap;

/**
 * An online estimate of how many tokens a Jacobi iteration commits at each block size, from the accepted
 * counts the decoder already gets back from the engine.
 *
 * <p>Two statistics, both with exponential forgetting (each observation ages everything seen before by
 * one iteration; half-life {@link #HALF_LIFE_ITERATIONS}), so the estimate follows the text being
 * generated:
 * <ul>
 *   <li>by distance from the front: an iteration that accepted k of its rows says, for each distance
 *       j = 2..k, that the guess at j was accepted after the one at j-1 was, and for j = k+1 (when that
 *       row was forwarded) that it was not. Their ratios are the continuation rates c(j) = P(k >= j |
 *       k >= j-1); P(k >= j) is their product, and the expected tokens of a window of n rows is
 *       E[min(k, n)] = sum over j = 1..n of P(k >= j). Distances never observed continue geometrically
 *       with the rate of the largest observed distances, so larger windows than any yet run get a
 *       (cautious) projection;</li>
 *   <li>by block size: the mean k of the iterations that ran at n. A guess deep in a large window has been
 *       refined over more iterations than one at the same distance in a small window, so pooled distance
 *       rates flatter small windows; {@link #expected} therefore blends the mean at n (weighted by its
 *       iteration count) with the projection (weighted by {@link #BLEND_WEIGHT}).</li>
 * </ul>
 * Not thread-safe; the tuner that owns it synchronises.
 */
final class AcceptanceEstimate implements TokensPerIteration {
    /** Iterations after which an observation counts half. */
    static final double HALF_LIFE_ITERATIONS = 256;
    /** Distances beyond this are extrapolated (the largest automatic block size). */
    static final int MAX_DISTANCE = 64;
    /** How many iterations' worth of weight the distance projection has against the mean at n. */
    static final double BLEND_WEIGHT = 4;
    /** Pseudo-trials pulling each distance's rate toward the tail rate (smoothing of sparse distances). */
    static final double PSEUDO_TRIALS = 2;
    /** The continuation rate assumed before any distance was observed. */
    static final double PRIOR_CONTINUATION = 0.5;
    /** Counts below this are treated as no data at all. */
    private static final double NEGLIGIBLE = 1e-6;

    private final double decay;
    private final double[] successes = new double[MAX_DISTANCE + 1]; // index: distance j (2..MAX_DISTANCE)
    private final double[] trials = new double[MAX_DISTANCE + 1];
    private final Map<Integer, double[]> windows = new TreeMap<>(); // n -> {weight, weighted sum of k}
    private long observations;

    AcceptanceEstimate() {
        this(HALF_LIFE_ITERATIONS);
    }

    /** halfLife in iterations; infinity keeps everything forever (tests). */
    AcceptanceEstimate(double halfLife) {
        if (!(halfLife > 0)) throw new IllegalArgumentException("half-life must be positive, got " + halfLife);
        this.decay = Double.isInfinite(halfLife) ? 1.0 : Math.pow(0.5, 1.0 / halfLife);
    }

    /**
     * One iteration at block size n that forwarded rows rows (fewer than n at the end of the cache or the
     * token budget, or inside a shrinking block) and accepted k of them (1 <= k <= rows <= n).
     */
    void observe(int n, int rows, int k) {
        if (k < 1 || k > rows || rows > n) {
            throw new IllegalArgumentException("need 1 <= accepted <= rows <= n, got " + k + ", " + rows + ", " + n);
        }
        if (decay < 1) age();
        int last = Math.min(Math.min(k + 1, rows), MAX_DISTANCE);
        for (int j = 2; j <= last; j++) {
            trials[j] += 1;
            if (j <= k) successes[j] += 1;
        }
        double[] w = windows.computeIfAbsent(n, key -> new double[2]);
        w[0] += 1;
        w[1] += k;
        observations++;
    }

    private void age() {
        for (int j = 2; j <= MAX_DISTANCE; j++) {
            successes[j] *= decay;
            trials[j] *= decay;
        }
        for (double[] w : windows.values()) {
            w[0] *= decay;
            w[1] *= decay;
        }
    }

    /** Iterations observed so far (not decayed). */
    long observations() {
        return observations;
    }

    @Override
    public double weight(int n) {
        double[] w = windows.get(n);
        return w == null ? 0 : w[0];
    }

    /** The mean accepted count of the iterations at block size n, NaN when none ran. */
    double mean(int n) {
        double[] w = windows.get(n);
        return w == null || w[0] < NEGLIGIBLE ? Double.NaN : w[1] / w[0];
    }

    /** The continuation rate of the largest observed distances (the upper half of them). */
    double tailContinuation() {
        int largest = 0;
        for (int j = MAX_DISTANCE; j >= 2; j--) {
            if (trials[j] > NEGLIGIBLE) {
                largest = j;
                break;
            }
        }
        if (largest == 0) return PRIOR_CONTINUATION;
        double s = 0, t = 0;
        for (int j = Math.max(2, largest / 2 + 1); j <= largest; j++) {
            s += successes[j];
            t += trials[j];
        }
        return (s + PRIOR_CONTINUATION * PSEUDO_TRIALS) / (t + PSEUDO_TRIALS);
    }

    /** P(k >= j | k >= j-1) for j >= 2: the observed rate, smoothed toward the tail rate. */
    double continuation(int j) {
        if (j < 2) throw new IllegalArgumentException("distance must be >= 2, got " + j);
        double tail = tailContinuation();
        if (j > MAX_DISTANCE) return tail;
        return (successes[j] + tail * PSEUDO_TRIALS) / (trials[j] + PSEUDO_TRIALS);
    }

    /** E[min(k, n)] from the distance statistics alone: sum over j = 1..n of P(k >= j). */
    double projected(int n) {
        if (n < 1) throw new IllegalArgumentException("block size must be >= 1, got " + n);
        double tail = tailContinuation();
        double survival = 1, sum = 1;
        for (int j = 2; j <= n; j++) {
            double c = j > MAX_DISTANCE ? tail : (successes[j] + tail * PSEUDO_TRIALS) / (trials[j] + PSEUDO_TRIALS);
            survival *= c;
            sum += survival;
        }
        return sum;
    }

    @Override
    public double expected(int n) {
        double w = weight(n);
        double projection = projected(n);
        if (w < NEGLIGIBLE) return projection;
        return (w * mean(n) + BLEND_WEIGHT * projection) / (w + BLEND_WEIGHT);
    }
}
