package dev.cllm.decode;

import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Which Jacobi block sizes ran: per block size n, the iterations run at n and the tokens they committed
 * (empty for AR). A fixed block size has one entry; the automatic one may have several.
 */
public record BlockSizeUse(NavigableMap<Integer, Long> iterations, NavigableMap<Integer, Long> tokens) {
    public static final BlockSizeUse NONE = new BlockSizeUse(new TreeMap<>(), new TreeMap<>());

    public BlockSizeUse {
        iterations = Collections.unmodifiableNavigableMap(new TreeMap<>(iterations));
        tokens = Collections.unmodifiableNavigableMap(new TreeMap<>(tokens));
        if (!iterations.keySet().equals(tokens.keySet())) {
            throw new IllegalArgumentException("iterations and tokens must have the same block sizes");
        }
    }

    public BlockSizeUse plus(BlockSizeUse o) {
        TreeMap<Integer, Long> i = new TreeMap<>(iterations), t = new TreeMap<>(tokens);
        o.iterations.forEach((n, v) -> i.merge(n, v, Long::sum));
        o.tokens.forEach((n, v) -> t.merge(n, v, Long::sum));
        return new BlockSizeUse(i, t);
    }

    public boolean isEmpty() {
        return iterations.isEmpty();
    }

    /** The block size that ran the most iterations (the smaller one on a tie); 0 when none ran. */
    public int mostUsed() {
        int best = 0;
        long most = -1;
        for (Map.Entry<Integer, Long> e : iterations.entrySet()) {
            if (e.getValue() > most) {
                best = e.getKey();
                most = e.getValue();
            }
        }
        return best;
    }

    /** Tokens per iteration of the iterations at n (0 when none ran there). */
    public double tokensPerIteration(int n) {
        long its = iterations.getOrDefault(n, 0L);
        return its == 0 ? 0 : (double) tokens.getOrDefault(n, 0L) / its;
    }

    /** "n=4 for 94% of iterations (1.76 tokens/iteration), n=8 for 6% (2.01)". */
    public String summary() {
        long total = iterations.values().stream().mapToLong(Long::longValue).sum();
        if (total == 0) return "no Jacobi iterations";
        boolean first = true;
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<Integer, Long> e : iterations.entrySet().stream()
                .sorted(Map.Entry.<Integer, Long>comparingByValue().reversed())
                .collect(Collectors.toList())) {
            sb.append(first ? "" : ", ")
                    .append(String.format(
                            Locale.ROOT,
                            first ? "n=%d for %.0f%% of iterations (%.2f tokens/iteration)" : "n=%d for %.0f%% (%.2f)",
                            e.getKey(),
                            100.0 * e.getValue() / total,
                            tokensPerIteration(e.getKey())));
            first = false;
        }
        return sb.toString();
    }
}
