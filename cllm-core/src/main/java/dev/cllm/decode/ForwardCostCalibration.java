package dev.cllm.decode;

import dev.cllm.engine.NativeSession;
import dev.cllm.nativelib.CllmNative;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Measures {@link ForwardCosts} on a session: the wall time of one refill iteration ({@code
 * cllm_jacobi_run}: forward, argmax, accept, fresh guesses, the same call the decoder makes) at each
 * candidate block size, relative to one row.
 *
 * <p>How: a context of up to {@link #CONTEXT} positions is prefilled (attention over a prompt, as in
 * decoding). A 1-row probe gives a first time per row. Each candidate, in increasing order, then gets
 * {@link #WARMUP_CALLS} untimed calls (the JIT, CUDA graphs, caches, the thread pool) while its predicted
 * time fits the budget; a timed call runs as many iterations as take about {@link #CALL_NANOS} (1 to
 * {@link #MAX_ITERATIONS_PER_CALL}, all of full rows). Rounds then time every warmed-up candidate once
 * each, interleaved so that a change in the machine's load hits all alike, until the budget or
 * {@link #MAX_ROUNDS}; a candidate's cost is the minimum over its rounds: other processes can only add
 * time to a measurement (on a busy 2-core machine single calls take 2-3 times the quiet time), so the
 * fastest repetition is the best estimate of what the work itself costs. Candidates never timed (the
 * budget ran out first: a large model on a CPU) are extrapolated as proportional to n from the largest
 * timed one: a pessimistic bound, since an n-row iteration costs at most n times a 1-row one. Costs are
 * made non-decreasing in n so that noise cannot make a larger block look cheaper. The session is left
 * empty.
 */
final class ForwardCostCalibration {
    /** The automatic block size's candidates. */
    static final int[] CANDIDATES = {1, 2, 4, 8, 16, 32, 64};
    /** Wall-time budget of a calibration (about 0.2 s for the embedded models on a 2-core CPU). */
    static final long BUDGET_NANOS = 200_000_000L;

    static final int MAX_ROUNDS = 12;
    static final int WARMUP_CALLS = 2;
    static final int MAX_ITERATIONS_PER_CALL = 8;
    /** The wall time a timed call aims at: long enough to make the call's own overhead small. */
    static final long CALL_NANOS = 1_000_000L;
    /** Positions of context before the timed windows. */
    private static final int CONTEXT = 64;

    private final NativeSession session;
    private final int[] history;
    private final int context;
    private final int vocab;

    private ForwardCostCalibration(NativeSession session) {
        this.session = session;
        this.vocab = session.model().config().vocabSize();
        this.context = Math.min(CONTEXT, session.capacity() / 4);
        this.history = new int[context + 1];
        for (int i = 0; i <= context; i++) history[i] = (int) Math.floorMod(i * 7919L + 13, (long) vocab);
    }

    /** Measures candidates (ascending, starting at 1) within budgetNanos; threads is recorded in the result. */
    static ForwardCosts measure(NativeSession session, int[] candidates, long budgetNanos, int threads) {
        if (candidates.length == 0 || candidates[0] != 1)
            throw new IllegalArgumentException("candidates must start at 1");
        return new ForwardCostCalibration(session).run(candidates, budgetNanos, threads);
    }

    private ForwardCosts run(int[] candidates, long budgetNanos, int threads) {
        long start = System.nanoTime();
        try {
            session.truncate(0);
            if (context > 0) session.forward(history, 0, context, false);
            double lastTime = timeIteration(1, 1); // the probe
            int lastN = 1;
            Map<Integer, Integer> iterationsPerCall = new LinkedHashMap<>();
            for (int n : candidates) {
                int fit = (session.capacity() - context) / n; // iterations of full rows that fit in the cache
                if (fit < 1) break;
                double predicted = lastTime * n / lastN; // an n-row iteration costs at most n times a 1-row one
                int iterations =
                        (int) Math.max(1, Math.min(Math.min(MAX_ITERATIONS_PER_CALL, fit), CALL_NANOS / predicted));
                long elapsed = System.nanoTime() - start;
                if (iterationsPerCall.size() >= 2
                        && elapsed + (WARMUP_CALLS + 1) * iterations * predicted > budgetNanos) break;
                for (int call = 0; call < WARMUP_CALLS; call++) lastTime = timeIteration(n, iterations);
                lastN = n;
                iterationsPerCall.put(n, iterations);
            }
            Map<Integer, Double> fastest = new LinkedHashMap<>();
            for (int round = 0; round < MAX_ROUNDS; round++) {
                long roundStart = System.nanoTime();
                iterationsPerCall.forEach((n, iterations) -> fastest.merge(n, timeIteration(n, iterations), Math::min));
                long now = System.nanoTime();
                if (now - start + (now - roundStart) > budgetNanos) break;
            }
            return costs(candidates, fastest, (System.nanoTime() - start) / 1e6, threads);
        } finally {
            session.truncate(0);
        }
    }

    /** Wall nanoseconds per iteration of one refill call of n rows running `iterations` iterations. */
    private double timeIteration(int n, int iterations) {
        session.truncate(context);
        int[] window = new int[n];
        window[0] = history[context];
        for (int i = 1; i < n; i++) window[i] = (int) Math.floorMod(i * 104729L + 7, (long) vocab);
        NativeSession.RefillWindow refill = new NativeSession.RefillWindow(window);
        long t0 = System.nanoTime();
        NativeSession.Run run = session.jacobiRun(
                refill, n * iterations, iterations, -1, CllmNative.CLLM_GUESS_PAD, 0, 0, history, context + 1, false);
        long elapsed = System.nanoTime() - t0;
        return (double) elapsed / Math.max(1, run.iterations());
    }

    private static ForwardCosts costs(int[] candidates, Map<Integer, Double> fastest, double millis, int threads) {
        TreeMap<Integer, Double> times = new TreeMap<>(fastest);
        double one = times.get(1);
        TreeMap<Integer, Double> ratios = new TreeMap<>();
        double floor = 0;
        for (Map.Entry<Integer, Double> e : times.entrySet()) {
            floor = Math.max(floor, e.getValue() / one);
            ratios.put(e.getKey(), floor);
        }
        int largest = times.lastKey();
        for (int n : candidates) {
            if (n > largest) ratios.put(n, ratios.get(largest) * n / largest);
        }
        return new ForwardCosts(ratios, times.keySet(), one / 1e6, millis, threads);
    }
}
