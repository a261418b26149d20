package dev.cllm;

import dev.cllm.engine.NativeLibrary;

/**
 * Where a model runs: the CPU, or a CUDA device by ordinal. {@link #auto()} picks CUDA device 0 when the
 * CUDA backend is built and a device answers, else the CPU.
 */
public record Device(Kind kind, int index) {
    public enum Kind { CPU, CUDA }

    public Device {
        if (kind == null) throw new IllegalArgumentException("device kind must not be null");
        if (index < 0) throw new IllegalArgumentException("device index must be >= 0, got " + index);
    }

    public static Device cpu() {
        return new Device(Kind.CPU, 0);
    }

    public static Device cuda(int index) {
        return new Device(Kind.CUDA, index);
    }

    /** CUDA device 0 when one answers, else the CPU. Never fails. */
    public static Device auto() {
        try {
            if (NativeLibrary.cudaDeviceCount() > 0) return cuda(0);
        } catch (RuntimeException | LinkageError e) {
            // No usable CUDA backend: the CPU it is.
        }
        return cpu();
    }

    /** Parses {@code auto}, {@code cpu}, {@code cuda} or {@code cuda:N}. */
    public static Device parse(String text) {
        if (text == null) throw new IllegalArgumentException("device must not be null");
        String t = text.trim().toLowerCase(java.util.Locale.ROOT);
        if (t.equals("auto")) return auto();
        if (t.equals("cpu")) return cpu();
        if (t.equals("cuda")) return cuda(0);
        if (t.startsWith("cuda:")) {
            try {
                return cuda(Integer.parseInt(t.substring(5)));
            } catch (NumberFormatException e) {
                // fall through to the error below
            }
        }
        throw new IllegalArgumentException("device must be auto, cpu, cuda or cuda:N, got '" + text + "'");
    }

    @Override
    public String toString() {
        return kind == Kind.CPU ? "cpu" : "cuda:" + index;
    }
}
