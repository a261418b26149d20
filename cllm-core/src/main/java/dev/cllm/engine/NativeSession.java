package dev.cllm.engine;

import dev.cllm.nativelib.CllmNative;
import dev.cllm.nativelib.CllmNative.cllm_session;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * One sequence on a {@link NativeModel}: its KV cache and scratch. Not thread-safe; use one session per
 * thread. Every method validates its input in native code and throws {@link dev.cllm.CllmException}
 * carrying the native status (CONTEXT_FULL when the cache has no room).
 */
public final class NativeSession implements AutoCloseable {
    private final NativeModel model;
    private final int capacity;
    private final int vocab;
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

    /** Positions held in the KV cache. */
    public int length() {
        NativeLibrary.Status.check(CllmNative.cllm_session_length(handle(), scalars), "reading the session length");
        return scalars.get(0);
    }

    /** Forwards tokens[offset..offset+n) and returns their logits [n * vocab], or null when !wantLogits. */
    public float[] forward(int[] tokens, int offset, int n, boolean wantLogits) {
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
        NativeLibrary.Status.check(CllmNative.cllm_session_forward(handle(), in, n, out), "forward");
        if (!wantLogits) return null;
        float[] result = new float[Math.multiplyExact(n, vocab)];
        logits.get(result);
        return result;
    }

    /** Forwards all tokens. */
    public float[] forward(int[] tokens, boolean wantLogits) {
        return forward(tokens, 0, tokens.length, wantLogits);
    }

    /** Drops cached positions at or after length. */
    public void truncate(int length) {
        NativeLibrary.Status.check(CllmNative.cllm_session_truncate(handle(), length), "truncate");
    }

    /**
     * CUDA sessions: runs all further device work of this session on the caller's CUDA stream, for
     * example a Bytedeco {@code org.bytedeco.cuda.cudart.CUstream_st} the application already uses (see
     * {@code dev.cllm.cuda.CudaStreams} in cllm-cuda); null returns to the session's own stream. Work already queued
     * finishes first. The caller keeps the stream alive while the session uses it. Throws
     * {@link dev.cllm.CllmException} with status UNSUPPORTED on the CPU backend.
     */
    public void setCudaStream(Pointer stream) {
        NativeLibrary.Status.check(CllmNative.cllm_session_set_cuda_stream(handle(), stream), "setting the CUDA stream");
    }

    /** The result of one Jacobi iteration: predictions per window row, and k rows accepted. */
    public record Step(int[] predictions, int accepted) {}

    /** One Jacobi iteration on window[0..n) (window[0] = y0); see cllm.h. */
    public Step jacobiStep(int[] window, int n) {
        IntPointer in = fill(window, 0, n);
        IntPointer predictions = room2(n);
        NativeLibrary.Status.check(CllmNative.cllm_jacobi_step(handle(), in, n, predictions, scalars), "jacobi step");
        int[] p = new int[n];
        predictions.get(p);
        return new Step(p, scalars.get(0));
    }

    /** A whole Jacobi block: produced tokens, iterations run, and the states when recorded (else null). */
    public record Block(int[] produced, int iterations, int[][] states) {}

    /** Runs a Jacobi block of initState.length tokens after y0 (see cllm.h); {@code eos < 0} for none. */
    public Block jacobiBlock(int y0, int[] initState, int maxIterations, int eos, boolean recordStates) {
        int n = initState.length;
        IntPointer init = fill(initState, 0, n);
        IntPointer produced = room2(n);
        try (IntPointer states = recordStates ? new IntPointer((long) (maxIterations + 1) * n) : null;
             IntPointer out = new IntPointer(2)) {
            NativeLibrary.Status.check(CllmNative.cllm_jacobi_block(handle(), y0, init, n, maxIterations, eos, produced,
                    out, out.getPointer(1), states), "jacobi block");
            int count = out.get(0), iterations = out.get(1);
            int[] p = new int[count];
            produced.get(p);
            int[][] s = null;
            if (recordStates) {
                s = new int[iterations + 1][n];
                for (int j = 0; j <= iterations; j++) states.position((long) j * n).get(s[j]);
                states.position(0);
            }
            return new Block(p, iterations, s);
        }
    }

    private IntPointer fill(int[] values, int offset, int n) {
        if (n < 0 || offset < 0 || offset + n > values.length) {
            throw new IllegalArgumentException("range [" + offset + ", " + (offset + n) + ") outside an array of "
                    + values.length);
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

    cllm_session handle() {
        if (handle == null) throw new IllegalStateException("session is closed");
        return handle;
    }

    @Override
    public void close() {
        if (handle == null) return;
        CllmNative.cllm_session_free(handle);
        handle.setNull();
        handle = null;
        ints.close();
        ints2.close();
        scalars.close();
        logits.close();
        model.forget(this);
    }
}
