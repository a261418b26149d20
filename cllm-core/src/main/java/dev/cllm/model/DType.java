package dev.cllm.model;

import dev.cllm.nativelib.CllmNative;

/** Element types of checkpoint tensors, with their safetensors names and sizes. */
public enum DType {
    F32("F32", 4, CllmNative.CLLM_DTYPE_F32),
    F16("F16", 2, CllmNative.CLLM_DTYPE_F16),
    BF16("BF16", 2, CllmNative.CLLM_DTYPE_BF16);

    private final String safetensorsName;
    private final int bytes;
    private final int nativeCode;

    DType(String safetensorsName, int bytes, int nativeCode) {
        this.safetensorsName = safetensorsName;
        this.bytes = bytes;
        this.nativeCode = nativeCode;
    }

    public String safetensorsName() {
        return safetensorsName;
    }

    public int bytes() {
        return bytes;
    }

    public int nativeCode() {
        return nativeCode;
    }

    /** The dtype for a safetensors name, or null when this library does not support it. */
    public static DType ofSafetensors(String name) {
        for (DType d : values()) {
            if (d.safetensorsName.equals(name)) return d;
        }
        return null;
    }
}
