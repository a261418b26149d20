package dev.cllm.torch;

import dev.cllm.CllmException;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.bytedeco.pytorch.Context;
import org.bytedeco.pytorch.global.torch;

/**
 * Loads LibTorch (CPU) once and sets up its threads and floating-point mode. The first load in a fresh
 * {@code ~/.javacpp/cache} extracts about 445 MB; later loads take about one second.
 *
 * <p>Threads. LibTorch here runs its own ops on an OpenMP pool (intra-op threads) and its matrix
 * products on OpenBLAS, which has a separate pthread pool; both pools busy-wait. Measured on the
 * two-core machines of this project, forward+backward of the 5M-parameter model (batch 8 x 256):
 * <ul>
 *   <li>1 intra-op + 1 OpenBLAS thread: about 2450 tokens/s, and it stays near its share of the CPU
 *       when other processes compete;</li>
 *   <li>1 + 2 (or 2 + 1): about 2900 to 3300 tokens/s on an idle machine, but 10x slower (300 tokens/s)
 *       as soon as another process takes a core, because each parallel region waits for a descheduled
 *       thread;</li>
 *   <li>2 + 2 (LibTorch's and OpenBLAS's own defaults): about 900 tokens/s even when idle, the two
 *       pools fight over the cores.</li>
 * </ul>
 * So the default is 1 + 1 ({@code -Dcllm.torch.threads}, {@code -Dcllm.torch.blasThreads}); on a
 * machine of its own, {@code setThreads(1, cores)} is up to 1.3x faster on two cores. Keep one of the two
 * at 1.
 *
 * <p>Denormals. A confident model's softmax underflows into fp32 subnormals, and x86 arithmetic on
 * subnormals is far slower (measured: a 2048^3 GEMM on subnormal input 35 s instead of 0.2 s; a
 * cross-entropy backward 5 s instead of 0.2 s). So, unless {@code -Dcllm.torch.flushDenormals=false},
 * flush-to-zero / denormals-are-zero (MXCSR FTZ+DAZ) is turned on for the calling thread at load time
 * (before any OpenMP or OpenBLAS pool thread exists: those inherit it and keep it) and again at every
 * {@link TorchLlama#forward} and {@link Losses} call ({@link #flushDenormals()}, one cheap JNI call).
 * Again, because the flag is per thread and HotSpot resets it to Java's standard value whenever native
 * code calls into Java (a reflective call through a native accessor, as JUnit makes; a JNI upcall) and
 * restores the caller's value on return: a flag set in one test method is gone in the next. Once set, it
 * also applies to Java float arithmetic on that thread (subnormal results become 0) until such a
 * boundary. Load LibTorch through this class before touching it any other way.
 */
public final class TorchRuntime {
    private static volatile boolean loaded;
    private static final boolean FLUSH_DENORMALS = !"false".equals(System.getProperty("cllm.torch.flushDenormals"));

    private TorchRuntime() {}

    /** Loads LibTorch and applies the thread and denormal settings; cheap after the first call. */
    public static void ensureLoaded() {
        if (loaded) return;
        synchronized (TorchRuntime.class) {
            if (loaded) return;
            try {
                Loader.load(torch.class);
                Loader.load(openblas_nolapack.class);
            } catch (UnsatisfiedLinkError e) {
                throw new CllmException(
                        CllmException.Status.UNSUPPORTED,
                        "cannot load LibTorch for " + Loader.getPlatform() + ": " + e.getMessage(),
                        e);
            }
            if (FLUSH_DENORMALS) Context.setFlushDenormal(true);
            loaded = true;
            setThreads(Integer.getInteger("cllm.torch.threads", 1), Integer.getInteger("cllm.torch.blasThreads", 1));
        }
    }

    /**
     * Sets LibTorch's intra-op (OpenMP) threads and OpenBLAS's threads, process-wide. Keep one of them at 1
     * (see the class comment).
     */
    public static void setThreads(int intraOpThreads, int blasThreads) {
        if (intraOpThreads < 1)
            throw new IllegalArgumentException("intraOpThreads must be positive, got " + intraOpThreads);
        if (blasThreads < 1) throw new IllegalArgumentException("blasThreads must be positive, got " + blasThreads);
        ensureLoaded();
        torch.set_num_threads(intraOpThreads);
        org.bytedeco.openblas.presets.openblas_nolapack.blas_set_num_threads(blasThreads);
    }

    /** LibTorch's intra-op thread count. */
    public static int threads() {
        ensureLoaded();
        return torch.get_num_threads();
    }

    /** OpenBLAS's thread count. */
    public static int blasThreads() {
        ensureLoaded();
        return org.bytedeco.openblas.presets.openblas_nolapack.blas_get_num_threads();
    }

    /**
     * Turns flush-to-zero / denormals-are-zero on for this thread unless disabled by
     * {@code -Dcllm.torch.flushDenormals=false} (see the class comment). The model and the losses call it;
     * call it before other heavy LibTorch work on a thread of your own.
     */
    public static void flushDenormals() {
        ensureLoaded();
        if (FLUSH_DENORMALS) Context.setFlushDenormal(true);
    }

    /**
     * Sets flush-to-zero / denormals-are-zero for this thread (see the class comment); returns false when the
     * CPU does not support it.
     */
    public static boolean flushDenormalsOnThisThread(boolean on) {
        ensureLoaded();
        return Context.setFlushDenormal(on);
    }

    /** Seeds LibTorch's default generator (every random op that takes no generator). */
    public static void manualSeed(long seed) {
        ensureLoaded();
        torch.manual_seed(seed);
    }
}
