package dev.cllm.decode;

import dev.cllm.Cancellation;
import dev.cllm.engine.NativeSession;

import java.util.Arrays;

/**
 * Jacobi decoding (docs/ARCHITECTURE.md, "Jacobi conventions"): guess the next tokens, refine them all in one forward
 * pass per iteration, and commit the converged prefix (fast-forward). The output equals greedy AR
 * output token for token; only the number of passes differs.
 *
 * <p>Settings: block size n (rows per pass, default 16), {@link WindowMode}, {@link InitialGuess}, a
 * cap on iterations per block (SHRINK mode; in REFILL mode every pass commits at least one token, so
 * no cap is needed), and the token limit. When the cache has fewer free positions than n the window
 * narrows; when it has none, generation stops with {@link StopReason#CONTEXT_FULL}.
 *
 * <p>Native calls: SHRINK runs each block in one call; REFILL runs many iterations per call
 * ({@code cllm_jacobi_run}, on CUDA one graph launch with a device-side loop) and streams the committed
 * tokens and per-iteration data to the sink and the {@link IterationListener} when the call returns.
 * A call runs at most {@link #ITERATIONS_PER_STREAMED_CALL} iterations when a sink, a listener or a
 * {@link Cancellation} is given (tokens arrive early, a cancellation takes effect within that many
 * passes), else at most {@link #ITERATIONS_PER_CALL}. Cutting a generation into calls by iterations
 * changes nothing else: the windows, outputs and statistics are those of one call, and of the
 * per-iteration path (one {@code cllm_jacobi_step} per iteration, window rebuilt in Java), which tests
 * keep for comparison.
 */
public final class JacobiDecoder implements Decoder {
    /** Iterations per native refill call when a sink or listener wants tokens as they come. */
    static final int ITERATIONS_PER_STREAMED_CALL = 8;
    /**
     * Iterations per native refill call otherwise: one host round trip per 64 passes costs next to
     * nothing, and an interrupt still stops a long generation within 64 passes.
     */
    static final int ITERATIONS_PER_CALL = 64;

    private final int blockSize;
    private final int maxNewTokens;
    private final WindowMode mode;
    private final InitialGuess initialGuess;
    private final int maxIterationsPerBlock;
    private final IterationListener listener;
    private final boolean perIterationRefill;

    public JacobiDecoder(int blockSize, int maxNewTokens, WindowMode mode, InitialGuess initialGuess,
            int maxIterationsPerBlock, IterationListener listener) {
        this(blockSize, maxNewTokens, mode, initialGuess, maxIterationsPerBlock, listener, false);
    }

    private JacobiDecoder(int blockSize, int maxNewTokens, WindowMode mode, InitialGuess initialGuess,
            int maxIterationsPerBlock, IterationListener listener, boolean perIterationRefill) {
        if (blockSize < 1) throw new IllegalArgumentException("block size must be >= 1, got " + blockSize);
        if (maxNewTokens < 0) throw new IllegalArgumentException("maxNewTokens must be >= 0, got " + maxNewTokens);
        if (maxIterationsPerBlock < 1) {
            throw new IllegalArgumentException("max iterations per block must be >= 1, got " + maxIterationsPerBlock);
        }
        if (mode == null || initialGuess == null) throw new IllegalArgumentException("mode and initial guess must be set");
        this.blockSize = blockSize;
        this.maxNewTokens = maxNewTokens;
        this.mode = mode;
        this.initialGuess = initialGuess;
        this.maxIterationsPerBlock = maxIterationsPerBlock;
        this.listener = listener == null ? IterationListener.NONE : listener;
        this.perIterationRefill = perIterationRefill;
    }

    public JacobiDecoder(int blockSize, int maxNewTokens) {
        this(blockSize, maxNewTokens, WindowMode.REFILL, InitialGuess.random(0), blockSize, null);
    }

    /** The same decoder with REFILL iterations driven from Java one native step at a time (for tests). */
    JacobiDecoder perIterationRefill() {
        return new JacobiDecoder(blockSize, maxNewTokens, mode, initialGuess, maxIterationsPerBlock, listener, true);
    }

    @Override
    public DecodeResult decode(NativeSession session, int[] prompt, int eos, TokenSink sink, Cancellation cancellation) {
        int vocab = session.model().config().vocabSize();
        if (initialGuess.kind() == InitialGuess.Kind.PAD && initialGuess.padToken() >= vocab) {
            throw new IllegalArgumentException("pad token " + initialGuess.padToken() + " is outside the vocabulary of "
                    + vocab);
        }
        try (NativeSession.Claim claim = session.claim()) {
            GenerationRun run = new GenerationRun(session, prompt, eos, maxNewTokens, sink, cancellation);
            if (mode == WindowMode.SHRINK) {
                decodeShrink(session, run, eos);
            } else if (perIterationRefill) {
                decodeRefillByStep(session, run);
            } else {
                boolean streaming = (sink != null && sink != TokenSink.NONE) || listener != IterationListener.NONE
                        || cancellation != null;
                decodeRefill(session, run, eos, streaming ? ITERATIONS_PER_STREAMED_CALL : ITERATIONS_PER_CALL);
            }
            return run.finish();
        }
    }

    /** The first refill window: y0, then guesses for the n-1 positions after it. */
    private NativeSession.RefillWindow firstWindow(NativeSession session, GenerationRun run) {
        int[] window = new int[blockSize];
        window[0] = run.y0();
        initialGuess.fill(window, 1, blockSize, session.length(), run.history(), run.historyLength());
        return new NativeSession.RefillWindow(window);
    }

    /** n rows per pass, topped up with fresh guesses after each commit; many iterations per native call. */
    private void decodeRefill(NativeSession session, GenerationRun run, int eos, int iterationsPerCall) {
        if (run.done()) return;
        NativeSession.RefillWindow refill = firstWindow(session, run);
        boolean observed = listener != IterationListener.NONE;
        int iteration = 0;
        while (!run.done() && run.rowsAllowed(blockSize) > 0) {
            NativeSession.Run r = session.jacobiRun(refill, run.remaining(), iterationsPerCall, eos,
                    initialGuess.kind().nativeValue(), initialGuess.seed(), initialGuess.padToken(), run.history(),
                    run.historyLength(), observed);
            int offset = 0;
            // A cancellation seen while streaming drops the rest of the call's iterations.
            for (int j = 0; j < r.iterations() && !run.done(); j++) {
                int count = r.accepted()[j];
                int[] accepted = Arrays.copyOfRange(r.committed(), offset, offset + count);
                offset += count;
                run.acceptIteration(accepted, count, r.stationary()[j]);
                if (observed) {
                    listener.onIteration(++iteration, accepted, pending(r.predictions()[j], count), r.stationary()[j]);
                }
            }
        }
    }

    /** The predictions after the first `accepted` of one recorded iteration (-1 ends the rows it forwarded). */
    private static int[] pending(int[] predictions, int accepted) {
        int rows = 0;
        while (rows < predictions.length && predictions[rows] >= 0) rows++;
        return Arrays.copyOfRange(predictions, Math.min(accepted, rows), rows);
    }

    /**
     * The refill loop of cllm.h written out in Java around one {@code cllm_jacobi_step} per iteration:
     * what {@link #decodeRefill} must equal in every token, count and statistic.
     */
    private void decodeRefillByStep(NativeSession session, GenerationRun run) {
        int[] window = firstWindow(session, run).window();
        int[] prior = new int[blockSize];  // the last window's token at each position of this one (-1: none)
        Arrays.fill(prior, -1);
        int[] nextPrior = new int[blockSize];
        int iteration = 0;
        while (!run.done()) {
            int rows = run.rowsAllowed(blockSize);
            if (rows == 0) break;
            int start = session.length();
            NativeSession.Step step = session.jacobiStep(window, rows);
            int k = step.accepted();
            int[] p = step.predictions();
            // New final tokens: p[0..k) (the guesses that matched, then the prediction after them), up to
            // and including an end-of-sequence token.
            int taken = k;
            for (int i = 0; i < k; i++) {
                if (p[i] == run.eos()) {
                    taken = i + 1;
                    break;
                }
            }
            int stationaryCount = 0;
            for (int i = 1; i < taken; i++) {
                if (prior[i] == window[i]) stationaryCount++;
            }
            int[] accepted = Arrays.copyOf(p, taken);
            run.acceptIteration(accepted, taken, stationaryCount);
            listener.onIteration(++iteration, accepted, Arrays.copyOfRange(p, taken, rows), stationaryCount);
            // Next window, k positions later: y0 = p[k-1], the predictions beyond it, then fresh guesses.
            for (int i = 0; i < blockSize; i++) nextPrior[i] = i + k < blockSize ? window[i + k] : -1;
            System.arraycopy(nextPrior, 0, prior, 0, blockSize);
            int carried = rows - k + 1;
            System.arraycopy(p, k - 1, window, 0, carried);
            initialGuess.fill(window, carried, blockSize, start + k, run.history(), run.historyLength());
        }
    }

    /** Fixed blocks of n tokens, each run to its fixed point by one native call. */
    private void decodeShrink(NativeSession session, GenerationRun run, int eos) {
        boolean observed = listener != IterationListener.NONE;
        int iteration = 0;
        int[] carry = new int[0];  // guesses left over when a block hit its iteration cap
        while (!run.done()) {
            int n = run.rowsAllowed(blockSize);
            if (n == 0) break;
            int[] state = new int[n];
            int reuse = Math.min(carry.length, n);
            System.arraycopy(carry, 0, state, 0, reuse);
            initialGuess.fill(state, reuse, n, session.length() + 1L, run.history(), run.historyLength());
            // States only for an observer's pending guesses, or for the guesses a capped block leaves over.
            boolean capped = maxIterationsPerBlock < n;
            NativeSession.Block block = session.jacobiBlock(run.y0(), state, maxIterationsPerBlock, eos, observed || capped);
            int produced = 0;
            for (int j = 0; j < block.iterations() && !run.done(); j++) {
                int count = block.accepted()[j];
                int[] accepted = Arrays.copyOfRange(block.produced(), produced, produced + count);
                produced += count;
                run.acceptIteration(accepted, count, block.stationary()[j]);
                if (observed) {
                    listener.onIteration(++iteration, accepted, Arrays.copyOfRange(block.states()[j + 1], produced, n),
                            block.stationary()[j]);
                }
            }
            carry = capped ? Arrays.copyOfRange(block.states()[block.iterations()], block.produced().length, n) : new int[0];
        }
    }
}
