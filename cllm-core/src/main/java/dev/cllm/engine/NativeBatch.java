package dev.cllm.engine;

import dev.cllm.nativelib.CllmNative;
import dev.cllm.nativelib.CllmNative.cllm_batch;
import dev.cllm.nativelib.CllmNative.cllm_session;
import java.util.List;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * Batched Jacobi steps over several sessions of one model: one forward pass in which the rows of all
 * sessions go through the weight GEMMs together and attention stays per session (cllm.h,
 * {@code cllm_batch_jacobi_step}). Each session's predictions, accepted count and cache come out
 * bit-identical to its own {@link NativeSession#jacobiStep}; on the CPU a batch of many one-row AR steps
 * or narrow Jacobi windows reads the weights once instead of once per session.
 *
 * <p>Threads: a batch serves one thread at a time, and a step holds each of its sessions like a call
 * of that session (so it fails with status STATE when another thread uses one of them, and closing a
 * session waits for the step in flight).
 */
public final class NativeBatch implements AutoCloseable {
    /** Rows one session may bring to a step (cllm.h). */
    public static final int MAX_SESSION_ROWS = 64;

    private final NativeModel model;
    private final int maxRows;
    private final HandleGuard guard = HandleGuard.exclusive("batch");
    private cllm_batch handle;
    private IntPointer windows;
    private IntPointer predictions;
    private final IntPointer ns;
    private final IntPointer accepted;
    private final int maxSessions;

    /** A batch for up to maxRows rows in all, from at most maxSessions sessions. */
    public NativeBatch(NativeModel model, int maxRows, int maxSessions) {
        if (maxRows < 1) throw new IllegalArgumentException("maxRows must be >= 1, got " + maxRows);
        if (maxSessions < 1) throw new IllegalArgumentException("maxSessions must be >= 1, got " + maxSessions);
        if (model.isClosed()) throw new dev.cllm.CllmException(dev.cllm.CllmException.Status.STATE, "model is closed");
        this.model = model;
        this.maxRows = maxRows;
        this.maxSessions = maxSessions;
        cllm_batch h = new cllm_batch();
        NativeLibrary.Status.check(CllmNative.cllm_batch_create(model.handle(), maxRows, h), "creating a batch");
        this.handle = h;
        this.windows = new IntPointer(maxRows);
        this.predictions = new IntPointer(maxRows);
        this.ns = new IntPointer(maxSessions);
        this.accepted = new IntPointer(maxSessions);
    }

    public NativeModel model() {
        return model;
    }

    public int maxRows() {
        return maxRows;
    }

    /**
     * One Jacobi iteration for each session: session i forwards windows[i] (window[0] = its y0; length
     * 1 for an AR step). Returns predictions[i] (one per row of windows[i]) and accepted[i].
     */
    public Result step(List<NativeSession> sessions, int[][] windowsIn) {
        int count = sessions.size();
        if (count < 1 || count > maxSessions) {
            throw new IllegalArgumentException("a step takes 1 to " + maxSessions + " sessions, got " + count);
        }
        if (windowsIn.length != count) {
            throw new IllegalArgumentException(count + " sessions but " + windowsIn.length + " windows");
        }
        int rows = 0;
        for (int[] w : windowsIn) rows += w.length;
        if (rows > maxRows) throw new IllegalArgumentException(rows + " rows exceed the batch's " + maxRows);
        guard.enter();
        int entered = 0;
        try (PointerPointer<cllm_session> handles = new PointerPointer<>(count)) {
            for (NativeSession s : sessions) {
                if (s.model() != model)
                    throw new IllegalArgumentException("a session of another model than the batch's");
                s.enterCall();
                entered++;
            }
            int offset = 0;
            for (int i = 0; i < count; i++) {
                handles.put(i, sessions.get(i).handle());
                ns.put(i, windowsIn[i].length);
                windows.position(offset).put(windowsIn[i]);
                offset += windowsIn[i].length;
            }
            windows.position(0);
            NativeLibrary.Status.check(
                    CllmNative.cllm_batch_jacobi_step(handle, handles, count, windows, ns, predictions, accepted),
                    "batched Jacobi step");
            int[][] p = new int[count][];
            int[] k = new int[count];
            offset = 0;
            for (int i = 0; i < count; i++) {
                p[i] = new int[windowsIn[i].length];
                predictions.position(offset).get(p[i]);
                offset += p[i].length;
                k[i] = accepted.get(i);
            }
            predictions.position(0);
            return new Result(p, k);
        } finally {
            for (int i = 0; i < entered; i++) sessions.get(i).leaveCall();
            guard.leave();
        }
    }

    /** Per session: the predictions of its rows and its accepted count k. */
    public record Result(int[][] predictions, int[] accepted) {}

    public boolean isClosed() {
        return guard.isClosed();
    }

    /** Frees the batch's scratch; safe from any thread, waits for a step in flight. */
    @Override
    public void close() {
        guard.close(() -> {
            CllmNative.cllm_batch_free(handle);
            handle.setNull();
            handle = null;
            windows.close();
            predictions.close();
            ns.close();
            accepted.close();
        });
    }
}
