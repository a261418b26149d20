package dev.cllm.decode;

import dev.cllm.Cancellation;
import dev.cllm.engine.NativeSession;
import java.util.Arrays;
import java.util.function.Function;

/**
 * Jacobi decoding (docs/ARCHITECTURE.md, "Jacobi conventions"): guess the next tokens, refine them all in one forward
 * pass per iteration, and commit the converged prefix (fast-forward). The output equals greedy AR
 * output token for token; only the number of passes differs.
 *
 * <p>Settings: block size n (rows per pass), {@link WindowMode}, {@link InitialGuess}, a cap on
 * iterations per block (SHRINK mode; in REFILL mode every pass commits at least one token, so no cap is
 * needed), and the token limit. When the cache has fewer free positions than n the window narrows; when
 * it has none, generation stops with {@link StopReason#CONTEXT_FULL}.
 *
 * <p>Automatic block size ({@link #auto}): before each native call (each block in SHRINK mode) the
 * decoder takes the n with the most expected tokens per unit of time, from a measured table of what an
 * n-row iteration costs against a 1-row one ({@link ForwardCosts}, measured once per model and CPU thread
 * count at its first automatic decode, on the session, before the prompt) and an estimate of the tokens an
 * iteration commits at each n, learnt from the accepted counts of every iteration (kept per model and
 * shared by its sessions). A refill window that changes size keeps
 * its guesses (cut, or topped up with fresh ones), so only the number of passes depends on the choice: the
 * output is AR's whatever n runs. A call that tries a size (the first one of a model, or an exploration)
 * runs at most 8 iterations.
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

    /** The block size of a decoder made by {@link #auto}. */
    public static final int AUTO = 0;

    private final int blockSize; // AUTO or >= 1
    private final Function<NativeSession, BlockSchedule> schedules; // null: fixed or tuned
    private final int maxNewTokens;
    private final WindowMode mode;
    private final InitialGuess initialGuess;
    private final int maxIterationsPerBlock;
    private final IterationListener listener;
    private final boolean perIterationRefill;

    /**
     * A decoder with a fixed block size (>= 1). maxIterationsPerBlock: the cap of SHRINK blocks (>= 1, or
     * 0 for the block size).
     */
    public JacobiDecoder(
            int blockSize,
            int maxNewTokens,
            WindowMode mode,
            InitialGuess initialGuess,
            int maxIterationsPerBlock,
            IterationListener listener) {
        this(checkBlockSize(blockSize), null, maxNewTokens, mode, initialGuess, maxIterationsPerBlock, listener, false);
    }

    /**
     * A decoder that chooses its block size by measurement (see the class comment). maxIterationsPerBlock:
     * the cap of SHRINK blocks (>= 1, or 0 for the block size).
     */
    public static JacobiDecoder auto(
            int maxNewTokens,
            WindowMode mode,
            InitialGuess initialGuess,
            int maxIterationsPerBlock,
            IterationListener listener) {
        return new JacobiDecoder(AUTO, null, maxNewTokens, mode, initialGuess, maxIterationsPerBlock, listener, false);
    }

    /** A decoder whose block sizes come from schedules (per generation): tests drive the size changes. */
    static JacobiDecoder scheduled(
            Function<NativeSession, BlockSchedule> schedules,
            int maxNewTokens,
            WindowMode mode,
            InitialGuess initialGuess,
            IterationListener listener) {
        return new JacobiDecoder(AUTO, schedules, maxNewTokens, mode, initialGuess, 0, listener, false);
    }

    private static int checkBlockSize(int blockSize) {
        if (blockSize < 1) throw new IllegalArgumentException("block size must be >= 1, got " + blockSize);
        return blockSize;
    }

    private JacobiDecoder(
            int blockSize,
            Function<NativeSession, BlockSchedule> schedules,
            int maxNewTokens,
            WindowMode mode,
            InitialGuess initialGuess,
            int maxIterationsPerBlock,
            IterationListener listener,
            boolean perIterationRefill) {
        if (maxNewTokens < 0) throw new IllegalArgumentException("maxNewTokens must be >= 0, got " + maxNewTokens);
        if (maxIterationsPerBlock < 0) {
            throw new IllegalArgumentException(
                    "max iterations per block must be >= 1 (0: the block size), got " + maxIterationsPerBlock);
        }
        if (mode == null || initialGuess == null)
            throw new IllegalArgumentException("mode and initial guess must be set");
        if (perIterationRefill && blockSize == AUTO)
            throw new IllegalArgumentException("the per-iteration path needs a fixed block size");
        this.blockSize = blockSize;
        this.schedules = schedules;
        this.maxNewTokens = maxNewTokens;
        this.mode = mode;
        this.initialGuess = initialGuess;
        this.maxIterationsPerBlock = maxIterationsPerBlock;
        this.listener = listener == null ? IterationListener.NONE : listener;
        this.perIterationRefill = perIterationRefill;
    }

    /** A fixed block size with the refill window and random guesses (seed 0). */
    public JacobiDecoder(int blockSize, int maxNewTokens) {
        this(blockSize, maxNewTokens, WindowMode.REFILL, InitialGuess.random(0), blockSize, null);
    }

    /** The same decoder with REFILL iterations driven from Java one native step at a time (for tests). */
    JacobiDecoder perIterationRefill() {
        return new JacobiDecoder(
                blockSize, schedules, maxNewTokens, mode, initialGuess, maxIterationsPerBlock, listener, true);
    }

    /** The fixed block size, or {@link #AUTO}. */
    public int blockSize() {
        return blockSize;
    }

    @Override
    public DecodeResult decode(
            NativeSession session, int[] prompt, int eos, TokenSink sink, Cancellation cancellation) {
        int vocab = session.model().config().vocabSize();
        if (initialGuess.kind() == InitialGuess.Kind.PAD && initialGuess.padToken() >= vocab) {
            throw new IllegalArgumentException(
                    "pad token " + initialGuess.padToken() + " is outside the vocabulary of " + vocab);
        }
        try (NativeSession.Claim claim = session.claim()) {
            GenerationRun.checkArguments(session, prompt, maxNewTokens);
            // The automatic size may measure costs on the session: before the prompt goes in.
            BlockSchedule schedule = schedule(session, maxNewTokens > 0 && !Cancellation.requested(cancellation));
            GenerationRun run = new GenerationRun(session, prompt, eos, maxNewTokens, sink, cancellation);
            if (mode == WindowMode.SHRINK) {
                decodeShrink(session, run, eos, schedule);
            } else if (perIterationRefill) {
                decodeRefillByStep(session, run);
            } else {
                boolean streaming = (sink != null && sink != TokenSink.NONE)
                        || listener != IterationListener.NONE
                        || cancellation != null;
                decodeRefill(
                        session, run, eos, schedule, streaming ? ITERATIONS_PER_STREAMED_CALL : ITERATIONS_PER_CALL);
            }
            return run.finish(schedule.report());
        }
    }

    /** The block sizes of this generation; willDecode false: nothing will run, so nothing is measured. */
    private BlockSchedule schedule(NativeSession session, boolean willDecode) {
        if (blockSize != AUTO) return BlockSchedule.fixed(blockSize);
        if (schedules != null) return schedules.apply(session);
        if (!willDecode) return BlockSchedule.fixed(1);
        return BlockTuning.schedule(session, mode, initialGuess.kind());
    }

    /** The first refill window of n rows: y0, then guesses for the n-1 positions after it. */
    private NativeSession.RefillWindow firstWindow(NativeSession session, GenerationRun run, int n) {
        int[] window = new int[n];
        window[0] = run.y0();
        initialGuess.fill(window, 1, n, session.length(), run.history(), run.historyLength());
        return new NativeSession.RefillWindow(window);
    }

    /**
     * The window in flight at n rows: cut (the guesses beyond n dropped), or topped up with fresh guesses
     * (with no previous token at their positions, for the stationary counts), as the native refill loop
     * would have built them.
     */
    private NativeSession.RefillWindow resized(
            NativeSession.RefillWindow refill, int n, NativeSession session, GenerationRun run) {
        int width = refill.width();
        if (width == n) return refill;
        int[] window = Arrays.copyOf(refill.window(), n);
        int[] prior = Arrays.copyOf(refill.prior(), n);
        if (n > width) {
            initialGuess.fill(window, width, n, session.length(), run.history(), run.historyLength());
            Arrays.fill(prior, width, n, -1);
        }
        return new NativeSession.RefillWindow(window, prior);
    }

    /**
     * n rows per pass, topped up with fresh guesses after each commit; many iterations per native call
     * (usually iterationsPerCall). The schedule gives n, and may shorten the call, before each call.
     */
    private void decodeRefill(
            NativeSession session, GenerationRun run, int eos, BlockSchedule schedule, int iterationsPerCall) {
        NativeSession.RefillWindow refill = null;
        boolean observed = listener != IterationListener.NONE;
        int iteration = 0;
        int capacity = session.capacity();
        while (!run.done()) {
            int n = schedule.next(capacity);
            if (run.rowsAllowed(n) == 0) break;
            refill = refill == null ? firstWindow(session, run, n) : resized(refill, n, session, run);
            int lengthBefore = session.length();
            int remainingBefore = run.remaining();
            NativeSession.Run r = session.jacobiRun(
                    refill,
                    remainingBefore,
                    schedule.iterationsPerCall(iterationsPerCall),
                    eos,
                    initialGuess.kind().nativeValue(),
                    initialGuess.seed(),
                    initialGuess.padToken(),
                    run.history(),
                    run.historyLength(),
                    observed);
            int offset = 0;
            // A cancellation seen while streaming drops the rest of the call's iterations.
            for (int j = 0; j < r.iterations() && !run.done(); j++) {
                int count = r.accepted()[j];
                int[] accepted = Arrays.copyOfRange(r.committed(), offset, offset + count);
                // The rows the native loop forwarded: the window narrows at the token limit and the cache's end.
                int rows = Math.min(n, Math.min(remainingBefore - offset, capacity - lengthBefore - offset));
                offset += count;
                if (accepted[count - 1] != eos) schedule.observe(n, rows, count); // an EOS cuts k short
                run.acceptIteration(accepted, count, r.stationary()[j], n);
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
        int[] window = firstWindow(session, run, blockSize).window();
        int[] prior = new int[blockSize]; // the last window's token at each position of this one (-1: none)
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
            run.acceptIteration(accepted, taken, stationaryCount, blockSize);
            listener.onIteration(++iteration, accepted, Arrays.copyOfRange(p, taken, rows), stationaryCount);
            // Next window, k positions later: y0 = p[k-1], the predictions beyond it, then fresh guesses.
            for (int i = 0; i < blockSize; i++) nextPrior[i] = i + k < blockSize ? window[i + k] : -1;
            System.arraycopy(nextPrior, 0, prior, 0, blockSize);
            int carried = rows - k + 1;
            System.arraycopy(p, k - 1, window, 0, carried);
            initialGuess.fill(window, carried, blockSize, start + k, run.history(), run.historyLength());
        }
    }

    /** Blocks of n tokens (n from the schedule), each run to its fixed point by one native call. */
    private void decodeShrink(NativeSession session, GenerationRun run, int eos, BlockSchedule schedule) {
        boolean observed = listener != IterationListener.NONE;
        int iteration = 0;
        int[] carry = new int[0]; // guesses left over when a block hit its iteration cap
        while (!run.done()) {
            int size = schedule.next(session.capacity());
            int n = run.rowsAllowed(size);
            if (n == 0) break;
            int[] state = new int[n];
            int reuse = Math.min(carry.length, n);
            System.arraycopy(carry, 0, state, 0, reuse);
            initialGuess.fill(state, reuse, n, session.length() + 1L, run.history(), run.historyLength());
            int cap = maxIterationsPerBlock == 0 ? n : maxIterationsPerBlock;
            // States only for an observer's pending guesses, or for the guesses a capped block leaves over.
            boolean capped = cap < n;
            NativeSession.Block block = session.jacobiBlock(run.y0(), state, cap, eos, observed || capped);
            int produced = 0;
            for (int j = 0; j < block.iterations() && !run.done(); j++) {
                int count = block.accepted()[j];
                int[] accepted = Arrays.copyOfRange(block.produced(), produced, produced + count);
                // Iteration j forwards y0 and the block's unproduced guesses but the last: n - produced rows.
                if (accepted[count - 1] != eos) schedule.observe(size, n - produced, count);
                produced += count;
                run.acceptIteration(accepted, count, block.stationary()[j], size);
                if (observed) {
                    listener.onIteration(
                            ++iteration,
                            accepted,
                            Arrays.copyOfRange(block.states()[j + 1], produced, n),
                            block.stationary()[j]);
                }
            }
            carry = capped
                    ? Arrays.copyOfRange(block.states()[block.iterations()], block.produced().length, n)
                    : new int[0];
        }
    }
}
