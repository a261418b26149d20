package dev.cllm.model;

import dev.cllm.nativelib.CllmNative;

/**
 * Element types of checkpoint tensors, with their safetensors names and sizes. F32, F16 and BF16 store
 * one value per element; Q8_0 stores blocks (GGUF's layout: per 32 consecutive values of a row, an fp16
 * scale then 32 int8, 34 bytes; value = scale * int8), so a Q8_0 tensor's rows must be multiples of 32.
 */
public enum DType {
    F32("F32", 4, 1, CllmNative.CLLM_DTYPE_F32),
    F16("F16", 2, 1, CllmNative.CLLM_DTYPE_F16),
    BF16("BF16", 2, 1, CllmNative.CLLM_DTYPE_BF16),
    /**
     * GGUF's Q8_0 blocks. Not a safetensors type; the engine takes the blocks as they are (the CPU backend
     * computes with them, the CUDA backend converts them to bf16 at upload; see {@code cllm.h}).
     */
    Q8_0(null, Q8Blocks.BLOCK_BYTES, Q8Blocks.BLOCK_ELEMENTS, CllmNative.CLLM_DTYPE_Q8_0);

    private final String safetensorsName;
    private final int blockBytes;
    private final int blockElements;
    private final int nativeCode;

    DType(String safetensorsName, int blockBytes, int blockElements, int nativeCode) {
        this.safetensorsName = safetensorsName;
        this.blockBytes = blockBytes;
        this.blockElements = blockElements;
        this.nativeCode = nativeCode;
    }

    /** The safetensors dtype name, or null for a type safetensors cannot hold (Q8_0). */
    public String safetensorsName() {
        return safetensorsName;
    }

    /** Bytes per element of a one-value-per-element type; a block type has none and throws. */
    public int bytes() {
        if (blockElements != 1) throw new UnsupportedOperationException(this + " is stored in blocks; use byteSize");
        return blockBytes;
    }

    /** Whether values are stored in blocks ({@link #blockElements()} > 1). */
    public boolean isBlocked() {
        return blockElements != 1;
    }

    /** Elements per block (1 for the plain types). Rows must be a multiple of it. */
    public int blockElements() {
        return blockElements;
    }

    /** Bytes per block. */
    public int blockBytes() {
        return blockBytes;
    }

    /** Bytes that {@code elements} values take; IllegalArgumentException when they are not whole blocks. */
    public long byteSize(long elements) {
        if (elements % blockElements != 0) {
            throw new IllegalArgumentException(
                    this + " needs a multiple of " + blockElements + " elements, got " + elements);
        }
        return Math.multiplyExact(elements / blockElements, (long) blockBytes);
    }

    /** The native dtype code (cllm.h's cllm_dtype). */
    public int nativeCode() {
        return nativeCode;
    }

    /** The dtype for a safetensors name, or null when this library does not support it. */
    public static DType ofSafetensors(String name) {
        for (DType d : values()) {
            if (d.safetensorsName != null && d.safetensorsName.equals(name)) return d;
        }
        return null;
    }
}
