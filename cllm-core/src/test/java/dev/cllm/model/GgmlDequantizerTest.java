package dev.cllm.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The ggml decoders against (1) hand-built blocks packed from chosen integers ({@link QuantPacking}), whose
 * values are known exactly, and (2) a straightforward element-by-element reference written from the
 * layout description, on random bytes (every bit pattern, including ones the packers never make).
 */
class GgmlDequantizerTest {
    private static final Random RANDOM = new Random(11);

    private static float h(float v) {
        return HalfFloats.f16ToFloat(HalfFloats.floatToF16(v));
    }

    private static int[] ints(int n, int lo, int hi) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = lo + RANDOM.nextInt(hi - lo + 1);
        return a;
    }

    private static float[] decode(GgmlType type, ByteBuffer block) {
        float[] out = new float[type.blockElements()];
        GgmlDequantizer.decode(type, block.flip(), 0, 1, out, 0);
        return out;
    }

    private static void assertClose(double expected, float actual, String what) {
        assertEquals(expected, actual, 1e-6 * Math.max(1, Math.abs(expected)), what);
    }

    @Test
    void handBuiltLegacyBlocksGiveTheirValues() {
        for (int trial = 0; trial < 50; trial++) {
            float d = h(0.01f + RANDOM.nextFloat()), m = h(RANDOM.nextFloat() - 0.5f);
            int[] q4 = ints(32, 0, 15), q5 = ints(32, 0, 31);
            float[] a = decode(GgmlType.Q4_0, QuantPacking.q4(d, null, q4));
            float[] b = decode(GgmlType.Q4_1, QuantPacking.q4(d, m, q4));
            float[] c = decode(GgmlType.Q5_0, QuantPacking.q5(d, null, q5));
            float[] e = decode(GgmlType.Q5_1, QuantPacking.q5(d, m, q5));
            for (int i = 0; i < 32; i++) {
                assertClose((q4[i] - 8) * (double) d, a[i], "Q4_0 " + i);
                assertClose(q4[i] * (double) d + m, b[i], "Q4_1 " + i);
                assertClose((q5[i] - 16) * (double) d, c[i], "Q5_0 " + i);
                assertClose(q5[i] * (double) d + m, e[i], "Q5_1 " + i);
            }
        }
    }

    @Test
    void handBuiltKQuantBlocksGiveTheirValues() {
        for (int trial = 0; trial < 30; trial++) {
            float d = h(0.001f + RANDOM.nextFloat() * 0.05f), dmin = h(RANDOM.nextFloat() * 0.05f);
            int[] s16 = ints(16, 0, 15), m16 = ints(16, 0, 15), q2 = ints(256, 0, 3);
            float[] v = decode(GgmlType.Q2_K, QuantPacking.q2k(d, dmin, s16, m16, q2));
            for (int i = 0; i < 256; i++) {
                assertClose((double) d * s16[i / 16] * q2[i] - (double) dmin * m16[i / 16], v[i], "Q2_K " + i);
            }
            int[] s3 = ints(16, -32, 31), q3 = ints(256, -4, 3);
            v = decode(GgmlType.Q3_K, QuantPacking.q3k(d, s3, q3));
            for (int i = 0; i < 256; i++) assertClose((double) d * s3[i / 16] * q3[i], v[i], "Q3_K " + i);
            int[] s8 = ints(8, 0, 63), m8 = ints(8, 0, 63), q4 = ints(256, 0, 15), q5 = ints(256, 0, 31);
            v = decode(GgmlType.Q4_K, QuantPacking.q4k(d, dmin, s8, m8, q4));
            for (int i = 0; i < 256; i++) {
                assertClose((double) d * s8[i / 32] * q4[i] - (double) dmin * m8[i / 32], v[i], "Q4_K " + i);
            }
            v = decode(GgmlType.Q5_K, QuantPacking.q5k(d, dmin, s8, m8, q5));
            for (int i = 0; i < 256; i++) {
                assertClose((double) d * s8[i / 32] * q5[i] - (double) dmin * m8[i / 32], v[i], "Q5_K " + i);
            }
            int[] s6 = ints(16, -128, 127), q6 = ints(256, -32, 31);
            v = decode(GgmlType.Q6_K, QuantPacking.q6k(d, s6, q6));
            for (int i = 0; i < 256; i++) assertClose((double) d * s6[i / 16] * q6[i], v[i], "Q6_K " + i);
        }
    }

    /** Element e of a block, read bit by bit as the layouts describe. */
    static double reference(GgmlType type, ByteBuffer b, int e) {
        switch (type) {
            case Q4_0, Q4_1, Q5_0, Q5_1 -> {
                boolean hasMin = type == GgmlType.Q4_1 || type == GgmlType.Q5_1;
                boolean five = type == GgmlType.Q5_0 || type == GgmlType.Q5_1;
                double d = f16(b, 0), m = hasMin ? f16(b, 2) : 0;
                int qs = 2 + (hasMin ? 2 : 0) + (five ? 4 : 0);
                int q = (u8(b, qs + e % 16) >> (e < 16 ? 0 : 4)) & 15;
                if (five) q |= ((b.getInt(qs - 4) >>> e) & 1) << 4;
                return hasMin ? q * d + m : (q - (five ? 16 : 8)) * d;
            }
            case Q2_K, Q3_K -> {
                int half = e / 128, r = e % 128, group = r / 32;
                int qsAt = type == GgmlType.Q2_K ? 16 : 32;
                int q = (u8(b, qsAt + 32 * half + r % 32) >> (2 * group)) & 3;
                int s = e / 16;
                if (type == GgmlType.Q2_K) {
                    return f16(b, 80) * (u8(b, s) & 15) * q - f16(b, 82) * (u8(b, s) >> 4);
                }
                boolean third = ((u8(b, e % 32) >> (e / 32)) & 1) != 0;
                int low = s < 8 ? u8(b, 96 + s) & 15 : u8(b, 96 + s - 8) >> 4;
                int high = (u8(b, 96 + 8 + s % 4) >> (2 * (s / 4))) & 3;
                return f16(b, 108) * ((low | (high << 4)) - 32) * (q - (third ? 0 : 4));
            }
            case Q4_K, Q5_K -> {
                int quarter = e / 64, r = e % 64, l = r % 32, nibble = r / 32, j = e / 32;
                int qs = type == GgmlType.Q4_K ? 16 : 48;
                int q = (u8(b, qs + 32 * quarter + l) >> (4 * nibble)) & 15;
                if (type == GgmlType.Q5_K) q += ((u8(b, 16 + l) >> j) & 1) * 16;
                int scale, min;
                if (j < 4) {
                    scale = u8(b, 4 + j) & 63;
                    min = u8(b, 4 + j + 4) & 63;
                } else {
                    scale = (u8(b, 4 + j + 4) & 15) | ((u8(b, 4 + j - 4) >> 6) << 4);
                    min = (u8(b, 4 + j + 4) >> 4) | ((u8(b, 4 + j) >> 6) << 4);
                }
                return f16(b, 0) * scale * q - f16(b, 2) * min;
            }
            case Q6_K -> {
                int half = e / 128, r = e % 128, k = r / 32, l = r % 32;
                int low = (u8(b, 64 * half + l + 32 * (k % 2)) >> (k < 2 ? 0 : 4)) & 15;
                int high = (u8(b, 128 + 32 * half + l) >> (2 * k)) & 3;
                return f16(b, 208) * b.get(192 + e / 16) * ((low | (high << 4)) - 32);
            }
            default -> throw new IllegalArgumentException(type.toString());
        }
    }

    private static int u8(ByteBuffer b, int at) {
        return b.get(at) & 0xff;
    }

    private static double f16(ByteBuffer b, int at) {
        return HalfFloats.f16ToFloat(b.getShort(at));
    }

    @Test
    void randomBytesDecodeAsTheElementWiseReference() {
        GgmlType[] types = {
            GgmlType.Q4_0,
            GgmlType.Q4_1,
            GgmlType.Q5_0,
            GgmlType.Q5_1,
            GgmlType.Q2_K,
            GgmlType.Q3_K,
            GgmlType.Q4_K,
            GgmlType.Q5_K,
            GgmlType.Q6_K
        };
        for (GgmlType type : types) {
            int blocks = 3;
            byte[] bytes = new byte[blocks * type.blockBytes()];
            RANDOM.nextBytes(bytes);
            ByteBuffer data = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            // Finite scales: random fp16 bits may be NaN or infinity, which would hide comparisons.
            for (int blk = 0; blk < blocks; blk++) {
                for (int at : scaleOffsets(type))
                    data.putShort(blk * type.blockBytes() + at, QuantPacking.half(RANDOM.nextFloat()));
            }
            float[] out = new float[blocks * type.blockElements()];
            GgmlDequantizer.decode(type, data, 0, blocks, out, 0);
            for (int blk = 0; blk < blocks; blk++) {
                ByteBuffer one = data.duplicate()
                        .position(blk * type.blockBytes())
                        .slice()
                        .order(ByteOrder.LITTLE_ENDIAN);
                for (int e = 0; e < type.blockElements(); e++) {
                    assertClose(
                            reference(type, one, e),
                            out[blk * type.blockElements() + e],
                            type + " block " + blk + " element " + e);
                }
            }
            // Decoding a later block alone gives the same values (block offsets are right).
            float[] last = new float[type.blockElements()];
            GgmlDequantizer.decode(type, data, blocks - 1, 1, last, 0);
            for (int e = 0; e < last.length; e++) assertEquals(out[(blocks - 1) * last.length + e], last[e]);
        }
    }

    private static int[] scaleOffsets(GgmlType type) {
        return switch (type) {
            case Q4_0, Q5_0 -> new int[] {0};
            case Q4_1, Q5_1, Q4_K, Q5_K -> new int[] {0, 2};
            case Q2_K -> new int[] {80, 82};
            case Q3_K -> new int[] {108};
            case Q6_K -> new int[] {208};
            default -> new int[0];
        };
    }

    @Test
    void q8BlocksQuantiseWithinHalfAStepAndKeepTheLargestValue() {
        float[] values = new float[64];
        for (int i = 0; i < values.length; i++) values[i] = (float) RANDOM.nextGaussian() * (i < 32 ? 0.02f : 3f);
        values[5] = -0.09f; // the block's largest magnitude, negative
        ByteBuffer out = ByteBuffer.allocate(2 * Q8Blocks.BLOCK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        Q8Blocks.quantize(values, 0, 64, out);
        assertEquals(68, out.position());
        float[] back = new float[64];
        Q8Blocks.dequantize(out.flip(), 0, 2, back, 0);
        for (int blk = 0; blk < 2; blk++) {
            float scale = HalfFloats.f16ToFloat(out.getShort(blk * Q8Blocks.BLOCK_BYTES));
            float max = 0;
            for (int i = 0; i < 32; i++) max = Math.max(max, Math.abs(values[32 * blk + i]));
            assertEquals(h(max / 127f), scale, "scale = max|x| / 127 as fp16");
            for (int i = 0; i < 32; i++) {
                int k = 32 * blk + i;
                assertTrue(
                        Math.abs(back[k] - values[k]) <= scale / 2 + 1e-7f,
                        "element " + k + ": " + values[k] + " -> " + back[k]);
                assertEquals(back[k], Q8Blocks.value(out, k));
            }
        }
        assertEquals(-127, out.get(2 + 5), "the largest magnitude becomes -127");
        assertEquals(0, Q8Blocks.roundClamped(0.49999997f), "no double rounding at one half");
        assertEquals(1, Q8Blocks.roundClamped(0.5f));
        assertEquals(-1, Q8Blocks.roundClamped(-0.5f));
        assertEquals(127, Q8Blocks.roundClamped(127.4f));
        assertEquals(0, Q8Blocks.roundClamped(Float.NaN));
        float[] zeros = new float[32];
        ByteBuffer z = ByteBuffer.allocate(34).order(ByteOrder.LITTLE_ENDIAN);
        Q8Blocks.quantize(zeros, 0, 32, z);
        for (int i = 0; i < 34; i++) assertEquals(0, z.get(i));
    }

    /**
     * Re-quantising dequantised K-quant values to Q8_0 (what the loader does for 2- to 5-bit types) adds at
     * most max|x| / 254 per value (plus fp16 rounding of the scale): about 15/254 of the 4-bit step.
     */
    @Test
    void requantisingQ4kToQ8AddsLessThanATenthOfTheFourBitStep() {
        double worstRatio = 0;
        for (int trial = 0; trial < 40; trial++) {
            // As a quantiser makes them: each sub-block's offset lies within its 15 steps (dmin * min <= 15 * step).
            float d = h(0.0005f + RANDOM.nextFloat() * 0.002f), dmin = d;
            int[] s8 = ints(8, 1, 63), m8 = new int[8], q4 = ints(256, 0, 15);
            for (int j = 0; j < 8; j++) m8[j] = RANDOM.nextInt(Math.min(63, 15 * s8[j]) + 1);
            float[] v = decode(GgmlType.Q4_K, QuantPacking.q4k(d, dmin, s8, m8, q4));
            ByteBuffer q8 = ByteBuffer.allocate(8 * Q8Blocks.BLOCK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            Q8Blocks.quantize(v, 0, 256, q8);
            float[] back = new float[256];
            Q8Blocks.dequantize(q8.flip(), 0, 8, back, 0);
            for (int blk = 0; blk < 8; blk++) {
                double max = 0, err = 0, step = (double) d * s8[blk];
                for (int i = 0; i < 32; i++) {
                    max = Math.max(max, Math.abs(v[32 * blk + i]));
                    err = Math.max(err, Math.abs(back[32 * blk + i] - v[32 * blk + i]));
                }
                assertTrue(err <= max / 254 * 1.002 + 1e-9, "block " + blk + ": error " + err + " for max " + max);
                worstRatio = Math.max(worstRatio, err / step);
            }
        }
        assertTrue(worstRatio < 0.1, "re-quantisation error vs the 4-bit step: " + worstRatio);
    }
}
