package dev.cllm.model;

import dev.cllm.CllmException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Writes GGUF files (version 3, alignment 32) that llama.cpp loads: {@link #write} turns
 * {@link ModelWeights} into a "llama" model with llama.cpp's tensor names and metadata keys
 * ({@link GgufNames}), Q/K rows in llama.cpp's interleaved rotary layout ({@link RotaryLayout}), 1-D tensors
 * (norms) as F32 and every matrix as the requested type (F32, F16, BF16 or Q8_0; Q8_0 quantised in Java,
 * {@link Q8Blocks}) or as its own dtype. {@link #writeFile} writes any metadata and tensors as given.
 * Files are written under a temporary name and moved into place.
 */
public final class GgufWriter {
    public static final int VERSION = 3;
    /** The matrix types {@link #write} can produce. */
    public static final Set<GgmlType> TYPES = Set.of(GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0);

    /**
     * A tensor to write: its ggml type, its shape (slowest dimension first, as {@link Tensor}) and a
     * supplier of its encoded bytes, called once, when the tensor is written.
     */
    public record Entry(String name, GgmlType type, long[] shape, Supplier<ByteBuffer> bytes) {
        public Entry {
            shape = shape.clone();
        }

        @Override
        public long[] shape() {
            return shape.clone();
        }

        /** The encoded size of the tensor. */
        public long byteSize() {
            long rows = 1;
            for (int i = 0; i < shape.length - 1; i++) rows = Math.multiplyExact(rows, shape[i]);
            return Math.multiplyExact(rows, type.rowBytes(shape[shape.length - 1]));
        }
    }

    private GgufWriter() {}

    /**
     * Writes a Llama model.
     *
     * @param type every matrix as this type (F32, F16, BF16, Q8_0), or null to keep each tensor's dtype;
     *     a Q8_0 matrix whose rows are not whole 32-value blocks is written as F16 (as llama.cpp's converter does)
     * @param metadata more metadata (the tokenizer's {@code tokenizer.ggml.*} keys, {@code general.name}), may
     *     be empty; it may not override the architecture keys
     */
    public static void write(ModelWeights weights, Path file, GgmlType type, Map<String, GgufValue> metadata) {
        if (type != null && !TYPES.contains(type)) {
            throw new IllegalArgumentException("cannot write matrices as " + type + " (supported: " + TYPES + ")");
        }
        weights.validate();
        LlamaConfig c = weights.config();
        List<Entry> entries = new ArrayList<>();
        Map<GgmlType, Integer> matrixTypes = new EnumMap<>(GgmlType.class);
        for (Map.Entry<String, long[]> e : ModelWeights.expectedShapes(c)) {
            Tensor t = weights.require(e.getKey());
            GgmlType target = targetOf(t, type);
            if (t.shape().length >= 2) matrixTypes.merge(target, 1, Integer::sum);
            boolean permute = GgufCheckpoint.isQueryOrKey(e.getKey(), c);
            entries.add(new Entry(
                    GgufNames.toGguf(e.getKey()),
                    target,
                    t.shape(),
                    () -> encode(permute ? RotaryLayout.toInterleaved(t, c.headDim()) : t, target)));
        }
        GgmlType dominant = matrixTypes.entrySet().stream()
                .max(Map.Entry.comparingByValue())
                .map(Map.Entry::getKey)
                .orElse(GgmlType.F32);
        Map<String, GgufValue> all = llamaMetadata(c, dominant, file);
        for (Map.Entry<String, GgufValue> e : metadata.entrySet()) {
            if (e.getKey().startsWith("llama.") || e.getKey().equals(GgufNames.ARCHITECTURE)) {
                throw new IllegalArgumentException("metadata " + e.getKey() + " comes from the model config");
            }
            all.put(e.getKey(), e.getValue());
        }
        writeFile(file, all, entries);
    }

    /** The architecture metadata of a config; BOS/EOS ids as tokenizer keys when the config has them. */
    static Map<String, GgufValue> llamaMetadata(LlamaConfig c, GgmlType fileType, Path file) {
        Map<String, GgufValue> m = new LinkedHashMap<>();
        m.put(GgufNames.ARCHITECTURE, GgufValue.string(GgufNames.LLAMA));
        String name = file.getFileName().toString().replaceFirst("(?i)\\.gguf$", "");
        m.put(GgufNames.NAME, GgufValue.string(name));
        m.put(GgufNames.FILE_TYPE, GgufValue.uint32(fileTypeOf(fileType)));
        m.put(GgufNames.CONTEXT_LENGTH, GgufValue.uint32(c.maxSeqLen()));
        m.put(GgufNames.EMBEDDING_LENGTH, GgufValue.uint32(c.dim()));
        m.put(GgufNames.BLOCK_COUNT, GgufValue.uint32(c.nLayers()));
        m.put(GgufNames.FEED_FORWARD_LENGTH, GgufValue.uint32(c.hiddenDim()));
        m.put(GgufNames.HEAD_COUNT, GgufValue.uint32(c.nHeads()));
        m.put(GgufNames.HEAD_COUNT_KV, GgufValue.uint32(c.nKvHeads()));
        m.put(GgufNames.KEY_LENGTH, GgufValue.uint32(c.headDim()));
        m.put(GgufNames.VALUE_LENGTH, GgufValue.uint32(c.headDim()));
        m.put(GgufNames.ROPE_DIMENSIONS, GgufValue.uint32(c.headDim()));
        m.put(GgufNames.ROPE_FREQ_BASE, GgufValue.float32(c.ropeTheta()));
        m.put(GgufNames.RMS_EPS, GgufValue.float32(c.normEps()));
        m.put(GgufNames.VOCAB_SIZE, GgufValue.uint32(c.vocabSize()));
        if (c.bosTokenId() >= 0) m.put(GgufNames.BOS_ID, GgufValue.uint32(c.bosTokenId()));
        if (c.eosTokenId() >= 0) m.put(GgufNames.EOS_ID, GgufValue.uint32(c.eosTokenId()));
        return m;
    }

    /** llama.cpp's {@code general.file_type} (llama_ftype) for files whose matrices are mostly of this type. */
    static long fileTypeOf(GgmlType type) {
        return switch (type) {
            case F16 -> 1;
            case Q8_0 -> 7;
            case BF16 -> 32;
            default -> 0;
        };
    }

    private static GgmlType targetOf(Tensor t, GgmlType requested) {
        long[] shape = t.shape();
        if (shape.length < 2) return GgmlType.F32;
        GgmlType target =
                requested != null ? requested : GgmlType.valueOf(t.dtype().name());
        if (target == GgmlType.Q8_0 && shape[shape.length - 1] % Q8Blocks.BLOCK_ELEMENTS != 0) return GgmlType.F16;
        return target;
    }

    /** The tensor's values in the target type, row by row (the bytes themselves when the types agree). */
    static ByteBuffer encode(Tensor t, GgmlType target) {
        if (t.dtype().name().equals(target.name())) return t.data();
        long[] shape = t.shape();
        int rowLength = shape.length == 0 ? 1 : Math.toIntExact(shape[shape.length - 1]);
        long rows = rowLength == 0 ? 0 : t.size() / rowLength;
        ByteBuffer out = ByteBuffer.allocateDirect(Math.toIntExact(rows * target.rowBytes(rowLength)))
                .order(ByteOrder.LITTLE_ENDIAN);
        float[] row = new float[rowLength];
        for (long r = 0; r < rows; r++) {
            t.getFloats(r * rowLength, rowLength, row, 0);
            switch (target) {
                case F32 -> {
                    for (float v : row) out.putFloat(v);
                }
                case F16 -> {
                    for (float v : row) out.putShort(HalfFloats.floatToF16(v));
                }
                case BF16 -> {
                    for (float v : row) out.putShort(HalfFloats.floatToBf16(v));
                }
                case Q8_0 -> {
                    try {
                        Q8Blocks.quantize(row, 0, rowLength, out);
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException(
                                "tensor " + t.name() + " row " + r + ": " + e.getMessage(), e);
                    }
                }
                default -> throw new IllegalArgumentException("cannot write " + target);
            }
        }
        return out.flip();
    }

    /**
     * Writes a GGUF file of these metadata and tensors (in this order), alignment 32 unless the metadata
     * sets {@code general.alignment}.
     */
    public static void writeFile(Path file, Map<String, GgufValue> metadata, List<Entry> tensors) {
        int alignment = GgufFile.DEFAULT_ALIGNMENT;
        GgufValue a = metadata.get(GgufFile.ALIGNMENT_KEY);
        if (a != null) alignment = (int) (long) (Long) a.value();
        GgufEncoder header = new GgufEncoder();
        header.u32(GgufFile.MAGIC).u32(VERSION).u64(tensors.size()).u64(metadata.size());
        for (Map.Entry<String, GgufValue> e : metadata.entrySet()) {
            header.string(e.getKey()).u32(e.getValue().type().id()).value(e.getValue());
        }
        long offset = 0;
        for (Entry t : tensors) {
            long[] shape = t.shape();
            header.string(t.name()).u32(shape.length);
            for (int i = shape.length - 1; i >= 0; i--) header.u64(shape[i]);
            header.u32(t.type().id()).u64(offset);
            offset = align(offset + t.byteSize(), alignment);
        }
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path tmp = CheckpointWriter.tempSibling(file);
            try (FileChannel out = FileChannel.open(
                    tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
                byte[] bytes = header.toByteArray();
                CheckpointWriter.writeFully(out, ByteBuffer.wrap(bytes));
                pad(out, align(bytes.length, alignment) - bytes.length);
                for (Entry t : tensors) {
                    ByteBuffer data = t.bytes().get().duplicate();
                    if (data.remaining() != t.byteSize()) {
                        throw new IllegalArgumentException("tensor " + t.name() + ": " + data.remaining()
                                + " bytes for " + t.byteSize() + " of " + t.type());
                    }
                    CheckpointWriter.writeFully(out, data);
                    pad(out, align(t.byteSize(), alignment) - t.byteSize());
                }
                out.force(true);
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(tmp);
                throw e;
            }
            CheckpointWriter.move(tmp, file);
        } catch (IOException e) {
            throw new CllmException(CllmException.Status.IO, file + ": cannot write: " + e, e);
        }
    }

    private static long align(long n, int alignment) {
        return (n + alignment - 1) / alignment * alignment;
    }

    private static void pad(FileChannel out, long bytes) throws IOException {
        if (bytes > 0) CheckpointWriter.writeFully(out, ByteBuffer.allocate((int) bytes));
    }
}
