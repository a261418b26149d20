package dev.cllm.model;

import java.util.Arrays;

/**
 * One GGUF metadata value with its exact type. Scalars hold a {@code Long} (every integer type; UINT64
 * above 2^63 - 1 wraps to negative), {@code Float} (FLOAT32), {@code Double} (FLOAT64), {@code Boolean} or
 * {@code String}. Arrays ({@code type} ARRAY) hold {@code long[]}, {@code float[]}, {@code double[]},
 * {@code boolean[]}, {@code String[]} or {@code GgufValue[]} (nested arrays) by {@code elementType}.
 */
public record GgufValue(GgufValueType type, GgufValueType elementType, Object value) {
    public GgufValue {
        if (type == null || value == null) throw new IllegalArgumentException("type and value must not be null");
        if ((type == GgufValueType.ARRAY) != (elementType != null)) {
            throw new IllegalArgumentException("an element type goes with arrays and only with arrays");
        }
    }

    public static GgufValue uint32(long v) {
        if (v < 0 || v > 0xffffffffL) throw new IllegalArgumentException("uint32 out of range: " + v);
        return new GgufValue(GgufValueType.UINT32, null, v);
    }

    public static GgufValue int32(int v) {
        return new GgufValue(GgufValueType.INT32, null, (long) v);
    }

    public static GgufValue uint64(long v) {
        return new GgufValue(GgufValueType.UINT64, null, v);
    }

    public static GgufValue float32(float v) {
        return new GgufValue(GgufValueType.FLOAT32, null, v);
    }

    public static GgufValue bool(boolean v) {
        return new GgufValue(GgufValueType.BOOL, null, v);
    }

    public static GgufValue string(String v) {
        return new GgufValue(GgufValueType.STRING, null, v);
    }

    public static GgufValue strings(String[] v) {
        return new GgufValue(GgufValueType.ARRAY, GgufValueType.STRING, v.clone());
    }

    public static GgufValue float32s(float[] v) {
        return new GgufValue(GgufValueType.ARRAY, GgufValueType.FLOAT32, v.clone());
    }

    public static GgufValue int32s(int[] v) {
        return new GgufValue(
                GgufValueType.ARRAY,
                GgufValueType.INT32,
                Arrays.stream(v).asLongStream().toArray());
    }

    /** Number of elements of an array, 1 for a scalar. */
    public int length() {
        if (type != GgufValueType.ARRAY) return 1;
        if (value instanceof long[] a) return a.length;
        if (value instanceof float[] a) return a.length;
        if (value instanceof double[] a) return a.length;
        if (value instanceof boolean[] a) return a.length;
        return ((Object[]) value).length;
    }

    /** A short description for messages and {@code cllm info}: the value, or an array's type and length. */
    public String describe() {
        if (type == GgufValueType.ARRAY) return "array of " + length() + " " + elementType;
        if (value instanceof String s) return "'" + GgufFile.printable(s) + "'";
        if (type == GgufValueType.UINT64) return Long.toUnsignedString((Long) value);
        return String.valueOf(value);
    }
}
