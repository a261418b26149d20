package dev.cllm.model;

import dev.cllm.CllmException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A memory-mapped GGUF file (versions 2 and 3, little-endian), read as ggml's {@code docs/gguf.md}
 * describes it: the magic "GGUF", a uint32 version, uint64 tensor and metadata counts, the typed metadata
 * key-value pairs, the tensor infos (name, dims, ggml type, offset), padding to {@code general.alignment}
 * (default 32), then the tensor data.
 *
 * <p>Every count, length, dimension, type and offset is checked against the bytes that are really
 * there before anything is allocated or mapped, so a corrupt file is a one-line {@link CllmException}
 * (BAD_FORMAT naming the file, the byte offset or key or tensor, and what is wrong) and never an
 * {@code OutOfMemoryError} or a read outside the file. UNSUPPORTED: version 1, big-endian files, tensor
 * types this reader does not know, and tensors over 2 GiB (each tensor is mapped as one buffer).
 */
public final class GgufFile {
    /** "GGUF" read as a little-endian uint32. */
    public static final int MAGIC = 0x46554747;

    public static final int DEFAULT_ALIGNMENT = 32;
    public static final String ALIGNMENT_KEY = "general.alignment";
    /** ggml's GGML_MAX_DIMS. */
    public static final int MAX_DIMS = 4;

    static final int MAX_KEY_BYTES = 65535;
    static final int MAX_STRING_BYTES = 1 << 28;
    static final int MAX_ARRAY_NESTING = 8;
    private static final int HEADER_BYTES = 4 + 4 + 8 + 8;
    private static final int MIN_KV_BYTES = 8 + 4 + 1;
    private static final int MIN_TENSOR_INFO_BYTES = 8 + 4 + 8 + 4 + 8;

    private final Path path;
    private final int version;
    private final Map<String, GgufValue> metadata;
    private final Map<String, GgufTensorInfo> infos;
    private final Map<String, ByteBuffer> data;
    private final int alignment;
    private final long dataStart;
    private final Object fileKey;

    private GgufFile(
            Path path,
            int version,
            Map<String, GgufValue> metadata,
            Map<String, GgufTensorInfo> infos,
            Map<String, ByteBuffer> data,
            int alignment,
            long dataStart,
            Object fileKey) {
        this.path = path;
        this.version = version;
        this.metadata = Collections.unmodifiableMap(metadata);
        this.infos = Collections.unmodifiableMap(infos);
        this.data = data;
        this.alignment = alignment;
        this.dataStart = dataStart;
        this.fileKey = fileKey;
    }

    /** Whether the file starts with the GGUF magic (false when it cannot be read). */
    public static boolean hasMagic(Path path) {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            while (b.hasRemaining()) {
                if (channel.read(b) < 0) return false;
            }
            return b.getInt(0) == MAGIC;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Opens, validates and maps a GGUF file. */
    public static GgufFile open(Path path) {
        return open(path, true);
    }

    /** Reads and validates the header, metadata and tensor infos without mapping tensors ({@link #data} is null). */
    public static GgufFile readHeader(Path path) {
        return open(path, false);
    }

    private static GgufFile open(Path path, boolean mapTensors) {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long fileSize = channel.size();
            if (fileSize < HEADER_BYTES) {
                throw CllmException.badFormat(
                        path,
                        "not a GGUF file: " + fileSize + " bytes, shorter than the " + HEADER_BYTES + "-byte header");
            }
            ByteBuffer window = channel.map(FileChannel.MapMode.READ_ONLY, 0, Math.min(fileSize, Integer.MAX_VALUE));
            GgufCursor in = new GgufCursor(window, path, fileSize);
            int version = readVersion(in, path);
            long tensorCount = in.u64("tensor count");
            long kvCount = in.u64("metadata count");
            if (kvCount < 0 || kvCount > in.remaining() / MIN_KV_BYTES) {
                throw CllmException.badFormat(
                        path,
                        "metadata count " + Long.toUnsignedString(kvCount) + " cannot fit in the " + fileSize
                                + "-byte file");
            }
            if (tensorCount < 0 || tensorCount > in.remaining() / MIN_TENSOR_INFO_BYTES) {
                throw CllmException.badFormat(
                        path,
                        "tensor count " + Long.toUnsignedString(tensorCount) + " cannot fit in the " + fileSize
                                + "-byte file");
            }
            Map<String, GgufValue> metadata = readMetadata(in, (int) kvCount, path);
            int alignment = alignment(metadata, path);
            Map<String, GgufTensorInfo> infos = readTensorInfos(in, (int) tensorCount, path);
            long dataStart = (in.position() + alignment - 1) / alignment * alignment;
            long dataSize = fileSize - dataStart;
            checkPlacement(infos.values(), alignment, dataSize, path);
            Map<String, ByteBuffer> data = new LinkedHashMap<>();
            Object fileKey = FileRegion.fileKey(path); // taken while the file is open, as it is mapped
            for (GgufTensorInfo t : mapTensors ? infos.values() : List.<GgufTensorInfo>of()) {
                if (t.byteSize() > SafetensorsFile.MAX_TENSOR_BYTES) {
                    throw new CllmException(
                            CllmException.Status.UNSUPPORTED,
                            path + ": tensor " + printable(t.name()) + " is " + t.byteSize()
                                    + " bytes; tensors over 2 GiB are not supported");
                }
                ByteBuffer b = channel.map(FileChannel.MapMode.READ_ONLY, dataStart + t.offset(), t.byteSize());
                data.put(t.name(), b.order(ByteOrder.LITTLE_ENDIAN));
            }
            return new GgufFile(path, version, metadata, infos, data, alignment, dataStart, fileKey);
        } catch (NoSuchFileException e) {
            throw new CllmException(CllmException.Status.IO, path + ": no such file", e);
        } catch (IOException e) {
            throw new CllmException(CllmException.Status.IO, path + ": cannot read: " + e, e);
        }
    }

    private static int readVersion(GgufCursor in, Path path) {
        long magic = in.u32("magic");
        if (magic != (MAGIC & 0xffffffffL)) {
            throw CllmException.badFormat(
                    path, String.format("not a GGUF file: magic 0x%08x (expected \"GGUF\")", magic));
        }
        long version = in.u32("version");
        if (version == 2 || version == 3) return (int) version;
        if (version == 1) {
            throw new CllmException(
                    CllmException.Status.UNSUPPORTED,
                    path + ": GGUF version 1 (32-bit counts) is not "
                            + "supported; convert the model again with a current llama.cpp");
        }
        long swapped = Integer.reverseBytes((int) version) & 0xffffffffL;
        if (swapped >= 1 && swapped <= 3) {
            throw new CllmException(
                    CllmException.Status.UNSUPPORTED, path + ": big-endian GGUF files are not supported");
        }
        throw CllmException.badFormat(path, "unknown GGUF version " + version + " (supported: 2 and 3)");
    }

    private static Map<String, GgufValue> readMetadata(GgufCursor in, int count, Path path) {
        Map<String, GgufValue> out = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            String key = in.string(MAX_KEY_BYTES, "metadata key #" + i);
            if (out.containsKey(key))
                throw CllmException.badFormat(path, "duplicate metadata key '" + printable(key) + "'");
            long typeId = in.u32("type of metadata key '" + printable(key) + "'");
            GgufValueType type = GgufValueType.ofId(typeId);
            if (type == null) {
                throw CllmException.badFormat(
                        path, "metadata key '" + printable(key) + "' has unknown value type " + typeId);
            }
            out.put(key, readValue(in, type, key, 0, path));
        }
        return out;
    }

    private static GgufValue readValue(GgufCursor in, GgufValueType type, String key, int depth, Path path) {
        String what = "value of metadata key '" + printable(key) + "'";
        return switch (type) {
            case UINT8 -> new GgufValue(type, null, (long) in.u8(what));
            case INT8 -> new GgufValue(type, null, (long) (byte) in.u8(what));
            case UINT16 -> new GgufValue(type, null, (long) in.u16(what));
            case INT16 -> new GgufValue(type, null, (long) (short) in.u16(what));
            case UINT32 -> new GgufValue(type, null, in.u32(what));
            case INT32 -> new GgufValue(type, null, (long) in.i32(what));
            case UINT64, INT64 -> new GgufValue(type, null, in.u64(what));
            case FLOAT32 -> new GgufValue(type, null, in.f32(what));
            case FLOAT64 -> new GgufValue(type, null, in.f64(what));
            case BOOL -> {
                int b = in.u8(what);
                if (b > 1)
                    throw CllmException.badFormat(path, "metadata key '" + printable(key) + "': bool value " + b);
                yield new GgufValue(type, null, b == 1);
            }
            case STRING -> new GgufValue(type, null, in.string(MAX_STRING_BYTES, what));
            case ARRAY -> readArray(in, key, depth, path);
        };
    }

    private static GgufValue readArray(GgufCursor in, String key, int depth, Path path) {
        if (depth >= MAX_ARRAY_NESTING) {
            throw CllmException.badFormat(
                    path, "metadata key '" + printable(key) + "': arrays nested deeper than " + MAX_ARRAY_NESTING);
        }
        long typeId = in.u32("element type of metadata key '" + printable(key) + "'");
        GgufValueType element = GgufValueType.ofId(typeId);
        if (element == null) {
            throw CllmException.badFormat(
                    path, "metadata key '" + printable(key) + "': unknown array element type " + typeId);
        }
        long count = in.u64("length of metadata key '" + printable(key) + "'");
        if (count < 0 || count > in.remaining() / element.minimumSize()) {
            throw CllmException.badFormat(
                    path,
                    "metadata key '" + printable(key) + "': array of " + Long.toUnsignedString(count) + " " + element
                            + " cannot fit in the " + in.remaining() + " bytes left");
        }
        int n = (int) count;
        String what = "element of metadata key '" + printable(key) + "'";
        Object values = switch (element) {
            case FLOAT32 -> {
                float[] a = new float[n];
                for (int i = 0; i < n; i++) a[i] = in.f32(what);
                yield a;
            }
            case FLOAT64 -> {
                double[] a = new double[n];
                for (int i = 0; i < n; i++) a[i] = in.f64(what);
                yield a;
            }
            case BOOL -> {
                boolean[] a = new boolean[n];
                for (int i = 0; i < n; i++)
                    a[i] = (Boolean)
                            readValue(in, element, key, depth + 1, path).value();
                yield a;
            }
            case STRING -> {
                String[] a = new String[n];
                for (int i = 0; i < n; i++) a[i] = in.string(MAX_STRING_BYTES, what);
                yield a;
            }
            case ARRAY -> {
                GgufValue[] a = new GgufValue[n];
                for (int i = 0; i < n; i++) a[i] = readArray(in, key, depth + 1, path);
                yield a;
            }
            default -> {
                long[] a = new long[n];
                for (int i = 0; i < n; i++) {
                    a[i] = switch (element) {
                        case UINT8 -> in.u8(what);
                        case INT8 -> (byte) in.u8(what);
                        case UINT16 -> in.u16(what);
                        case INT16 -> (short) in.u16(what);
                        case UINT32 -> in.u32(what);
                        case INT32 -> in.i32(what);
                        default -> in.u64(what);
                    };
                }
                yield a;
            }
        };
        return new GgufValue(GgufValueType.ARRAY, element, values);
    }

    private static int alignment(Map<String, GgufValue> metadata, Path path) {
        GgufValue v = metadata.get(ALIGNMENT_KEY);
        if (v == null) return DEFAULT_ALIGNMENT;
        if (!v.type().isInteger()) {
            throw CllmException.badFormat(path, ALIGNMENT_KEY + " must be an integer, got " + v.type());
        }
        long a = (Long) v.value();
        if (a < 1 || a > (1 << 24) || Long.bitCount(a) != 1) {
            throw CllmException.badFormat(
                    path, ALIGNMENT_KEY + " " + v.describe() + " is not a power of two in [1, 2^24]");
        }
        return (int) a;
    }

    private static Map<String, GgufTensorInfo> readTensorInfos(GgufCursor in, int count, Path path) {
        Map<String, GgufTensorInfo> out = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            String name = in.string(MAX_KEY_BYTES, "name of tensor #" + i);
            if (out.containsKey(name)) throw CllmException.badFormat(path, "duplicate tensor " + printable(name));
            long nDims = in.u32("dimension count of tensor " + printable(name));
            if (nDims < 1 || nDims > MAX_DIMS) {
                throw CllmException.badFormat(
                        path,
                        "tensor " + printable(name) + " has " + nDims + " dimensions (1 to " + MAX_DIMS + " allowed)");
            }
            long[] dims = new long[(int) nDims];
            for (int d = 0; d < dims.length; d++) {
                dims[d] = in.u64("dimension " + d + " of tensor " + printable(name));
                if (dims[d] < 0) {
                    throw CllmException.badFormat(
                            path,
                            "tensor " + printable(name) + ": dimension " + d + " is " + Long.toUnsignedString(dims[d]));
                }
            }
            long typeId = in.u32("type of tensor " + printable(name));
            GgmlType type = GgmlType.ofId(typeId);
            if (type == null) {
                throw new CllmException(
                        CllmException.Status.UNSUPPORTED,
                        path + ": tensor " + printable(name) + " has ggml type " + typeId
                                + ", which this reader does not know");
            }
            long offset = in.u64("offset of tensor " + printable(name));
            if (offset < 0) {
                throw CllmException.badFormat(
                        path, "tensor " + printable(name) + ": offset " + Long.toUnsignedString(offset));
            }
            out.put(name, new GgufTensorInfo(name, type, dims, offset, byteSize(name, type, dims, path)));
        }
        return out;
    }

    private static long byteSize(String name, GgmlType type, long[] dims, Path path) {
        if (dims[0] % type.blockElements() != 0) {
            throw CllmException.badFormat(
                    path,
                    "tensor " + printable(name) + ": rows of " + dims[0] + " values are not whole " + type
                            + " blocks of " + type.blockElements());
        }
        try {
            long rows = 1;
            for (int d = 1; d < dims.length; d++) rows = Math.multiplyExact(rows, dims[d]);
            Math.multiplyExact(rows, dims[0]);
            long rowBytes = type.rowBytes(dims[0]);
            if (rowBytes < 0) throw new ArithmeticException();
            return Math.multiplyExact(rows, rowBytes);
        } catch (ArithmeticException e) {
            throw CllmException.badFormat(
                    path, "tensor " + printable(name) + ": dims " + Arrays.toString(dims) + " overflow");
        }
    }

    private static void checkPlacement(
            java.util.Collection<GgufTensorInfo> infos, int alignment, long dataSize, Path path) {
        for (GgufTensorInfo t : infos) {
            if (t.offset() % alignment != 0) {
                throw CllmException.badFormat(
                        path,
                        "tensor " + printable(t.name()) + ": offset " + t.offset()
                                + " is not a multiple of the alignment " + alignment);
            }
            if (t.offset() > dataSize || t.byteSize() > dataSize - t.offset()) {
                throw CllmException.badFormat(
                        path,
                        "tensor " + printable(t.name()) + ": bytes [" + t.offset() + ", +" + t.byteSize()
                                + ") lie outside the data section of " + Math.max(0, dataSize)
                                + " bytes (truncated file?)");
            }
        }
        List<GgufTensorInfo> sorted = new ArrayList<>();
        for (GgufTensorInfo t : infos) {
            if (t.byteSize() > 0) sorted.add(t);
        }
        sorted.sort(Comparator.comparingLong(GgufTensorInfo::offset));
        for (int i = 1; i < sorted.size(); i++) {
            GgufTensorInfo prev = sorted.get(i - 1), cur = sorted.get(i);
            if (cur.offset() < prev.offset() + prev.byteSize()) {
                throw CllmException.badFormat(
                        path, "tensors " + printable(prev.name()) + " and " + printable(cur.name()) + " overlap");
            }
        }
    }

    /** A name or key from the file as a message shows it: control characters as '?', at most 64 characters. */
    public static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length() && sb.length() < 64; i++) {
            char c = s.charAt(i);
            sb.append(c < 0x20 || (c >= 0x7f && c < 0xa0) ? '?' : c);
        }
        return s.length() > 64 ? sb + "..." : sb.toString();
    }

    public Path path() {
        return path;
    }

    public int version() {
        return version;
    }

    /** The metadata in file order. */
    public Map<String, GgufValue> metadata() {
        return metadata;
    }

    /** The tensor infos in file order. */
    public Map<String, GgufTensorInfo> tensors() {
        return infos;
    }

    /**
     * The mapped bytes of a tensor (read-only, little-endian), or null when there is no such tensor or the
     * file was opened with {@link #readHeader}.
     */
    public ByteBuffer data(String name) {
        ByteBuffer b = data.get(name);
        return b == null ? null : b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    public int alignment() {
        return alignment;
    }

    /** Where the data section starts in the file. */
    /** Where a tensor's bytes lie in the file, for reads that do not go through the mapping ({@link FileRegion}). */
    public FileRegion region(String name) {
        GgufTensorInfo t = tensors().get(name);
        if (t == null) throw new IllegalArgumentException("no tensor " + name + " in " + path);
        return new FileRegion(path, fileKey, dataStart + t.offset(), t.byteSize());
    }

    public long dataStart() {
        return dataStart;
    }
}
