package dev.cllm.torch;

import java.util.Arrays;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/**
 * Copies between Java arrays / checkpoint tensors and LibTorch CPU tensors. Every tensor returned owns
 * its memory (no view of a Java buffer outlives the call) and belongs to the caller's open
 * {@link org.bytedeco.javacpp.PointerScope}, or to the caller when none is open.
 */
public final class TorchTensors {
    private TorchTensors() {}

    /** A new fp32 tensor of the given shape holding a copy of values. */
    public static Tensor floats(float[] values, long... shape) {
        checkCount(values.length, shape);
        TorchRuntime.ensureLoaded();
        return Scopes.compute(() -> {
            FloatPointer data = new FloatPointer(values);
            return torch.from_blob(data, shape, new TensorOptions(torch.ScalarType.Float))
                    .clone();
        });
    }

    /** A new int64 tensor of the given shape holding a copy of values. */
    public static Tensor longs(long[] values, long... shape) {
        checkCount(values.length, shape);
        TorchRuntime.ensureLoaded();
        return Scopes.compute(() -> {
            LongPointer data = new LongPointer(values);
            return torch.from_blob(data, shape, new TensorOptions(torch.ScalarType.Long))
                    .clone();
        });
    }

    /** Token ids of one sequence as an int64 tensor of shape [1, n]. */
    public static Tensor tokens(int[] tokens) {
        return tokens(new int[][] {tokens});
    }

    /** Token ids of equally long rows as an int64 tensor of shape [rows, n]. */
    public static Tensor tokens(int[][] rows) {
        int t = rows.length == 0 ? 0 : rows[0].length;
        long[] values = new long[Math.multiplyExact(rows.length, t)];
        for (int b = 0; b < rows.length; b++) {
            if (rows[b].length != t) {
                throw new IllegalArgumentException(
                        "tokens: row " + b + " has " + rows[b].length + " tokens, row 0 has " + t);
            }
            for (int i = 0; i < t; i++) values[b * t + i] = rows[b][i];
        }
        return longs(values, rows.length, t);
    }

    /**
     * A bool mask of shape [lengths.length, width] that is true at positions {@code t < lengths[b]}: the
     * real tokens of right-padded rows.
     */
    public static Tensor lengthMask(int[] lengths, int width) {
        long[] values = new long[Math.multiplyExact(lengths.length, width)];
        for (int b = 0; b < lengths.length; b++) {
            if (lengths[b] < 0 || lengths[b] > width) {
                throw new IllegalArgumentException(
                        "lengths[" + b + "] = " + lengths[b] + " outside [0, " + width + "]");
            }
            for (int i = 0; i < lengths[b]; i++) values[b * width + i] = 1;
        }
        TorchRuntime.ensureLoaded();
        return Scopes.compute(() -> longs(values, lengths.length, width).to(torch.ScalarType.Bool));
    }

    /** A bool tensor of the given shape (true where values is true). */
    public static Tensor bools(boolean[] values, long... shape) {
        long[] longs = new long[values.length];
        for (int i = 0; i < values.length; i++) longs[i] = values[i] ? 1 : 0;
        TorchRuntime.ensureLoaded();
        return Scopes.compute(() -> longs(longs, shape).to(torch.ScalarType.Bool));
    }

    /** A fp32 copy of a checkpoint tensor, whatever its dtype. */
    public static Tensor fromModel(dev.cllm.model.Tensor tensor) {
        return floats(tensor.toFloatArray(), tensor.shape());
    }

    /** All elements of t (any float dtype, any layout, detached) as floats in row-major order. */
    public static float[] toFloats(Tensor t) {
        long n = t.numel();
        if (n > Integer.MAX_VALUE)
            throw new IllegalArgumentException("tensor of " + n + " elements is too large for a float[]");
        float[] out = new float[(int) n];
        if (n == 0) return out;
        TorchRuntime.ensureLoaded();
        Scopes.run(() -> t.detach()
                .to(torch.ScalarType.Float)
                .contiguous()
                .data_ptr_float()
                .get(out));
        return out;
    }

    /** All elements of an integer tensor as longs in row-major order. */
    public static long[] toLongs(Tensor t) {
        long n = t.numel();
        if (n > Integer.MAX_VALUE)
            throw new IllegalArgumentException("tensor of " + n + " elements is too large for a long[]");
        long[] out = new long[(int) n];
        if (n == 0) return out;
        TorchRuntime.ensureLoaded();
        Scopes.run(() -> t.detach()
                .to(torch.ScalarType.Long)
                .contiguous()
                .data_ptr_long()
                .get(out));
        return out;
    }

    /** A F32 checkpoint tensor named name holding a copy of t. */
    public static dev.cllm.model.Tensor toModel(String name, Tensor t) {
        return dev.cllm.model.Tensor.ofFloats(name, shape(t), toFloats(t));
    }

    /** The shape of t. */
    public static long[] shape(Tensor t) {
        long[] shape = new long[(int) t.dim()];
        for (int i = 0; i < shape.length; i++) shape[i] = t.size(i);
        return shape;
    }

    private static void checkCount(long count, long[] shape) {
        long expected = dev.cllm.model.Tensor.elementCount(shape);
        if (expected != count) {
            throw new IllegalArgumentException(
                    count + " values for shape " + Arrays.toString(shape) + " (needs " + expected + ")");
        }
    }
}
