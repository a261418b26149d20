package dev.cllm.model;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * One named tensor of a checkpoint: its dtype, shape and little-endian bytes. The buffer is usually a
 * slice of a memory-mapped file (nothing is copied through the Java heap); treat it as read-only.
 * {@code file} says where in that file (null for tensors in memory): the engine upload reads the bytes
 * from there instead of through the mapping ({@link FileRegion}). A block dtype (Q8_0) needs a last
 * dimension that is a multiple of its block.
 */
public record Tensor(String name, DType dtype, long[] shape, ByteBuffer data, FileRegion file) {
    /** A tensor held in memory (or mapped from a file the upload need not know). */
    public Tensor(String name, DType dtype, long[] shape, ByteBuffer data) {
        this(name, dtype, shape, data, null);
    }

    public Tensor {
        shape = shape.clone();
        data = data.slice().order(ByteOrder.LITTLE_ENDIAN);
        if (dtype.isBlocked() && (shape.length == 0 || shape[shape.length - 1] % dtype.blockElements() != 0)) {
            throw new IllegalArgumentException("tensor " + name + ": " + dtype + " needs rows of a multiple of "
                    + dtype.blockElements() + " elements, got shape " + Arrays.toString(shape));
        }
        long expected = dtype.byteSize(elementCount(shape));
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
            case Q8_0 -> Q8Blocks.value(data, i);
        };
    }

    /**
     * Elements [start, start + count) as floats into out[off..]. For Q8_0, start and count must be
     * multiples of the block (32).
     */
    public void getFloats(long start, int count, float[] out, int off) {
        if (start < 0 || count < 0 || start + count > size()) {
            throw new IndexOutOfBoundsException("elements [" + start + ", " + (start + count) + ") of " + this);
        }
        int first = Math.toIntExact(start);
        switch (dtype) {
            case F32 ->
                data.duplicate()
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .position(first * 4)
                        .asFloatBuffer()
                        .get(out, off, count);
            case BF16 -> {
                for (int i = 0; i < count; i++) out[off + i] = HalfFloats.bf16ToFloat(data.getShort((first + i) * 2));
            }
            case F16 -> {
                for (int i = 0; i < count; i++) out[off + i] = HalfFloats.f16ToFloat(data.getShort((first + i) * 2));
            }
            case Q8_0 -> {
                if (start % Q8Blocks.BLOCK_ELEMENTS != 0 || count % Q8Blocks.BLOCK_ELEMENTS != 0) {
                    throw new IllegalArgumentException("Q8_0 elements must be read in whole blocks of 32");
                }
                Q8Blocks.dequantize(data, start / Q8Blocks.BLOCK_ELEMENTS, count / Q8Blocks.BLOCK_ELEMENTS, out, off);
            }
        }
    }

    /** All elements as floats (copies; for the LibTorch model, tests and small tensors). */
    public float[] toFloatArray() {
        float[] out = new float[Math.toIntExact(size())];
        getFloats(0, out.length, out, 0);
        return out;
    }

    /** Bytes of one row (the last dimension; the whole tensor when it has one dimension). */
    public long rowBytes() {
        return shape.length == 0 ? dtype.byteSize(1) : dtype.byteSize(shape[shape.length - 1]);
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

    /**
     * This tensor with its bytes in memory of its own (a direct buffer): read from its file with plain reads
     * where it knows its {@link FileRegion} (so a file truncated since it was mapped is an IO error, not a
     * SIGBUS), else copied from its buffer.
     */
    public Tensor inMemory() {
        ByteBuffer copy = ByteBuffer.allocateDirect(data.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        if (file == null || !file.readInto(copy, name)) copy.put(data.duplicate());
        return new Tensor(name, dtype, shape, copy.flip());
    }
}
