package dev.cllm.model;

import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import dev.cllm.CllmException;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parsed and validated JSON header of a safetensors file: one {@link Entry} per tensor, in header
 * order, and the optional {@code __metadata__} map. Parsing is a streaming read with Gson's
 * {@link JsonReader}; nothing is allocated from a number in the header before it has been checked.
 *
 * <p>Every problem is a {@link CllmException} with status BAD_FORMAT naming the file: malformed JSON or
 * UTF-8, nesting deeper than {@link #MAX_NESTING}, duplicate names, unknown dtypes, negative or
 * overflowing shapes, offsets outside the data section, {@code begin > end}, a byte size that is not
 * {@code product(shape) * dtype size}, and overlapping tensors. Gaps between tensors are allowed.
 */
public final class SafetensorsHeader {
    /** The largest header accepted, as in the reference safetensors implementation (100 MB). */
    public static final long MAX_HEADER_BYTES = 100_000_000L;
    /** The deepest JSON nesting accepted anywhere in a header. */
    public static final int MAX_NESTING = 64;
    /** The most dimensions a tensor may have. */
    public static final int MAX_RANK = 16;

    /** One tensor: its dtype, shape and byte range [begin, end) relative to the start of the data section. */
    public record Entry(String name, DType dtype, long[] shape, long begin, long end) {
        public Entry {
            shape = shape.clone();
        }

        @Override
        public long[] shape() {
            return shape.clone();
        }

        public long byteSize() {
            return end - begin;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Entry e
                    && name.equals(e.name)
                    && dtype == e.dtype
                    && Arrays.equals(shape, e.shape)
                    && begin == e.begin
                    && end == e.end;
        }

        @Override
        public int hashCode() {
            return name.hashCode() * 31 + Arrays.hashCode(shape);
        }

        @Override
        public String toString() {
            return name + "[" + dtype + " " + Arrays.toString(shape) + " @" + begin + ".." + end + "]";
        }
    }

    private final Map<String, Entry> entries;
    private final Map<String, String> metadata;

    private SafetensorsHeader(Map<String, Entry> entries, Map<String, String> metadata) {
        this.entries = Collections.unmodifiableMap(entries);
        this.metadata = Collections.unmodifiableMap(metadata);
    }

    /** The tensors in header order. */
    public Map<String, Entry> entries() {
        return entries;
    }

    /** The {@code __metadata__} map (empty when absent). */
    public Map<String, String> metadata() {
        return metadata;
    }

    /**
     * Parses and validates a header.
     *
     * @param json the header bytes (UTF-8 JSON, possibly padded with trailing spaces)
     * @param dataSize the size in bytes of the data section that follows the header
     * @param source the file, for error messages
     */
    public static SafetensorsHeader parse(byte[] json, long dataSize, Object source) {
        String text = decodeUtf8(json, source);
        JsonFiles.checkNesting(text, MAX_NESTING, source);
        SafetensorsHeader header;
        try {
            header = read(text, dataSize, source);
            checkOverlaps(header.entries.values(), source);
        } catch (IOException | RuntimeException e) {
            if (e instanceof CllmException c) throw c;
            // MalformedJsonException, IllegalStateException (wrong token), NumberFormatException, ...
            throw CllmException.badFormat(source, "malformed safetensors header" + JsonErrors.describe(e, 0));
        }
        return header;
    }

    private static String decodeUtf8(byte[] json, Object source) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(json))
                    .toString();
        } catch (CharacterCodingException e) {
            throw CllmException.badFormat(source, "safetensors header is not valid UTF-8");
        }
    }

    private static SafetensorsHeader read(String text, long dataSize, Object source) throws IOException {
        Map<String, Entry> entries = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        boolean sawMetadata = false;
        JsonReader reader = new JsonReader(new StringReader(text));
        reader.setStrictness(Strictness.STRICT);
        if (reader.peek() != JsonToken.BEGIN_OBJECT) {
            throw CllmException.badFormat(source, "safetensors header is not a JSON object");
        }
        reader.beginObject();
        while (reader.hasNext()) {
            String name = reader.nextName();
            if (name.equals("__metadata__")) {
                if (sawMetadata) throw CllmException.badFormat(source, "duplicate __metadata__ in safetensors header");
                sawMetadata = true;
                readMetadata(reader, metadata, source);
                continue;
            }
            if (entries.containsKey(name)) {
                throw CllmException.badFormat(source, "duplicate tensor " + name + " in safetensors header");
            }
            entries.put(name, readEntry(reader, name, dataSize, source));
        }
        reader.endObject();
        if (reader.peek() != JsonToken.END_DOCUMENT) {
            throw CllmException.badFormat(source, "trailing data after the safetensors header object");
        }
        return new SafetensorsHeader(entries, metadata);
    }

    private static void readMetadata(JsonReader reader, Map<String, String> metadata, Object source)
            throws IOException {
        if (reader.peek() == JsonToken.NULL) {
            reader.nextNull();
            return;
        }
        if (reader.peek() != JsonToken.BEGIN_OBJECT) {
            throw CllmException.badFormat(source, "__metadata__ must be a JSON object of strings");
        }
        reader.beginObject();
        while (reader.hasNext()) {
            String key = reader.nextName();
            if (reader.peek() != JsonToken.STRING) {
                throw CllmException.badFormat(source, "__metadata__ value for '" + key + "' must be a string");
            }
            metadata.put(key, reader.nextString());
        }
        reader.endObject();
    }

    private static Entry readEntry(JsonReader reader, String name, long dataSize, Object source) throws IOException {
        if (reader.peek() != JsonToken.BEGIN_OBJECT) {
            throw CllmException.badFormat(source, "tensor " + name + ": entry must be a JSON object");
        }
        String dtypeName = null;
        long[] shape = null;
        long[] offsets = null;
        reader.beginObject();
        while (reader.hasNext()) {
            String key = reader.nextName();
            switch (key) {
                case "dtype" -> {
                    if (dtypeName != null)
                        throw CllmException.badFormat(source, "tensor " + name + ": duplicate dtype");
                    if (reader.peek() != JsonToken.STRING) {
                        throw CllmException.badFormat(source, "tensor " + name + ": dtype must be a string");
                    }
                    dtypeName = reader.nextString();
                }
                case "shape" -> {
                    if (shape != null) throw CllmException.badFormat(source, "tensor " + name + ": duplicate shape");
                    shape = readLongs(reader, name, "shape", MAX_RANK, source);
                }
                case "data_offsets" -> {
                    if (offsets != null) {
                        throw CllmException.badFormat(source, "tensor " + name + ": duplicate data_offsets");
                    }
                    offsets = readLongs(reader, name, "data_offsets", 2, source);
                }
                default -> reader.skipValue();
            }
        }
        reader.endObject();
        if (dtypeName == null) throw CllmException.badFormat(source, "tensor " + name + ": missing dtype");
        if (shape == null) throw CllmException.badFormat(source, "tensor " + name + ": missing shape");
        if (offsets == null) throw CllmException.badFormat(source, "tensor " + name + ": missing data_offsets");
        DType dtype = DType.ofSafetensors(dtypeName);
        if (dtype == null) {
            throw CllmException.badFormat(
                    source,
                    "unsupported dtype " + printable(dtypeName) + " for tensor " + name
                            + " (supported: F32, F16, BF16)");
        }
        if (offsets.length != 2) {
            throw CllmException.badFormat(source, "tensor " + name + ": data_offsets must be [begin, end]");
        }
        long begin = offsets[0], end = offsets[1];
        if (begin < 0 || end < 0) {
            throw CllmException.badFormat(
                    source, "tensor " + name + ": negative data_offsets [" + begin + ", " + end + "]");
        }
        if (begin > end) {
            throw CllmException.badFormat(source, "tensor " + name + ": data_offsets begin " + begin + " > end " + end);
        }
        if (end > dataSize) {
            throw CllmException.badFormat(
                    source,
                    "tensor " + name + ": data_offsets [" + begin + ", " + end + "] outside the data section of "
                            + dataSize + " bytes (truncated file?)");
        }
        long bytes;
        try {
            long n = 1;
            for (long d : shape) {
                if (d < 0) {
                    throw CllmException.badFormat(
                            source, "tensor " + name + ": negative dimension in shape " + Arrays.toString(shape));
                }
                n = Math.multiplyExact(n, d);
            }
            bytes = dtype.byteSize(n);
        } catch (ArithmeticException e) {
            throw CllmException.badFormat(
                    source, "tensor " + name + ": shape " + Arrays.toString(shape) + " overflows");
        }
        if (bytes != end - begin) {
            throw CllmException.badFormat(
                    source,
                    "tensor " + name + ": shape " + Arrays.toString(shape) + " of " + dtype + " needs " + bytes
                            + " bytes but data_offsets [" + begin + ", " + end + "] hold " + (end - begin));
        }
        return new Entry(name, dtype, shape, begin, end);
    }

    /** An array of at most max non-negative-or-negative integers (range checks come later). */
    private static long[] readLongs(JsonReader reader, String name, String field, int max, Object source)
            throws IOException {
        if (reader.peek() != JsonToken.BEGIN_ARRAY) {
            throw CllmException.badFormat(source, "tensor " + name + ": " + field + " must be an array of integers");
        }
        List<Long> values = new ArrayList<>();
        reader.beginArray();
        while (reader.hasNext()) {
            if (values.size() >= max) {
                throw CllmException.badFormat(
                        source, "tensor " + name + ": " + field + " has more than " + max + " entries");
            }
            if (reader.peek() != JsonToken.NUMBER) {
                throw CllmException.badFormat(
                        source, "tensor " + name + ": " + field + " must be an array of integers");
            }
            String literal = reader.nextString();
            try {
                if (!literal.matches("-?[0-9]+")) throw new NumberFormatException();
                values.add(Long.parseLong(literal));
            } catch (NumberFormatException e) {
                throw CllmException.badFormat(
                        source,
                        "tensor " + name + ": " + field + " entry " + printable(literal) + " is not a 64-bit integer");
            }
        }
        reader.endArray();
        long[] out = new long[values.size()];
        for (int i = 0; i < out.length; i++) out[i] = values.get(i);
        return out;
    }

    private static void checkOverlaps(java.util.Collection<Entry> all, Object source) {
        List<Entry> sorted = new ArrayList<>();
        for (Entry e : all) {
            if (e.byteSize() > 0) sorted.add(e);
        }
        sorted.sort(Comparator.comparingLong(Entry::begin));
        for (int i = 1; i < sorted.size(); i++) {
            Entry prev = sorted.get(i - 1), cur = sorted.get(i);
            if (cur.begin() < prev.end()) {
                throw CllmException.badFormat(
                        source,
                        "tensors " + prev.name() + " [" + prev.begin() + ", " + prev.end() + ") and " + cur.name()
                                + " [" + cur.begin() + ", " + cur.end() + ") overlap");
            }
        }
    }

    /** A header string shortened for a message. */
    static String printable(String s) {
        return s.length() > 40 ? "'" + s.substring(0, 40) + "...'" : "'" + s + "'";
    }
}
