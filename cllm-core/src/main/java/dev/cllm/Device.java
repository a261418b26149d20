package dev.cllm;

/**
 * Where a model runs: the CPU, a CUDA device by ordinal, or {@link #auto()}. A plain value: creating,
 * parsing or comparing devices loads no native code. {@code AUTO} is resolved when a model is loaded
 * (CUDA device 0 when the CUDA backend is present and a device answers, else the CPU);
 * {@link Model#device()} tells which device a model got.
 */
public record Device(Kind kind, int index) {
    /** CPU, CUDA, or AUTO (decided when a model is loaded). */
    public enum Kind {
        AUTO,
        CPU,
        CUDA
    }

    public Device {
        if (kind == null) throw new IllegalArgumentException("device kind must not be null");
        if (index < 0) throw new IllegalArgumentException("device index must be >= 0, got " + index);
        if (kind != Kind.CUDA && index != 0) {
            throw new IllegalArgumentException("device index must be 0 for " + kind + ", got " + index);
        }
    }

    public static Device cpu() {
        return new Device(Kind.CPU, 0);
    }

    public static Device cuda(int index) {
        return new Device(Kind.CUDA, index);
    }

    /** CUDA device 0 when one answers at model load, else the CPU. Loads nothing now. */
    public static Device auto() {
        return new Device(Kind.AUTO, 0);
    }

    /** Whether the choice is left to model loading. */
    public boolean isAuto() {
        return kind == Kind.AUTO;
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

    /** {@code auto}, {@code cpu} or {@code cuda:N}: what {@link #parse} reads back. */
    @Override
    public String toString() {
        return switch (kind) {
            case AUTO -> "auto";
            case CPU -> "cpu";
            case CUDA -> "cuda:" + index;
        };
    }
}
