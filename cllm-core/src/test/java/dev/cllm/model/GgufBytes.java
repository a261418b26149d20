package dev.cllm.model;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A byte-level GGUF builder for tests, independent of {@link GgufWriter}: it writes exactly the fields it
 * is told to (so tests can build wrong files on purpose) and remembers where each count, length, type,
 * dimension and offset field lies, for the fuzz test to corrupt.
 */
final class GgufBytes {
    /** A header field: where it is, how wide, and what it means. */
    record Field(int offset, int width, String kind) {}

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final List<Field> fields = new ArrayList<>();

    GgufBytes raw(byte[] bytes) {
        out.writeBytes(bytes);
        return this;
    }

    private GgufBytes le(long v, int width, String kind) {
        if (kind != null) fields.add(new Field(out.size(), width, kind));
        for (int i = 0; i < width; i++) out.write((int) (v >>> (8 * i)));
        return this;
    }

    GgufBytes u8(int v) {
        return le(v, 1, null);
    }

    GgufBytes u32(long v, String kind) {
        return le(v, 4, kind);
    }

    GgufBytes u64(long v, String kind) {
        return le(v, 8, kind);
    }

    GgufBytes f32(float v) {
        return le(Float.floatToRawIntBits(v) & 0xffffffffL, 4, null);
    }

    GgufBytes string(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        u64(b.length, "length");
        out.writeBytes(b);
        return this;
    }

    /** Magic, version, tensor count, metadata count. */
    GgufBytes header(long version, long tensors, long kvs) {
        out.writeBytes("GGUF".getBytes(StandardCharsets.US_ASCII));
        return u32(version, "version").u64(tensors, "count").u64(kvs, "count");
    }

    private GgufBytes key(String key, GgufValueType type) {
        return string(key).u32(type.id(), "type");
    }

    GgufBytes kvString(String key, String value) {
        return key(key, GgufValueType.STRING).string(value);
    }

    GgufBytes kvU32(String key, long value) {
        return key(key, GgufValueType.UINT32).u32(value, "value");
    }

    GgufBytes kvF32(String key, float value) {
        return key(key, GgufValueType.FLOAT32).f32(value);
    }

    GgufBytes kvBool(String key, boolean value) {
        return key(key, GgufValueType.BOOL).u8(value ? 1 : 0);
    }

    GgufBytes kvStrings(String key, String[] values) {
        key(key, GgufValueType.ARRAY).u32(GgufValueType.STRING.id(), "type").u64(values.length, "count");
        for (String v : values) string(v);
        return this;
    }

    GgufBytes kvFloats(String key, float[] values) {
        key(key, GgufValueType.ARRAY).u32(GgufValueType.FLOAT32.id(), "type").u64(values.length, "count");
        for (float v : values) f32(v);
        return this;
    }

    GgufBytes kvInts(String key, int[] values) {
        key(key, GgufValueType.ARRAY).u32(GgufValueType.INT32.id(), "type").u64(values.length, "count");
        for (int v : values) u32(v & 0xffffffffL, null);
        return this;
    }

    /** A tensor info; shape slowest dimension first (written reversed, as ggml dims). */
    GgufBytes tensorInfo(String name, long[] shape, GgmlType type, long offset) {
        string(name).u32(shape.length, "ndims");
        for (int i = shape.length - 1; i >= 0; i--) u64(shape[i], "dim");
        return u32(type.id(), "type").u64(offset, "offset");
    }

    GgufBytes padTo(int alignment) {
        while (out.size() % alignment != 0) out.write(0);
        return this;
    }

    int size() {
        return out.size();
    }

    List<Field> fields() {
        return fields;
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }
}
