package dev.cllm.model;

import java.nio.ByteBuffer;

/**
 * Dequantisation of ggml's K-quants: super-blocks of 256 values split into sub-blocks of 16 or 32, each
 * sub-block with its own small integer scale (and for Q2_K, Q4_K, Q5_K a min), multiplied by the
 * super-block's fp16 d (and dmin). Layouts (ggml-common.h), offsets in bytes:
 * <ul>
 *   <li>Q2_K (84): scales[16] (low nibble scale, high nibble min, per 16 values), qs[64] (2-bit), d, dmin.
 *       value = d * scale * q - dmin * min.</li>
 *   <li>Q3_K (110): hmask[32] (third bits), qs[64] (low 2 bits), scales[12] (16 six-bit scales), d.
 *       value = d * (scale - 32) * (q - (third bit set ? 0 : 4)).</li>
 *   <li>Q4_K (144): d, dmin, scales[12] (8 six-bit scales and 8 mins, per 32 values), qs[128] (4-bit).
 *       value = d * scale * q - dmin * min.</li>
 *   <li>Q5_K (176): d, dmin, scales[12], qh[32] (fifth bits), qs[128]. As Q4_K with q up to 31.</li>
 *   <li>Q6_K (210): ql[128] (low 4 bits), qh[64] (high 2 bits), scales[16] (int8, per 16 values), d.
 *       value = d * scale * (q - 32).</li>
 * </ul>
 * Bit placement: the 2-bit and 4-bit arrays of a 128-value half (or 64-value quarter) interleave its
 * sub-blocks by shifting, as described at each type below.
 */
final class KQuantBlocks {
    static final int BLOCK = 256;

    private KQuantBlocks() {}

    /** Decodes the super-block at byte {@code at} of {@code b} into out[off .. off+256). */
    static void decode(GgmlType type, ByteBuffer b, int at, float[] out, int off) {
        switch (type) {
            case Q2_K -> q2k(b, at, out, off);
            case Q3_K -> q3k(b, at, out, off);
            case Q4_K -> q4k(b, at, out, off, false);
            case Q5_K -> q4k(b, at, out, off, true);
            case Q6_K -> q6k(b, at, out, off);
            default -> throw new IllegalArgumentException(type + " is not a K-quant type");
        }
    }

    private static int u8(ByteBuffer b, int at) {
        return b.get(at) & 0xff;
    }

    /**
     * Each 128-value half uses 32 bytes of qs; its 8 sub-blocks of 16 take bits (2k, 2k+1) of bytes 0-15
     * (sub-block 2k) and 16-31 (sub-block 2k+1), k = 0..3.
     */
    private static void q2k(ByteBuffer b, int at, float[] out, int off) {
        float d = LegacyQuantBlocks.half(b, at + 80), dmin = LegacyQuantBlocks.half(b, at + 82);
        int o = off, scale = 0;
        for (int half = 0; half < 2; half++) {
            int qs = at + 16 + 32 * half;
            for (int shift = 0; shift < 8; shift += 2) {
                for (int part = 0; part < 2; part++) {
                    int sc = u8(b, at + scale++);
                    float dl = d * (sc & 0xf), ml = dmin * (sc >>> 4);
                    for (int l = 0; l < 16; l++) out[o++] = dl * ((u8(b, qs + 16 * part + l) >>> shift) & 3) - ml;
                }
            }
        }
    }

    /**
     * Low 2 bits placed as in Q2_K; the third bit of value i is bit i / 32 of hmask[i % 32]. The 16 scales
     * are 6-bit: low 4 bits in the nibbles of scales[0..7] (scale i < 8 low nibble of byte i, i >= 8 high
     * nibble of byte i - 8), high 2 bits in scales[8 + i % 4] at bit 2 * (i / 4).
     */
    private static void q3k(ByteBuffer b, int at, float[] out, int off) {
        float d = LegacyQuantBlocks.half(b, at + 108);
        int hmask = at, sc = at + 96;
        int o = off, scale = 0, bit = 1;
        for (int half = 0; half < 2; half++) {
            int qs = at + 32 + 32 * half;
            for (int shift = 0; shift < 8; shift += 2) {
                for (int part = 0; part < 2; part++) {
                    int i = scale++;
                    int low = i < 8 ? u8(b, sc + i) & 0xf : u8(b, sc + i - 8) >>> 4;
                    int high = (u8(b, sc + 8 + i % 4) >>> (2 * (i / 4))) & 3;
                    float dl = d * ((low | (high << 4)) - 32);
                    for (int l = 0; l < 16; l++) {
                        int q = (u8(b, qs + 16 * part + l) >>> shift) & 3;
                        int third = (u8(b, hmask + 16 * part + l) & bit) != 0 ? 0 : 4;
                        out[o++] = dl * (q - third);
                    }
                }
                bit <<= 1;
            }
        }
    }

    /**
     * The 8 scales and mins of Q4_K/Q5_K (6 bits each) in 12 bytes: for j < 4, scale j = bytes[j] & 63 and
     * min j = bytes[j + 4] & 63; for j >= 4 the low 4 bits come from the nibbles of bytes[j + 4] (scale low,
     * min high) and the top 2 bits from the top bits of bytes[j - 4] (scale) and bytes[j] (min).
     */
    static int scale(ByteBuffer b, int scales, int j) {
        if (j < 4) return u8(b, scales + j) & 63;
        return (u8(b, scales + j + 4) & 0xf) | ((u8(b, scales + j - 4) >>> 6) << 4);
    }

    static int min(ByteBuffer b, int scales, int j) {
        if (j < 4) return u8(b, scales + j + 4) & 63;
        return (u8(b, scales + j + 4) >>> 4) | ((u8(b, scales + j) >>> 6) << 4);
    }

    /**
     * Each 64-value quarter uses 32 bytes of qs: values 0-31 in the low nibbles (sub-block 2k), 32-63 in
     * the high nibbles (sub-block 2k + 1). Q5_K's fifth bit of quarter k is bit 2k (low nibble values) or
     * 2k + 1 (high) of qh[l].
     */
    private static void q4k(ByteBuffer b, int at, float[] out, int off, boolean fiveBits) {
        float d = LegacyQuantBlocks.half(b, at), dmin = LegacyQuantBlocks.half(b, at + 2);
        int scales = at + 4, qh = at + 16, qs = fiveBits ? at + 48 : at + 16;
        int o = off;
        for (int quarter = 0; quarter < 4; quarter++) {
            for (int nibble = 0; nibble < 2; nibble++) {
                int j = 2 * quarter + nibble;
                float dl = d * scale(b, scales, j), ml = dmin * min(b, scales, j);
                int fifth = 1 << j;
                for (int l = 0; l < 32; l++) {
                    int q = (u8(b, qs + 32 * quarter + l) >>> (4 * nibble)) & 0xf;
                    if (fiveBits && (u8(b, qh + l) & fifth) != 0) q += 16;
                    out[o++] = dl * q - ml;
                }
            }
        }
    }

    /**
     * Each 128-value half uses 64 bytes of ql, 32 of qh and 8 scales. Value l + 32 * k of the half (k = 0..3,
     * l = 0..31): low 4 bits from ql[l + 32 * (k % 2)] (low nibble for k < 2, high for k >= 2), high 2 bits
     * from qh[l] at bit 2k, scale index 2k + l / 16.
     */
    private static void q6k(ByteBuffer b, int at, float[] out, int off) {
        float d = LegacyQuantBlocks.half(b, at + 208);
        for (int half = 0; half < 2; half++) {
            int ql = at + 64 * half, qh = at + 128 + 32 * half, sc = at + 192 + 8 * half;
            int y = off + 128 * half;
            for (int k = 0; k < 4; k++) {
                for (int l = 0; l < 32; l++) {
                    int low = (u8(b, ql + l + 32 * (k % 2)) >>> (k < 2 ? 0 : 4)) & 0xf;
                    int high = (u8(b, qh + l) >>> (2 * k)) & 3;
                    int q = (low | (high << 4)) - 32;
                    out[y + 32 * k + l] = d * b.get(sc + 2 * k + l / 16) * q;
                }
            }
        }
    }
}
