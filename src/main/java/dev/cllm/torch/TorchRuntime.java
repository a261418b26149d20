package dev.cllm.torch;

import dev.cllm.CllmException;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.pytorch.global.torch;

/**
 * Loads LibTorch (CPU) once and sets its intra-op thread count. The first load in a fresh
 * {@code ~/.javacpp/cache} extracts about 445 MB; later loads take about one second.
 *
 * <p>The thread count is the system property {@code cllm.torch.threads} (default 2, the machines this
 * project trains on have two cores; one thread per physical core is what LibTorch likes).
 *
 * <p>Denormals: a confident model's softmax underflows into fp32 subnormals, and x86 arithmetic on
 * subnormals is about 25x slower (measured: a cross-entropy backward went from 0.2 s to 5 s). So, unless
 * {@code -Dcllm.torch.flushDenormals=false}, loading turns on flush-to-zero / denormals-are-zero (MXCSR
 * FTZ+DAZ) on the loading thread before LibTorch starts its OpenMP workers, which inherit it. The flag
 * is per thread: it also applies to Java float arithmetic on the loading thread (subnormal results become
 * 0), and another thread that runs LibTorch work calls {@link #flushDenormalsOnThisThread(boolean)}.
 */
public final class TorchRuntime {
    private static final int DEFAULT_THREADS = 2;
    private static volatile boolean loaded;

    private TorchRuntime() {}

    /** Loads LibTorch and applies the thread setting; cheap after the first call. */
    public static void ensureLoaded() {
        if (loaded) return;
        synchronized (TorchRuntime.class) {
            if (loaded) return;
            try {
                Loader.load(torch.class);
            } catch (UnsatisfiedLinkError e) {
                throw new CllmException(CllmException.Status.UNSUPPORTED,
                        "cannot load LibTorch for " + Loader.getPlatform() + ": " + e.getMessage(), e);
            }
            if (!"false".equals(System.getProperty("cllm.torch.flushDenormals"))) {
                org.bytedeco.pytorch.Context.setFlushDenormal(true);
            }
            torch.set_num_threads(Math.max(1, Integer.getInteger("cllm.torch.threads", DEFAULT_THREADS)));
            loaded = true;
        }
    }

    /** Sets LibTorch's intra-op thread count (process-wide). */
    public static void setThreads(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be positive, got " + threads);
        ensureLoaded();
        torch.set_num_threads(threads);
    }

    public static int threads() {
        ensureLoaded();
        return torch.get_num_threads();
    }

    /**
     * Sets flush-to-zero / denormals-are-zero for this thread (see the class comment); returns false when the
     * CPU does not support it.
     */
    public static boolean flushDenormalsOnThisThread(boolean on) {
        ensureLoaded();
        return org.bytedeco.pytorch.Context.setFlushDenormal(on);
    }

    /** Seeds LibTorch's default generator (every random op that takes no generator). */
    public static void manualSeed(long seed) {
        ensureLoaded();
        torch.manual_seed(seed);
    }
}
