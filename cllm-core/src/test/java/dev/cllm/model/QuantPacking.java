package dev.cllm.model;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Test-side packers that build ggml blocks from chosen integers, written from the block layouts as the
 * quantisers lay them out (where each bit of each value goes), independently of the decoders. A block
 * packed here and decoded by {@link GgmlDequantizer} must give back d * scale * q - dmin * min exactly.
 */
final class QuantPacking {
    private QuantPacking() {}

    static ByteBuffer block(int bytes) {
        return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    static short half(float v) {
        return HalfFloats.floatToF16(v);
    }

    /** Q4_0 / Q4_1: q[32] in 0..15; byte j = q[j] | q[j + 16] << 4. */
    static ByteBuffer q4(float d, Float m, int[] q) {
        ByteBuffer b = block(m == null ? 18 : 20);
        b.putShort(half(d));
        if (m != null) b.putShort(half(m));
        for (int j = 0; j < 16; j++) b.put((byte) (q[j] | (q[j + 16] << 4)));
        return b;
    }

    /** Q5_0 / Q5_1: q[32] in 0..31; the fifth bit of value i is bit i of a uint32. */
    static ByteBuffer q5(float d, Float m, int[] q) {
        ByteBuffer b = block(m == null ? 22 : 24);
        b.putShort(half(d));
        if (m != null) b.putShort(half(m));
        int high = 0;
        for (int i = 0; i < 32; i++) high |= ((q[i] >> 4) & 1) << i;
        b.putInt(high);
        for (int j = 0; j < 16; j++) b.put((byte) ((q[j] & 15) | ((q[j + 16] & 15) << 4)));
        return b;
    }

    /** The 2-bit array of Q2_K / Q3_K: byte 32 * h + l = q[128h + l] | q[128h + l + 32] << 2 | ... << 4 | ... << 6. */
    private static byte[] twoBits(int[] q) {
        byte[] out = new byte[64];
        for (int h = 0; h < 2; h++) {
            for (int l = 0; l < 32; l++) {
                int base = 128 * h + l;
                out[32 * h + l] = (byte) ((q[base] & 3)
                        | ((q[base + 32] & 3) << 2)
                        | ((q[base + 64] & 3) << 4)
                        | ((q[base + 96] & 3) << 6));
            }
        }
        return out;
    }

    /** Q2_K: q[256] in 0..3, scale[16] and min[16] in 0..15 (per 16 values). */
    static ByteBuffer q2k(float d, float dmin, int[] scale, int[] min, int[] q) {
        ByteBuffer b = block(84);
        for (int s = 0; s < 16; s++) b.put((byte) (scale[s] | (min[s] << 4)));
        b.put(twoBits(q));
        b.putShort(half(d)).putShort(half(dmin));
        return b;
    }

    /** Q3_K: q[256] in -4..3, scale[16] in -32..31: hmask bit set means the stored value is q + 4 >= 4. */
    static ByteBuffer q3k(float d, int[] scale, int[] q) {
        ByteBuffer b = block(110);
        int[] stored = new int[256];
        byte[] hmask = new byte[32];
        for (int j = 0; j < 256; j++) {
            int l = q[j] + 4;
            if (l > 3) {
                hmask[j % 32] |= (byte) (1 << (j / 32));
                l -= 4;
            }
            stored[j] = l;
        }
        byte[] scales = new byte[12];
        for (int j = 0; j < 16; j++) {
            int l = scale[j] + 32;
            if (j < 8) scales[j] = (byte) (l & 15);
            else scales[j - 8] |= (byte) ((l & 15) << 4);
            scales[8 + j % 4] |= (byte) ((l >> 4) << (2 * (j / 4)));
        }
        b.put(hmask).put(twoBits(stored)).put(scales).putShort(half(d));
        return b;
    }

    /** The 12 scale bytes of Q4_K / Q5_K: 8 six-bit scales and 8 six-bit mins. */
    static byte[] kScales(int[] scale, int[] min) {
        byte[] s = new byte[12];
        for (int j = 0; j < 8; j++) {
            if (j < 4) {
                s[j] = (byte) scale[j];
                s[j + 4] = (byte) min[j];
            } else {
                s[j + 4] = (byte) ((scale[j] & 15) | ((min[j] & 15) << 4));
                s[j - 4] |= (byte) ((scale[j] >> 4) << 6);
                s[j] |= (byte) ((min[j] >> 4) << 6);
            }
        }
        return s;
    }

    /** Q4_K: q[256] in 0..15, scale[8] and min[8] in 0..63 (per 32 values). */
    static ByteBuffer q4k(float d, float dmin, int[] scale, int[] min, int[] q) {
        ByteBuffer b = block(144);
        b.putShort(half(d)).putShort(half(dmin)).put(kScales(scale, min));
        for (int j = 0; j < 256; j += 64) {
            for (int l = 0; l < 32; l++) b.put((byte) (q[j + l] | (q[j + l + 32] << 4)));
        }
        return b;
    }

    /** Q5_K: q[256] in 0..31; the fifth bits of quarter n sit at bits 2n (first 32) and 2n + 1 (next 32) of qh[l]. */
    static ByteBuffer q5k(float d, float dmin, int[] scale, int[] min, int[] q) {
        ByteBuffer b = block(176);
        byte[] qh = new byte[32], ql = new byte[128];
        for (int n = 0; n < 4; n++) {
            for (int j = 0; j < 32; j++) {
                int l1 = q[64 * n + j], l2 = q[64 * n + j + 32];
                if (l1 > 15) qh[j] |= (byte) (1 << (2 * n));
                if (l2 > 15) qh[j] |= (byte) (2 << (2 * n));
                ql[32 * n + j] = (byte) ((l1 & 15) | ((l2 & 15) << 4));
            }
        }
        b.putShort(half(d))
                .putShort(half(dmin))
                .put(kScales(scale, min))
                .put(qh)
                .put(ql);
        return b;
    }

    /** Q6_K: q[256] in -32..31, scale[16] int8 (per 16 values). */
    static ByteBuffer q6k(float d, int[] scale, int[] q) {
        ByteBuffer b = block(210);
        byte[] ql = new byte[128], qh = new byte[64];
        for (int h = 0; h < 2; h++) {
            for (int l = 0; l < 32; l++) {
                int base = 128 * h + l;
                int q1 = q[base] + 32, q2 = q[base + 32] + 32, q3 = q[base + 64] + 32, q4 = q[base + 96] + 32;
                ql[64 * h + l] = (byte) ((q1 & 15) | ((q3 & 15) << 4));
                ql[64 * h + l + 32] = (byte) ((q2 & 15) | ((q4 & 15) << 4));
                qh[32 * h + l] = (byte) ((q1 >> 4) | ((q2 >> 4) << 2) | ((q3 >> 4) << 4) | ((q4 >> 4) << 6));
            }
        }
        b.put(ql).put(qh);
        for (int s = 0; s < 16; s++) b.put((byte) scale[s]);
        b.putShort(half(d));
        return b;
    }
}
