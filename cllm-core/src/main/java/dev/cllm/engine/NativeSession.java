package dev.cllm.engine;

import dev.cllm.nativelib.CllmNative;
import dev.cllm.nativelib.CllmNative.cllm_session;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * One sequence on a {@link NativeModel}: its KV cache and scratch. Every method validates its input in
 * native code and throws {@link dev.cllm.CllmException} carrying the native status (CONTEXT_FULL when the
 * cache has no room).
 *
 * <p>Threads: a session serves one thread at a time. A call while another thread is inside a call, or
 * holds a {@link #claim()} (decoders claim the session for a whole generation), fails with status STATE
 * instead of corrupting the cache. {@link #close()} is safe from any thread at any time: it waits for
 * the native call in flight (at most one forward, Jacobi iteration, block or refill run), frees the session, and
 * every later call fails with status STATE, "session is closed"; a generation running meanwhile ends
 * with that exception at its next call.
 */
public final class NativeSession implements AutoCloseable {
    private final NativeModel model;
    private final int capacity;
    private final int vocab;
    private final HandleGuard guard = HandleGuard.exclusive("session");
    private cllm_session handle;
    private IntPointer ints = new IntPointer(64);
    private IntPointer ints2 = new IntPointer(64);
    private IntPointer scalars = new IntPointer(4);
    private FloatPointer logits = new FloatPointer(1);

    NativeSession(NativeModel model, int capacity) {
        this.model = model;
        this.capacity = capacity;
        this.vocab = model.config().vocabSize();
        cllm_session h = new cllm_session();
        NativeLibrary.Status.check(CllmNative.cllm_session_create(model.handle(), capacity, h), "creating a session");
        this.handle = h;
    }

    public NativeModel model() {
        return model;
    }

    public int capacity() {
        return capacity;
    }

    /** A hold on this session for the calling thread; close it (try-with-resources) to let others in. */
    public final class Claim implements AutoCloseable {
        private boolean released;

        private Claim() {}

        @Override
        public void close() {
            if (released) return;
            released = true;
            guard.release();
        }
    }

    /**
     * Holds this session for the calling thread until the claim is closed, so that a sequence of calls
     * (a generation) cannot interleave with another thread's: their calls fail with status STATE
     * meanwhile. Claims nest within a thread. Throws {@link dev.cllm.CllmException} (STATE) when the
     * session is closed or another thread holds it. Closing the session does not wait for claims.
     */
    public Claim claim() {
        guard.claim();
        return new Claim();
    }

    /** Positions held in the KV cache. */
    public int length() {
        guard.enter();
        try {
            NativeLibrary.Status.check(CllmNative.cllm_session_length(handle, scalars), "reading the session length");
            return scalars.get(0);
        } finally {
            guard.leave();
        }
    }

    /** Forwards tokens[offset..offset+n) and returns their logits [n * vocab], or null when !wantLogits. */
    public float[] forward(int[] tokens, int offset, int n, boolean wantLogits) {
        guard.enter();
        try {
            IntPointer in = fill(tokens, offset, n);
            FloatPointer out = null;
            if (wantLogits) {
                long needed = (long) n * vocab;
                if (logits.capacity() < needed) {
                    logits.close();
                    logits = new FloatPointer(needed);
                }
                out = logits;
            }
            NativeLibrary.Status.check(CllmNative.cllm_session_forward(handle, in, n, out), "forward");
            if (!wantLogits) return null;
            float[] result = new float[Math.multiplyExact(n, vocab)];
            logits.get(result);
            return result;
        } finally {
            guard.leave();
        }
    }

    /** Forwards all tokens. */
    public float[] forward(int[] tokens, boolean wantLogits) {
        return forward(tokens, 0, tokens.length, wantLogits);
    }

    /** Drops cached positions at or after length. */
    public void truncate(int length) {
        guard.enter();
        try {
            NativeLibrary.Status.check(CllmNative.cllm_session_truncate(handle, length), "truncate");
        } finally {
            guard.leave();
        }
    }

    /**
     * CUDA sessions: runs all further device work of this session on the caller's CUDA stream, for
     * example a Bytedeco {@code org.bytedeco.cuda.cudart.CUstream_st} the application already uses (see
     * {@code dev.cllm.cuda.CudaStreams} in cllm-cuda); null returns to the session's own stream. Work already queued
     * finishes first. The caller keeps the stream alive while the session uses it. Throws
     * {@link dev.cllm.CllmException} with status UNSUPPORTED on the CPU backend.
     */
    public void setCudaStream(Pointer stream) {
        guard.enter();
        try {
            NativeLibrary.Status.check(
                    CllmNative.cllm_session_set_cuda_stream(handle, stream), "setting the CUDA stream");
        } finally {
            guard.leave();
        }
    }

    /**
     * How every later prediction of this session is made (Jacobi steps, blocks, batched steps): greedy
     * argmax, or a seeded draw (cllm.h, "Sampling"). penaltyFrom: the first position the penalties look
     * at (the prompt length to penalise the output only, 0 for everything).
     */
    public void setSampling(dev.cllm.Sampling sampling, int penaltyFrom) {
        if (sampling == null) throw new IllegalArgumentException("sampling must not be null");
        if (penaltyFrom < 0) throw new IllegalArgumentException("penaltyFrom must be >= 0, got " + penaltyFrom);
        guard.enter();
        try (CllmNative.cllm_sampling s = new CllmNative.cllm_sampling()) {
            s.temperature((float) sampling.temperature())
                    .top_k(sampling.topK())
                    .top_p((float) sampling.topP())
                    .min_p((float) sampling.minP())
                    .repetition_penalty((float) sampling.repetitionPenalty())
                    .presence_penalty((float) sampling.presencePenalty())
                    .frequency_penalty((float) sampling.frequencyPenalty())
                    .penalty_from(penaltyFrom)
                    .seed(sampling.seed());
            NativeLibrary.Status.check(
                    CllmNative.cllm_session_set_sampling(handle, sampling.isGreedy() ? null : s),
                    "setting the sampling (" + sampling + ")");
        } finally {
            guard.leave();
        }
    }

    /** For {@link NativeBatch}: starts a native call on this session from the batch's thread. */
    void enterCall() {
        guard.enter();
    }

    void leaveCall() {
        guard.leave();
    }

    /** The handle, valid between {@link #enterCall()} and {@link #leaveCall()}. */
    cllm_session handle() {
        return handle;
    }

    /** The result of one Jacobi iteration: predictions per window row, and k rows accepted. */
    public record Step(int[] predictions, int accepted) {}

    /** One Jacobi iteration on window[0..n) (window[0] = y0); see cllm.h. */
    public Step jacobiStep(int[] window, int n) {
        guard.enter();
        try {
            IntPointer in = fill(window, 0, n);
            IntPointer predictions = room2(n);
            NativeLibrary.Status.check(CllmNative.cllm_jacobi_step(handle, in, n, predictions, scalars), "jacobi step");
            int[] p = new int[n];
            predictions.get(p);
            return new Step(p, scalars.get(0));
        } finally {
            guard.leave();
        }
    }

    /**
     * A whole Jacobi block: produced tokens, iterations run, the tokens each iteration produced
     * ({@code accepted}, adding up to the produced count) and how many of them were stationary, and the
     * states when recorded (else null). See cllm.h.
     */
    public record Block(int[] produced, int iterations, int[] accepted, int[] stationary, int[][] states) {}

    /** Runs a Jacobi block of initState.length tokens after y0 (see cllm.h); {@code eos < 0} for none. */
    public Block jacobiBlock(int y0, int[] initState, int maxIterations, int eos, boolean recordStates) {
        guard.enter();
        try {
            int n = initState.length;
            int counts = Math.max(1, Math.min(maxIterations, n));
            IntPointer init = fill(initState, 0, n);
            IntPointer produced = room2(n);
            try (IntPointer states = recordStates ? new IntPointer((long) (maxIterations + 1) * n) : null;
                    IntPointer accepted = new IntPointer(counts);
                    IntPointer stationary = new IntPointer(counts);
                    IntPointer out = new IntPointer(2)) {
                NativeLibrary.Status.check(
                        CllmNative.cllm_jacobi_block(
                                handle,
                                y0,
                                init,
                                n,
                                maxIterations,
                                eos,
                                produced,
                                out,
                                out.getPointer(1),
                                accepted,
                                stationary,
                                states),
                        "jacobi block");
                int count = out.get(0), iterations = out.get(1);
                int[] p = new int[count];
                produced.get(p);
                int[][] s = null;
                if (recordStates) {
                    s = new int[iterations + 1][n];
                    for (int j = 0; j <= iterations; j++)
                        states.position((long) j * n).get(s[j]);
                    states.position(0);
                }
                return new Block(p, iterations, ints(accepted, iterations), ints(stationary, iterations), s);
            }
        } finally {
            guard.leave();
        }
    }

    /**
     * A refill window in flight (cllm.h, cllm_jacobi_run): the window (y0 and the guesses after it) and,
     * for stationary counts, what the previous iteration's window held at the same positions (-1: none).
     * {@link #jacobiRun} updates both, so the next call continues where the last one stopped.
     */
    public static final class RefillWindow {
        private final int[] window;
        private final int[] prior;

        /** window[0] = y0, window[1..) the guesses; no previous iteration yet. */
        public RefillWindow(int[] window) {
            if (window.length < 1) throw new IllegalArgumentException("a refill window holds at least y0");
            this.window = window.clone();
            this.prior = new int[window.length];
            java.util.Arrays.fill(prior, -1);
        }

        /**
         * A window in flight given whole: window[0] = y0, window[1..) the guesses, and prior[i] the token the
         * previous iteration's window held at the position of window[i] (-1: none); same lengths. A decoder
         * that changes the window's size between calls builds the resized one this way.
         */
        public RefillWindow(int[] window, int[] prior) {
            if (window.length < 1) throw new IllegalArgumentException("a refill window holds at least y0");
            if (prior.length != window.length) {
                throw new IllegalArgumentException(
                        "prior has " + prior.length + " entries for a window of " + window.length);
            }
            this.window = window.clone();
            this.prior = prior.clone();
        }

        public int width() {
            return window.length;
        }

        /** A copy of the current window. */
        public int[] window() {
            return window.clone();
        }

        /** A copy of the prior (see the class comment). */
        public int[] prior() {
            return prior.clone();
        }
    }

    /**
     * What one refill call did: the committed tokens (an end-of-sequence token included), and per
     * iteration the tokens it committed ({@code accepted}, in order, adding up to the committed count),
     * its stationary tokens, and when recorded its predictions for the rows it forwarded (else null).
     */
    public record Run(int[] committed, int iterations, int[] accepted, int[] stationary, int[][] predictions) {}

    /**
     * Refill-window Jacobi iterations in one native call (cllm.h, cllm_jacobi_run; on CUDA one graph launch):
     * until maxTokens are committed, after maxIterations iterations, at eos ({@code < 0}: none) or when the cache
     * is full. history[0..historyLength) is the known sequence (prompt and output so far) the guess rule
     * draws from; guessKind is a {@code CllmNative.CLLM_GUESS_*} value. Updates {@code refill}.
     */
    public Run jacobiRun(
            RefillWindow refill,
            int maxTokens,
            int maxIterations,
            int eos,
            int guessKind,
            long guessSeed,
            int padToken,
            int[] history,
            int historyLength,
            boolean recordPredictions) {
        if (historyLength < 0 || historyLength > history.length) {
            throw new IllegalArgumentException(
                    "history length " + historyLength + " outside an array of " + history.length);
        }
        int n = refill.window.length;
        // Every iteration commits at least one token, and at most the free positions are committed.
        int bound = Math.max(1, Math.min(maxTokens, capacity));
        int iterationBound = Math.max(1, Math.min(bound, maxIterations));
        guard.enter();
        try (IntPointer window = new IntPointer(refill.window);
                IntPointer prior = new IntPointer(refill.prior);
                IntPointer known = new IntPointer(Math.max(1, historyLength));
                IntPointer committed = new IntPointer(bound);
                IntPointer accepted = new IntPointer(iterationBound);
                IntPointer stationary = new IntPointer(iterationBound);
                IntPointer predictions = recordPredictions ? new IntPointer((long) iterationBound * n) : null;
                IntPointer out = new IntPointer(2)) {
            known.put(history, 0, historyLength);
            NativeLibrary.Status.check(
                    CllmNative.cllm_jacobi_run(
                            handle,
                            window,
                            prior,
                            n,
                            maxTokens,
                            maxIterations,
                            eos,
                            guessKind,
                            guessSeed,
                            padToken,
                            known,
                            historyLength,
                            committed,
                            out,
                            out.getPointer(1),
                            accepted,
                            stationary,
                            predictions),
                    "jacobi run");
            int count = out.get(0), iterations = out.get(1);
            window.get(refill.window);
            prior.get(refill.prior);
            int[][] rows = null;
            if (recordPredictions) {
                rows = new int[iterations][n];
                for (int j = 0; j < iterations; j++)
                    predictions.position((long) j * n).get(rows[j]);
                predictions.position(0);
            }
            return new Run(
                    ints(committed, count), iterations, ints(accepted, iterations), ints(stationary, iterations), rows);
        } finally {
            guard.leave();
        }
    }

    private static int[] ints(IntPointer pointer, int count) {
        int[] values = new int[count];
        pointer.get(values);
        return values;
    }

    private IntPointer fill(int[] values, int offset, int n) {
        if (n < 0 || offset < 0 || offset + n > values.length) {
            throw new IllegalArgumentException(
                    "range [" + offset + ", " + (offset + n) + ") outside an array of " + values.length);
        }
        if (ints.capacity() < n) {
            ints.close();
            ints = new IntPointer(Math.max(n, 2L * ints.capacity()));
        }
        ints.position(0).put(values, offset, n);
        return ints;
    }

    private IntPointer room2(int n) {
        if (ints2.capacity() < n) {
            ints2.close();
            ints2 = new IntPointer(Math.max(n, 2L * ints2.capacity()));
        }
        return ints2;
    }

    /** Whether {@link #close()} was called (by any thread). */
    public boolean isClosed() {
        return guard.isClosed();
    }

    /**
     * Frees the session. Safe from any thread, also while another thread generates on it: waits for the
     * native call in flight, then frees; later calls throw {@link dev.cllm.CllmException} (STATE,
     * "session is closed"). Closing twice is harmless.
     */
    @Override
    public void close() {
        guard.close(() -> {
            CllmNative.cllm_session_free(handle);
            handle.setNull();
            handle = null;
            ints.close();
            ints2.close();
            scalars.close();
            logits.close();
            model.forget(this);
        });
    }
}
