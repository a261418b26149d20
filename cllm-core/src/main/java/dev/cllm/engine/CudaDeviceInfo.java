package dev.cllm.engine;

import java.util.Locale;

/**
 * A CUDA device: ordinal, name, total memory in bytes and compute capability. The one device record of
 * the library: {@link NativeLibrary#cudaDeviceInfo} fills it through the engine, and
 * {@code dev.cllm.cuda.CudaDevices} through the Bytedeco CUDA preset.
 */
public record CudaDeviceInfo(int index, String name, long totalMemory, int ccMajor, int ccMinor) {
    @Override
    public String toString() {
        return String.format(
                Locale.ROOT,
                "cuda:%d %s (%.1f GiB, compute capability %d.%d)",
                index,
                name,
                totalMemory / (double) (1L << 30),
                ccMajor,
                ccMinor);
    }
}
