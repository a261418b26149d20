package dev.cllm;

import dev.cllm.model.DType;
import dev.cllm.model.ModelWeights;
import dev.cllm.model.Tensor;
import dev.cllm.nativelib.CllmNative;
import java.util.Locale;

/**
 * The element type the engine stores a model's matrices in and computes with, whatever type the checkpoint
 * holds (conversion happens once, at load). On the CPU: {@link #F32}; {@link #BF16} (half the bytes; where
 * the CPU has AVX512-BF16, activations are rounded to bf16 too); {@link #Q8_0} (8-bit weights in blocks of
 * 32 with one scale, GGUF's Q8_0, and activations quantised per row the same way). The CUDA backend
 * stores bf16 only. Every type keeps Jacobi output equal to AR output token for token.
 *
 * <p>{@code null} where a weight type is asked for means the checkpoint's own type
 * ({@link #ofCheckpoint}).
 */
public enum WeightType {
    F32(CllmNative.CLLM_DTYPE_F32),
    BF16(CllmNative.CLLM_DTYPE_BF16),
    Q8_0(CllmNative.CLLM_DTYPE_Q8_0);

    private final int nativeCode;

    WeightType(int nativeCode) {
        this.nativeCode = nativeCode;
    }

    public int nativeCode() {
        return nativeCode;
    }

    /** The command-line name: f32, bf16 or q8_0. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses f32, bf16 or q8_0 (any case); IllegalArgumentException naming the choices otherwise. */
    public static WeightType parse(String text) {
        if (text != null) {
            for (WeightType t : values()) {
                if (t.cliName().equalsIgnoreCase(text.strip())) return t;
            }
        }
        throw new IllegalArgumentException("weights must be f32, bf16 or q8_0, got '" + text + "'");
    }

    /** The type for a native dtype code. */
    public static WeightType ofNative(int code) {
        for (WeightType t : values()) {
            if (t.nativeCode == code) return t;
        }
        throw new IllegalArgumentException("no weight type for native dtype " + code);
    }

    /**
     * The checkpoint's own type: the type its matrices share (BF16 stays BF16, Q8_0 stays Q8_0), else F32
     * (F32 or F16 matrices, for which there is no f16 kernel, or a mix of types).
     */
    public static WeightType ofCheckpoint(ModelWeights weights) {
        DType shared = null;
        for (Tensor t : weights.tensors().values()) {
            if (t.shape().length != 2) continue; // norm vectors are always fp32 in the engine
            if (shared != null && shared != t.dtype()) return F32;
            shared = t.dtype();
        }
        if (shared == DType.BF16) return BF16;
        if (shared == DType.Q8_0) return Q8_0;
        return F32;
    }
}
