package dev.cllm.model;

import java.util.Arrays;

/**
 * One tensor of a GGUF file as its header describes it. {@code dims} are in ggml's order: dims[0] is the
 * length of a row (the fastest-moving index), so a PyTorch matrix [out, in] has dims [in, out];
 * {@link #shape()} gives the usual row-major order. {@code offset} is relative to the data section.
 */
public record GgufTensorInfo(String name, GgmlType type, long[] dims, long offset, long byteSize) {
    public GgufTensorInfo {
        dims = dims.clone();
    }

    @Override
    public long[] dims() {
        return dims.clone();
    }

    /** The shape, slowest dimension first (dims reversed). */
    public long[] shape() {
        long[] shape = new long[dims.length];
        for (int i = 0; i < dims.length; i++) shape[i] = dims[dims.length - 1 - i];
        return shape;
    }

    public long elements() {
        long n = 1;
        for (long d : dims) n *= d;
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GgufTensorInfo t
                && name.equals(t.name)
                && type == t.type
                && Arrays.equals(dims, t.dims)
                && offset == t.offset
                && byteSize == t.byteSize;
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(dims);
    }

    @Override
    public String toString() {
        return name + "[" + type + " " + Arrays.toString(shape()) + " @" + offset + "]";
    }
}
