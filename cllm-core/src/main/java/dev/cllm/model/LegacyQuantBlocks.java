package dev.cllm.model;

import java.nio.ByteBuffer;

/**
 * Dequantisation of ggml's first quantisation family: blocks of 32 values, each block with an fp16 scale
 * d (and for the _1 types an fp16 offset m), the values stored as 4- or 5-bit integers. Within a block,
 * byte j of the nibble array holds value j in its low nibble and value j + 16 in its high nibble; the
 * 5-bit types keep the fifth bits in a little-endian uint32 whose bit i belongs to value i.
 * <ul>
 *   <li>Q4_0 (18 bytes): d, 16 nibble bytes; value = (q - 8) * d.</li>
 *   <li>Q4_1 (20 bytes): d, m, 16 nibble bytes; value = q * d + m.</li>
 *   <li>Q5_0 (22 bytes): d, fifth bits, 16 nibble bytes; value = (q - 16) * d.</li>
 *   <li>Q5_1 (24 bytes): d, m, fifth bits, 16 nibble bytes; value = q * d + m.</li>
 * </ul>
 */
final class LegacyQuantBlocks {
    static final int BLOCK = 32;

    private LegacyQuantBlocks() {}

    /** Decodes the block at byte {@code at} of {@code b} into out[off .. off+32). */
    static void decode(GgmlType type, ByteBuffer b, int at, float[] out, int off) {
        switch (type) {
            case Q4_0 -> {
                float d = half(b, at);
                for (int j = 0; j < 16; j++) {
                    int q = b.get(at + 2 + j) & 0xff;
                    out[off + j] = ((q & 0xf) - 8) * d;
                    out[off + j + 16] = ((q >>> 4) - 8) * d;
                }
            }
            case Q4_1 -> {
                float d = half(b, at), m = half(b, at + 2);
                for (int j = 0; j < 16; j++) {
                    int q = b.get(at + 4 + j) & 0xff;
                    out[off + j] = (q & 0xf) * d + m;
                    out[off + j + 16] = (q >>> 4) * d + m;
                }
            }
            case Q5_0 -> {
                float d = half(b, at);
                int high = b.getInt(at + 2);
                for (int j = 0; j < 16; j++) {
                    int q = b.get(at + 6 + j) & 0xff;
                    out[off + j] = (((q & 0xf) | (((high >>> j) & 1) << 4)) - 16) * d;
                    out[off + j + 16] = (((q >>> 4) | (((high >>> (j + 16)) & 1) << 4)) - 16) * d;
                }
            }
            case Q5_1 -> {
                float d = half(b, at), m = half(b, at + 2);
                int high = b.getInt(at + 4);
                for (int j = 0; j < 16; j++) {
                    int q = b.get(at + 8 + j) & 0xff;
                    out[off + j] = ((q & 0xf) | (((high >>> j) & 1) << 4)) * d + m;
                    out[off + j + 16] = ((q >>> 4) | (((high >>> (j + 16)) & 1) << 4)) * d + m;
                }
            }
            default -> throw new IllegalArgumentException(type + " is not a legacy quant type");
        }
    }

    static float half(ByteBuffer b, int at) {
        return HalfFloats.f16ToFloat(b.getShort(at));
    }
}
