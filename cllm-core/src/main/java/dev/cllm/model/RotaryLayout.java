package dev.cllm.model;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The two row layouts of the Q and K projections. Rotary embedding turns pairs of query/key components
 * by the same angle; which components form a pair depends on the layout:
 * <ul>
 *   <li><b>rotate_half</b> (Hugging Face, and {@link ModelWeights}): within each head of d rows, row i pairs
 *       with row i + d/2;</li>
 *   <li><b>interleaved</b> (Meta's original checkpoints, llama2.c, GGUF files from llama.cpp's converter):
 *       row 2i pairs with row 2i + 1.</li>
 * </ul>
 * Pair i has the same frequency in both, so interleaved row 2i is rotate_half row i and interleaved row
 * 2i + 1 is rotate_half row i + d/2. Whole rows move, so this works for any dtype, block types included.
 * The result is a new tensor in a direct buffer (off the Java heap).
 */
public final class RotaryLayout {
    private RotaryLayout() {}

    /** Interleaved rows to rotate_half rows (the loaders of llama2.c and GGUF files). */
    public static Tensor toRotateHalf(Tensor interleaved, int headDim) {
        return permuteRows(interleaved, headDim, true);
    }

    /** Rotate_half rows to interleaved rows (the GGUF writer). */
    public static Tensor toInterleaved(Tensor rotateHalf, int headDim) {
        return permuteRows(rotateHalf, headDim, false);
    }

    /** Where rotate_half row {@code within} of a head sits in the interleaved layout. */
    public static int interleavedRow(int within, int headDim) {
        int half = headDim / 2;
        return within < half ? 2 * within : 2 * (within - half) + 1;
    }

    /** Where interleaved row {@code within} of a head sits in the rotate_half layout. */
    public static int rotateHalfRow(int within, int headDim) {
        return within % 2 == 0 ? within / 2 : headDim / 2 + within / 2;
    }

    private static Tensor permuteRows(Tensor t, int headDim, boolean toRotateHalf) {
        long[] shape = t.shape();
        if (shape.length != 2 || headDim <= 0 || headDim % 2 != 0 || shape[0] % headDim != 0) {
            throw new IllegalArgumentException("cannot permute the rotary rows of " + t + " with head dim " + headDim);
        }
        int rows = Math.toIntExact(shape[0]);
        int rowBytes = Math.toIntExact(t.rowBytes());
        ByteBuffer src = t.data();
        ByteBuffer dst = ByteBuffer.allocateDirect(src.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        for (int r = 0; r < rows; r++) {
            int head = r / headDim, within = r % headDim;
            int target =
                    head * headDim + (toRotateHalf ? rotateHalfRow(within, headDim) : interleavedRow(within, headDim));
            dst.put(target * rowBytes, src, r * rowBytes, rowBytes);
        }
        return new Tensor(t.name(), t.dtype(), shape, dst);
    }
}
