package dev.cllm.engine;

import dev.cllm.CllmException;
import dev.cllm.Device;
import dev.cllm.nativelib.CllmNative;
import java.io.File;
import org.bytedeco.javacpp.Loader;

/**
 * Loads the native engine from the jar (JavaCPP extracts it into its cache) and, only when CUDA is asked
 * for, the CUDA backend plugin. The CPU path never touches any CUDA library.
 */
public final class NativeLibrary {
    private static volatile boolean cudaPluginLoaded;
    private static volatile boolean loaded;

    private NativeLibrary() {}

    /**
     * Loads libcllm and its JNI glue once and checks that the library speaks the ABI this binding was
     * written for ({@link CllmNative#CLLM_ABI_VERSION}). Throws UNSUPPORTED with the cause when the library
     * cannot be loaded, or when its ABI version differs (naming both versions and the library file).
     */
    public static void ensureLoaded() {
        if (loaded) return;
        synchronized (NativeLibrary.class) {
            if (loaded) return;
            String jni;
            try {
                jni = Loader.load(CllmNative.class);
            } catch (UnsatisfiedLinkError e) {
                throw new CllmException(
                        CllmException.Status.UNSUPPORTED,
                        "cannot load the cllm native library for " + Loader.getPlatform() + ": " + e.getMessage(),
                        e);
            }
            checkAbiVersion(CllmNative.CLLM_ABI_VERSION, CllmNative.cllm_abi_version(), libraryFile(jni));
            loaded = true;
        }
    }

    /** Throws UNSUPPORTED naming both versions and the file unless the library's ABI version is expected. */
    static void checkAbiVersion(int expected, int actual, String file) {
        if (expected != actual) {
            throw new CllmException(
                    CllmException.Status.UNSUPPORTED,
                    "the cllm native library " + file
                            + " has ABI version " + actual + " but this cllm-core needs ABI version " + expected
                            + ": use the cllm-native jars of the same cllm version as cllm-core");
        }
    }

    /** The path of the loaded libcllm (where JavaCPP extracted it), else of the JNI glue. */
    private static String libraryFile(String jniPath) {
        for (String path : Loader.getLoadedLibraries().values()) {
            if (path != null && new File(path).getName().startsWith("libcllm.so")) return path;
        }
        return jniPath;
    }

    /**
     * The device a model asking for {@code device} gets: {@link Device.Kind#AUTO} becomes CUDA device 0
     * when the CUDA backend is present and a device answers, else the CPU (never fails); other devices
     * are returned as they are.
     */
    public static Device resolve(Device device) {
        if (device == null) throw new IllegalArgumentException("device must not be null");
        if (!device.isAuto()) return device;
        try {
            if (cudaDeviceCount() > 0) return Device.cuda(0);
        } catch (RuntimeException | LinkageError e) {
            // No usable CUDA backend: the CPU it is.
        }
        return Device.cpu();
    }

    /**
     * Extracts libcllm_cuda.so from the jar and hands its path to the engine. Returns false, without
     * throwing, when this build has no CUDA backend (built without nvcc).
     */
    public static synchronized boolean loadCudaPlugin() {
        ensureLoaded();
        if (cudaPluginLoaded) return true;
        String resource = "/dev/cllm/nativelib/" + Loader.getPlatform() + "/libcllm_cuda.so";
        if (CllmNative.class.getResource(resource) == null) return false;
        try {
            File file = Loader.cacheResource(CllmNative.class, resource);
            Status.check(CllmNative.cllm_cuda_plugin_load(file.getAbsolutePath()), "loading the CUDA backend");
            cudaPluginLoaded = true;
            return true;
        } catch (java.io.IOException e) {
            throw new CllmException(CllmException.Status.IO, "cannot extract the CUDA backend: " + e.getMessage(), e);
        }
    }

    /** Number of CUDA devices the CUDA backend sees (0 without a driver or without the backend). */
    public static int cudaDeviceCount() {
        if (!loadCudaPlugin()) return 0;
        try (org.bytedeco.javacpp.IntPointer count = new org.bytedeco.javacpp.IntPointer(1)) {
            int status = CllmNative.cllm_cuda_device_count(count);
            return status == CllmNative.CLLM_OK ? count.get() : 0;
        }
    }

    /**
     * Name, memory and compute capability of a CUDA device through the engine (no Bytedeco CUDA classes
     * involved). Throws {@link CllmException} (UNSUPPORTED without a device or without the CUDA backend).
     */
    public static CudaDeviceInfo cudaDeviceInfo(int device) {
        if (!loadCudaPlugin()) {
            throw new CllmException(CllmException.Status.UNSUPPORTED, "this build of cllm has no CUDA backend");
        }
        try (org.bytedeco.javacpp.BytePointer name = new org.bytedeco.javacpp.BytePointer(256);
                org.bytedeco.javacpp.IntPointer major = new org.bytedeco.javacpp.IntPointer(1);
                org.bytedeco.javacpp.IntPointer minor = new org.bytedeco.javacpp.IntPointer(1)) {
            long[] memory = new long[1];
            Status.check(
                    CllmNative.cllm_cuda_device_info(device, name, 256, memory, major, minor),
                    "querying CUDA device " + device);
            return new CudaDeviceInfo(device, name.getString(), memory[0], major.get(), minor.get());
        }
    }

    /**
     * Sets the CPU backend's threads, process-wide (one pool shared by every CPU session): {@code threads}
     * >= 1 uses that many, the calling thread included; 0 restores the default ({@code CLLM_NUM_THREADS},
     * else {@code OMP_NUM_THREADS}, else the CPUs this process may run on). Results do not depend on it.
     */
    public static void setCpuThreads(int threads) {
        if (threads < 0 || threads > MAX_CPU_THREADS) {
            throw new IllegalArgumentException(
                    "threads must be in [0, " + MAX_CPU_THREADS + "] (0: the default), got " + threads);
        }
        ensureLoaded();
        Status.check(CllmNative.cllm_set_num_threads(threads), "setting the CPU threads");
    }

    /** The CPU backend's thread count now (>= 1). */
    public static int cpuThreads() {
        ensureLoaded();
        return CllmNative.cllm_get_num_threads();
    }

    /** The largest thread count {@link #setCpuThreads} accepts. */
    public static final int MAX_CPU_THREADS = 1024;

    /** Status checking shared by the engine classes. */
    static final class Status {
        private Status() {}

        static void check(int status, String what) {
            if (status != CllmNative.CLLM_OK) {
                String message = CllmNative.cllm_last_error().getString();
                throw new CllmException(CllmException.Status.ofNative(status), what + ": " + message);
            }
        }
    }
}
