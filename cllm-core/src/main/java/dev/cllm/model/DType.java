package dev.cllm.model;

import dev.cllm.nativelib.CllmNative;

/** Element types of checkpoint tensors, with their safetensors names and sizes. */
public enum DType {
    F32("F32", 4, CllmNative.CLLM_DTYPE_F32),
    F16("F16", 2, CllmNative.CLLM_DTYPE_F16),
    BF16("BF16", 2, CllmNative.CLLM_DTYPE_BF16),
    /**
     * GGUF's Q8_0: each row in blocks of 32 values, a block being an fp16 scale d then 32 int8 q (value
     * d * q), 34 bytes. Not a safetensors type; the engine takes it as it is (see {@code cllm.h}).
     */
    Q8_0(null, 0, CllmNative.CLLM_DTYPE_Q8_0);

    /** Values per Q8_0 block, and the block's bytes. */
    public static final int Q8_0_BLOCK = 32, Q8_0_BLOCK_BYTES = 34;

    private final String safetensorsName;
    private final int bytes;
    private final int nativeCode;

    DType(String safetensorsName, int bytes, int nativeCode) {
        this.safetensorsName = safetensorsName;
        this.bytes = bytes;
        this.nativeCode = nativeCode;
    }

    /** The safetensors name (null for Q8_0, which safetensors files cannot hold). */
    public String safetensorsName() {
        return safetensorsName;
    }

    /** Bytes per element; Q8_0 has none (blocks of 32 values share a scale): use {@link #byteSize}. */
    public int bytes() {
        if (this == Q8_0) throw new UnsupportedOperationException("Q8_0 stores blocks of 32 values: use byteSize");
        return bytes;
    }

    /** Bytes of n elements; IllegalArgumentException for a Q8_0 count that is not a whole number of blocks. */
    public long byteSize(long n) {
        if (this != Q8_0) return Math.multiplyExact(n, (long) bytes);
        if (n % Q8_0_BLOCK != 0) {
            throw new IllegalArgumentException("Q8_0 holds whole blocks of 32 values; " + n + " is not a multiple of 32");
        }
        return Math.multiplyExact(n / Q8_0_BLOCK, (long) Q8_0_BLOCK_BYTES);
    }

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
