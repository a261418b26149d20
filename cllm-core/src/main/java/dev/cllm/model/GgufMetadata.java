package dev.cllm.model;

import dev.cllm.CllmException;
import java.util.Map;

/**
 * Typed reads of GGUF metadata, each failing with a BAD_FORMAT error that names the source and the key
 * when a value has the wrong type or range. Integers of any GGUF integer type are accepted where an
 * integer is expected, FLOAT32 or FLOAT64 where a float is.
 */
public final class GgufMetadata {
    private final Map<String, GgufValue> values;
    private final Object source;

    public GgufMetadata(Map<String, GgufValue> values, Object source) {
        this.values = values;
        this.source = source;
    }

    public boolean has(String key) {
        return values.containsKey(key);
    }

    /** The raw value, or null. */
    public GgufValue get(String key) {
        return values.get(key);
    }

    public Map<String, GgufValue> all() {
        return values;
    }

    public String string(String key, String fallback) {
        GgufValue v = values.get(key);
        if (v == null) return fallback;
        if (v.type() != GgufValueType.STRING) throw wrongType(key, "a string", v);
        return (String) v.value();
    }

    public String requireString(String key) {
        String s = string(key, null);
        if (s == null) throw missing(key);
        return s;
    }

    /** A non-negative integer that fits an int, or fallback when absent. */
    public int count(String key, int fallback) {
        GgufValue v = values.get(key);
        if (v == null) return fallback;
        if (v.type() == GgufValueType.ARRAY || !v.type().isInteger()) throw wrongType(key, "an integer", v);
        long n = (Long) v.value();
        if (n < 0 || n > Integer.MAX_VALUE) {
            throw CllmException.badFormat(source, "metadata " + key + " = " + v.describe() + " is out of range");
        }
        return (int) n;
    }

    public int requireCount(String key) {
        if (!values.containsKey(key)) throw missing(key);
        return count(key, 0);
    }

    public float floatValue(String key, float fallback) {
        GgufValue v = values.get(key);
        if (v == null) return fallback;
        if (v.value() instanceof Float f) return f;
        if (v.value() instanceof Double d) return (float) (double) d;
        throw wrongType(key, "a float", v);
    }

    public boolean bool(String key, boolean fallback) {
        GgufValue v = values.get(key);
        if (v == null) return fallback;
        if (v.value() instanceof Boolean b) return b;
        throw wrongType(key, "a bool", v);
    }

    /** A string array, or null when absent. */
    public String[] strings(String key) {
        GgufValue v = values.get(key);
        if (v == null) return null;
        if (v.elementType() != GgufValueType.STRING) throw wrongType(key, "an array of strings", v);
        return (String[]) v.value();
    }

    /** A FLOAT32 array, or null when absent. */
    public float[] floats(String key) {
        GgufValue v = values.get(key);
        if (v == null) return null;
        if (v.elementType() != GgufValueType.FLOAT32) throw wrongType(key, "an array of float32", v);
        return (float[]) v.value();
    }

    /** An array of integers (any integer element type), or null when absent. */
    public long[] integers(String key) {
        GgufValue v = values.get(key);
        if (v == null) return null;
        if (v.elementType() == null || !v.elementType().isInteger()) throw wrongType(key, "an array of integers", v);
        return (long[]) v.value();
    }

    public CllmException missing(String key) {
        return CllmException.badFormat(source, "missing metadata " + key);
    }

    private CllmException wrongType(String key, String expected, GgufValue v) {
        return CllmException.badFormat(
                source,
                "metadata " + key + " must be " + expected + ", got "
                        + (v.type() == GgufValueType.ARRAY ? v.describe() : v.type() + " " + v.describe()));
    }
}
