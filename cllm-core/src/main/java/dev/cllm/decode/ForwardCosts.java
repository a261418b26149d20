package dev.cllm.decode;

import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * What one Jacobi iteration of an n-row window costs on one model, backend and CPU thread count, relative
 * to a 1-row iteration (forward, argmax and accept, timed through the same native call the decoder
 * uses): the table the automatic block size weighs tokens per iteration against.
 *
 * @param ratios            block size n to the cost of an n-row iteration over a 1-row one (holds n = 1)
 * @param measured          the block sizes that were timed; the others were extrapolated linearly in n
 *                          from the largest measured one (the calibration's time budget ran out first)
 * @param oneRowMillis      the measured wall time of a 1-row iteration, in milliseconds (0 when not timed)
 * @param calibrationMillis how long the calibration took, warm-up included (0 when not timed)
 * @param threads           the CPU backend's thread count it was measured with (0 on CUDA)
 */
public record ForwardCosts(
        NavigableMap<Integer, Double> ratios,
        Set<Integer> measured,
        double oneRowMillis,
        double calibrationMillis,
        int threads) {
    public ForwardCosts {
        if (ratios == null || !ratios.containsKey(1))
            throw new IllegalArgumentException("ratios must hold block size 1");
        for (Map.Entry<Integer, Double> e : ratios.entrySet()) {
            if (e.getKey() < 1) throw new IllegalArgumentException("block sizes must be >= 1, got " + e.getKey());
            if (!(e.getValue() > 0) || e.getValue().isInfinite()) {
                throw new IllegalArgumentException(
                        "cost ratio of n = " + e.getKey() + " must be positive, got " + e.getValue());
            }
        }
        ratios = Collections.unmodifiableNavigableMap(new TreeMap<>(ratios));
        measured = Collections.unmodifiableSet(new TreeSet<>(measured == null ? ratios.keySet() : measured));
    }

    /** A table given directly (every entry counts as measured), as tests and fixed cost models use. */
    public static ForwardCosts of(Map<Integer, Double> ratios) {
        return new ForwardCosts(new TreeMap<>(ratios), ratios.keySet(), 0, 0, 0);
    }

    /** The candidate block sizes, ascending. */
    public int[] blockSizes() {
        return ratios.keySet().stream().mapToInt(Integer::intValue).toArray();
    }

    /** The cost ratio of block size n (one of {@link #blockSizes()}). */
    public double ratio(int n) {
        Double r = ratios.get(n);
        if (r == null)
            throw new IllegalArgumentException("no cost for block size " + n + "; known: " + ratios.keySet());
        return r;
    }

    /** "1:1.00 2:1.04 4:1.19 ... 64:9.8~" (~ marks an extrapolated ratio). */
    public String summary() {
        return ratios.entrySet().stream()
                .map(e -> String.format(
                        Locale.ROOT, "%d:%.2f%s", e.getKey(), e.getValue(), measured.contains(e.getKey()) ? "" : "~"))
                .collect(Collectors.joining(" "));
    }
}
