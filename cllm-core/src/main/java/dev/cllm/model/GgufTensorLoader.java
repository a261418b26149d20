package dev.cllm.model;

import dev.cllm.CllmException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Turns one GGUF tensor into a {@link Tensor}. F32, F16, BF16 and Q8_0 stay as they are (memory-mapped,
 * no copy). Other quantised types are dequantised at load, row by row, into a direct buffer. Re-quantising
 * a b-bit value (a multiple of its sub-block's step, within about 2^(b-1) steps of zero) to Q8_0 moves it
 * by at most 2^(b-1)/254 of that step, which adds roughly (2^(b-1)/127)^2 to the quantisation noise the
 * file already has: 0.4% for 4 bits, 1.6% for 5 bits, 6% for 6 bits. Hence:
 * <ul>
 *   <li>Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, Q3_K, Q4_K, Q5_K become <b>Q8_0</b> (8.5 bits, 1.06 bytes per weight,
 *       half of BF16);</li>
 *   <li>Q6_K becomes <b>BF16</b> (2 bytes per weight): its relative rounding of 2^-9 adds about 0.5%
 *       instead of 6%, and Q6_K is what Q4_K_M/Q5_K_M files use for their most sensitive matrices (the
 *       output head among them);</li>
 *   <li>1-D tensors (norms) in any quantised type become F32.</li>
 * </ul>
 */
final class GgufTensorLoader {
    private GgufTensorLoader() {}

    /** The dtype a tensor of this ggml type becomes, or null when this library cannot read the type. */
    static DType targetOf(GgmlType type, boolean matrix) {
        DType target = switch (type) {
            case F32 -> DType.F32;
            case F16 -> DType.F16;
            case BF16 -> DType.BF16;
            case Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, Q3_K, Q4_K, Q5_K -> DType.Q8_0;
            case Q6_K -> DType.BF16;
            default -> null;
        };
        boolean quantised = type != GgmlType.F32 && type != GgmlType.F16 && type != GgmlType.BF16;
        return target != null && quantised && !matrix ? DType.F32 : target;
    }

    /**
     * The tensor under {@code name}: the mapped bytes (with their place in the file, so that the engine
     * upload reads them without the mapping), or their dequantised copy.
     */
    static Tensor load(String name, GgufTensorInfo info, ByteBuffer data, FileRegion region, Object source) {
        long[] shape = info.shape();
        DType target = targetOf(info.type(), shape.length >= 2);
        if (target == null) {
            throw new CllmException(
                    CllmException.Status.UNSUPPORTED,
                    source + ": tensor " + GgufFile.printable(info.name()) + " has type " + info.type()
                            + ", which cllm cannot read (supported: " + GgmlDequantizer.SUPPORTED + ")");
        }
        if (info.type().name().equals(target.name())) return new Tensor(name, target, shape, data, region);
        int rowLength = Math.toIntExact(info.dims()[0]);
        long rows = rowLength == 0 ? 0 : info.elements() / rowLength;
        long bytes = rows * target.byteSize(rowLength);
        if (bytes > SafetensorsFile.MAX_TENSOR_BYTES) {
            throw new CllmException(
                    CllmException.Status.UNSUPPORTED,
                    source + ": tensor " + GgufFile.printable(info.name()) + " would take " + bytes + " bytes as "
                            + target + "; tensors over 2 GiB are not supported");
        }
        ByteBuffer out = allocate(bytes, info, source);
        float[] row = new float[rowLength];
        int blocksPerRow = rowLength / info.type().blockElements();
        for (long r = 0; r < rows; r++) {
            GgmlDequantizer.decode(info.type(), data, r * blocksPerRow, blocksPerRow, row, 0);
            switch (target) {
                case Q8_0 -> {
                    try {
                        Q8Blocks.quantize(row, 0, rowLength, out);
                    } catch (IllegalArgumentException e) {
                        throw CllmException.badFormat(
                                source,
                                "tensor " + GgufFile.printable(info.name()) + " row " + r + ": " + e.getMessage());
                    }
                }
                case BF16 -> {
                    for (float v : row) out.putShort(HalfFloats.floatToBf16(v));
                }
                case F32 -> {
                    for (float v : row) out.putFloat(v);
                }
                default -> throw new IllegalStateException("no conversion to " + target);
            }
        }
        out.flip();
        return new Tensor(name, target, shape, out);
    }

    private static ByteBuffer allocate(long bytes, GgufTensorInfo info, Object source) {
        try {
            return ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
        } catch (OutOfMemoryError e) {
            throw new CllmException(
                    CllmException.Status.OUT_OF_MEMORY,
                    source + ": dequantising tensor " + GgufFile.printable(info.name())
                            + " needs " + bytes + " more bytes of direct memory; raise -XX:MaxDirectMemorySize "
                            + "(CLLM_JAVA_OPTS for ./cllm)",
                    e);
        }
    }
}
