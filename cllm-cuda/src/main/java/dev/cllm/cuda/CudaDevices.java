package dev.cllm.cuda;

import dev.cllm.engine.CudaDeviceInfo;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.cuda.cudart.cudaDeviceProp;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.Loader;

/**
 * CUDA device discovery through the Bytedeco CUDA preset: name, memory and compute capability of each
 * device, as the library's one device record {@link CudaDeviceInfo} (the same record the engine's
 * {@link dev.cllm.engine.NativeLibrary#cudaDeviceInfo} returns). This class is the only one that loads the preset's native library, which needs the driver
 * ({@code libcuda.so.1}); nothing on the CPU path references it, so a machine without a driver never
 * loads it. Without a driver {@link #discover()} reports "no CUDA driver" instead of failing (the
 * preset's classes stay unusable in that JVM, which survives).
 */
public final class CudaDevices {
    /** The devices found, or none and the reason. */
    public record Discovery(List<CudaDeviceInfo> devices, String problem) {
        public boolean available() {
            return !devices.isEmpty();
        }
    }

    private static volatile Discovery cached;

    private CudaDevices() {}

    /** Lists the CUDA devices once per JVM; never throws. */
    public static Discovery discover() {
        Discovery result = cached;
        if (result == null) {
            synchronized (CudaDevices.class) {
                if (cached == null) cached = probe();
                result = cached;
            }
        }
        return result;
    }

    private static Discovery probe() {
        try {
            Loader.load(cudart.class);
        } catch (UnsatisfiedLinkError | NoClassDefFoundError | ExceptionInInitializerError e) {
            // Without libcuda.so.1 the preset reports a misleading "no jnicudart": say what it means.
            return new Discovery(
                    List.of(), "no CUDA driver (libcuda.so.1 could not be loaded: " + e.getMessage() + ")");
        }
        try {
            int[] count = new int[1];
            int status = cudart.cudaGetDeviceCount(count);
            if (status != cudart.cudaSuccess) {
                return new Discovery(
                        List.of(),
                        "no CUDA device: " + cudart.cudaGetErrorString(status).getString());
            }
            List<CudaDeviceInfo> devices = new ArrayList<>();
            for (int i = 0; i < count[0]; i++) {
                try (cudaDeviceProp prop = new cudaDeviceProp()) {
                    status = cudart.cudaGetDeviceProperties(prop, i);
                    if (status != cudart.cudaSuccess) {
                        return new Discovery(
                                List.copyOf(devices),
                                "cannot query CUDA device " + i + ": "
                                        + cudart.cudaGetErrorString(status).getString());
                    }
                    devices.add(new CudaDeviceInfo(
                            i, prop.name().getString(), prop.totalGlobalMem(), prop.major(), prop.minor()));
                }
            }
            return new Discovery(List.copyOf(devices), devices.isEmpty() ? "no CUDA device" : "");
        } catch (RuntimeException | LinkageError e) {
            return new Discovery(List.of(), "CUDA device discovery failed: " + e);
        }
    }
}
