package dev.cllm.model;

import java.nio.ByteBuffer;

/**
 * GGUF's Q8_0 block: 32 consecutive values of a row as a little-endian fp16 scale d followed by 32 int8
 * q, value = d * q (34 bytes per 32 values, 8.5 bits per weight).
 *
 * <p>Quantising: d = max|x| / 127 rounded to fp16, q = x / d rounded to nearest (ties away from zero)
 * with the rounded d, clamped to [-127, 127]. Dividing by the stored d (not the exact one) keeps each
 * value within d/2 of what dequantisation gives back.
 */
public final class Q8Blocks {
    public static final int BLOCK_ELEMENTS = 32;
    public static final int BLOCK_BYTES = 2 + BLOCK_ELEMENTS;

    private Q8Blocks() {}

    /** Element {@code index} of Q8_0 data (blocks laid out one after the other). */
    public static float value(ByteBuffer data, long index) {
        int block = Math.toIntExact(index / BLOCK_ELEMENTS);
        int within = (int) (index % BLOCK_ELEMENTS);
        int at = block * BLOCK_BYTES;
        return HalfFloats.f16ToFloat(data.getShort(at)) * data.get(at + 2 + within);
    }

    /** Dequantises {@code blocks} blocks starting at block {@code firstBlock} into out[off..]. */
    public static void dequantize(ByteBuffer data, long firstBlock, int blocks, float[] out, int off) {
        int at = Math.toIntExact(firstBlock * BLOCK_BYTES);
        for (int b = 0; b < blocks; b++, at += BLOCK_BYTES) {
            float d = HalfFloats.f16ToFloat(data.getShort(at));
            for (int i = 0; i < BLOCK_ELEMENTS; i++) out[off++] = d * data.get(at + 2 + i);
        }
    }

    /**
     * Quantises values[off .. off+count) (count a multiple of 32) and puts the blocks at the position of
     * {@code out} (little-endian), advancing it. Throws IllegalArgumentException when a block's largest
     * magnitude is beyond what an fp16 scale can express (|x| > 65504 * 127).
     */
    public static void quantize(float[] values, int off, int count, ByteBuffer out) {
        if (count % BLOCK_ELEMENTS != 0) {
            throw new IllegalArgumentException("Q8_0 needs a multiple of " + BLOCK_ELEMENTS + " values, got " + count);
        }
        for (int start = off; start < off + count; start += BLOCK_ELEMENTS) {
            float max = 0;
            for (int i = 0; i < BLOCK_ELEMENTS; i++) max = Math.max(max, Math.abs(values[start + i]));
            short scaleBits = HalfFloats.floatToF16(max / 127f);
            float scale = HalfFloats.f16ToFloat(scaleBits);
            if (Float.isInfinite(scale)) {
                throw new IllegalArgumentException("value " + max + " is too large for a Q8_0 block (fp16 scale)");
            }
            out.putShort(scaleBits);
            for (int i = 0; i < BLOCK_ELEMENTS; i++) {
                out.put(scale == 0 ? 0 : (byte) roundClamped(values[start + i] / scale));
            }
        }
    }

    /** Round to nearest, ties away from zero, clamped to [-127, 127]; NaN becomes 0. */
    static int roundClamped(float v) {
        if (Float.isNaN(v)) return 0;
        double r = Math.floor(Math.abs((double) v) + 0.5); // in double: 0.49999997f + 0.5f would round up in float
        int q = (int) Math.min(127.0, r);
        return v < 0 ? -q : q;
    }
}
