package dev.cllm.model;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * One named tensor of a checkpoint: its dtype, shape and little-endian bytes. The buffer is usually a
 * slice of a memory-mapped file (nothing is copied through the Java heap); treat it as read-only.
 * {@code file} says where in that file (null for tensors in memory): the engine upload reads the bytes
 * from there instead of through the mapping ({@link FileRegion}).
 */
public record Tensor(String name, DType dtype, long[] shape, ByteBuffer data, FileRegion file) {
    /** A tensor held in memory (or mapped from a file the upload need not know). */
    public Tensor(String name, DType dtype, long[] shape, ByteBuffer data) {
        this(name, dtype, shape, data, null);
    }

    public Tensor {
        shape = shape.clone();
        data = data.slice().order(ByteOrder.LITTLE_ENDIAN);
        long expected = elementCount(shape) * dtype.bytes();
        if (data.remaining() != expected) {
            throw new IllegalArgumentException("tensor " + name + ": " + data.remaining() + " bytes for shape "
                    + Arrays.toString(shape) + " of " + dtype + " (needs " + expected + ")");
        }
        if (file != null && file.length() != expected) {
            throw new IllegalArgumentException("tensor " + name + ": file region of " + file.length() + " bytes for "
                    + expected + " bytes of data");
        }
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Number of elements. */
    public long size() {
        return elementCount(shape);
    }

    public static long elementCount(long[] shape) {
        long n = 1;
        for (long d : shape) n = Math.multiplyExact(n, d);
        return n;
    }

    /** Element i as a float, whatever the dtype (slow; for tests and small tensors). */
    public float getFloat(long i) {
        int index = Math.toIntExact(i);
        return switch (dtype) {
            case F32 -> data.getFloat(index * 4);
            case BF16 -> HalfFloats.bf16ToFloat(data.getShort(index * 2));
            case F16 -> HalfFloats.f16ToFloat(data.getShort(index * 2));
        };
    }

    /** All elements as floats (copies; for the LibTorch model, tests and small tensors). */
    public float[] toFloatArray() {
        float[] out = new float[Math.toIntExact(size())];
        if (dtype == DType.F32) {
            data.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        } else {
            for (int i = 0; i < out.length; i++) out[i] = getFloat(i);
        }
        return out;
    }

    /** A new F32 tensor holding values (in a direct buffer). */
    public static Tensor ofFloats(String name, long[] shape, float[] values) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asFloatBuffer().put(values);
        return new Tensor(name, DType.F32, shape, buffer);
    }

    @Override
    public String toString() {
        return "Tensor[" + name + ", " + dtype + ", " + Arrays.toString(shape) + "]";
    }
}
