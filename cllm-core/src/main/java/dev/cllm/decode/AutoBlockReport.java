package dev.cllm.decode;

import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Why the automatic block size chose what it chose (Decoding.jacobi() without a size), as it stood at the
 * end of a generation.
 *
 * @param costs                      the measured cost of an n-row iteration relative to a 1-row one
 * @param expectedTokensPerIteration the acceptance estimate: expected tokens per iteration at each n
 * @param chosen                     the n with the most expected tokens per unit of cost
 * @param explorations               native calls that tried a neighbour of the best n to refresh its estimate
 */
public record AutoBlockReport(
        ForwardCosts costs, NavigableMap<Integer, Double> expectedTokensPerIteration, int chosen, int explorations) {
    public AutoBlockReport {
        if (costs == null) throw new IllegalArgumentException("costs must not be null");
        expectedTokensPerIteration = Collections.unmodifiableNavigableMap(new TreeMap<>(expectedTokensPerIteration));
    }

    /** Expected tokens per unit of cost at n: tokens per iteration over the cost ratio. */
    public double score(int n) {
        Double expected = expectedTokensPerIteration.get(n);
        if (expected == null) throw new IllegalArgumentException("no estimate for block size " + n);
        return expected / costs.ratio(n);
    }

    /**
     * One line: the chosen n and, per n, cost ratio / expected tokens per iteration (* the chosen n, ~ an
     * extrapolated cost), and the calibration's time.
     */
    public String summary() {
        StringBuilder sb = new StringBuilder(String.format(
                Locale.ROOT,
                "chose n=%d (%.2f tokens/iteration at %.2fx the cost of n=1); n: cost/tokens per iteration",
                chosen,
                expectedTokensPerIteration.get(chosen),
                costs.ratio(chosen)));
        for (Map.Entry<Integer, Double> e : expectedTokensPerIteration.entrySet()) {
            int n = e.getKey();
            sb.append(String.format(
                    Locale.ROOT,
                    " %d%s:%.2f%s/%.2f",
                    n,
                    n == chosen ? "*" : "",
                    costs.ratio(n),
                    costs.measured().contains(n) ? "" : "~",
                    e.getValue()));
        }
        if (costs.calibrationMillis() > 0) {
            sb.append(String.format(Locale.ROOT, "; costs measured in %.0f ms", costs.calibrationMillis()));
            if (costs.threads() > 0) sb.append(String.format(Locale.ROOT, " (%d CPU threads)", costs.threads()));
        }
        if (explorations > 0) sb.append(String.format(Locale.ROOT, "; %d exploring calls", explorations));
        return sb.toString();
    }
}
