package dev.cllm.model;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Little-endian encoding of GGUF header fields and metadata values into a growing byte array. */
final class GgufEncoder {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 16);

    GgufEncoder u8(int v) {
        out.write(v);
        return this;
    }

    GgufEncoder u16(int v) {
        return u8(v).u8(v >>> 8);
    }

    GgufEncoder u32(long v) {
        return u16((int) v).u16((int) (v >>> 16));
    }

    GgufEncoder u64(long v) {
        return u32(v).u32(v >>> 32);
    }

    GgufEncoder string(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        u64(bytes.length);
        out.writeBytes(bytes);
        return this;
    }

    /** A value without its type tag. */
    GgufEncoder value(GgufValue v) {
        switch (v.type()) {
            case UINT8, INT8, BOOL -> u8(v.value() instanceof Boolean b ? (b ? 1 : 0) : (int) (long) (Long) v.value());
            case UINT16, INT16 -> u16((int) (long) (Long) v.value());
            case UINT32, INT32 -> u32((Long) v.value());
            case UINT64, INT64 -> u64((Long) v.value());
            case FLOAT32 -> u32(Float.floatToRawIntBits((Float) v.value()));
            case FLOAT64 -> u64(Double.doubleToRawLongBits((Double) v.value()));
            case STRING -> string((String) v.value());
            case ARRAY -> array(v);
        }
        return this;
    }

    private void array(GgufValue v) {
        GgufValueType element = v.elementType();
        u32(element.id());
        u64(v.length());
        Object values = v.value();
        if (values instanceof long[] a) {
            for (long x : a) value(new GgufValue(element, null, x));
        } else if (values instanceof float[] a) {
            for (float x : a) u32(Float.floatToRawIntBits(x));
        } else if (values instanceof double[] a) {
            for (double x : a) u64(Double.doubleToRawLongBits(x));
        } else if (values instanceof boolean[] a) {
            for (boolean x : a) u8(x ? 1 : 0);
        } else if (values instanceof String[] a) {
            for (String x : a) string(x);
        } else {
            for (GgufValue x : (GgufValue[]) values) array(x);
        }
    }

    int size() {
        return out.size();
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }
}
