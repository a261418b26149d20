package dev.cllm.model;

import java.nio.ByteBuffer;
import java.util.EnumSet;
import java.util.Set;

/**
 * Decodes rows of the ggml tensor types this library reads into floats: F32, F16, BF16, Q8_0, the legacy
 * quants Q4_0, Q4_1, Q5_0, Q5_1 ({@link LegacyQuantBlocks}) and the K-quants Q2_K to Q6_K
 * ({@link KQuantBlocks}). Other types (the i-quants, ternary and FP4 types, integer types) are not read.
 */
public final class GgmlDequantizer {
    /** Every type {@link #decode} takes. */
    public static final Set<GgmlType> SUPPORTED = EnumSet.of(
            GgmlType.F32,
            GgmlType.F16,
            GgmlType.BF16,
            GgmlType.Q8_0,
            GgmlType.Q4_0,
            GgmlType.Q4_1,
            GgmlType.Q5_0,
            GgmlType.Q5_1,
            GgmlType.Q2_K,
            GgmlType.Q3_K,
            GgmlType.Q4_K,
            GgmlType.Q5_K,
            GgmlType.Q6_K);

    private GgmlDequantizer() {}

    public static boolean supports(GgmlType type) {
        return SUPPORTED.contains(type);
    }

    /**
     * Decodes {@code blocks} blocks of {@code type}, starting at block {@code firstBlock} of {@code data}, into
     * out[off ..] ({@code blocks * type.blockElements()} values).
     */
    public static void decode(GgmlType type, ByteBuffer data, long firstBlock, int blocks, float[] out, int off) {
        int at = Math.toIntExact(firstBlock * type.blockBytes());
        int n = type.blockElements();
        for (int i = 0; i < blocks; i++, at += type.blockBytes(), off += n) {
            switch (type) {
                case F32 -> out[off] = data.getFloat(at);
                case F16 -> out[off] = HalfFloats.f16ToFloat(data.getShort(at));
                case BF16 -> out[off] = HalfFloats.bf16ToFloat(data.getShort(at));
                case Q8_0 -> Q8Blocks.dequantize(data, at / Q8Blocks.BLOCK_BYTES, 1, out, off);
                case Q4_0, Q4_1, Q5_0, Q5_1 -> LegacyQuantBlocks.decode(type, data, at, out, off);
                case Q2_K, Q3_K, Q4_K, Q5_K, Q6_K -> KQuantBlocks.decode(type, data, at, out, off);
                default -> throw new IllegalArgumentException("cannot decode " + type);
            }
        }
    }
}
