package dev.cllm.model;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.cllm.CllmException;
import dev.cllm.util.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes {@link ModelWeights} as a Hugging Face checkpoint that transformers and the safetensors library
 * read: {@code model.safetensors} (tensors in {@link ModelWeights#expectedShapes} order, contiguous as
 * the safetensors format requires, the data section starting 8-byte aligned, {@code __metadata__}
 * {"format": "pt"}) and a LlamaForCausalLM {@code config.json}; optionally converting every tensor to one
 * dtype and copying a tokenizer.json (and a tokenizer_config.json next to it). Files are written to a
 * temporary name, forced to disk and renamed into place ({@link AtomicFiles}), so a checkpoint can be
 * rewritten while it is memory-mapped and a crash leaves each file either old or new, never cut off.
 */
public final class CheckpointWriter {
    private static final int CHUNK_ELEMENTS = 1 << 18;

    private CheckpointWriter() {}

    /** Writes the weights in their own dtypes, without a tokenizer. */
    public static void write(ModelWeights weights, Path directory) {
        write(weights, directory, null, null);
    }

    /**
     * Writes a checkpoint directory (created when absent).
     *
     * @param dtype every tensor converted to this dtype, or null to keep each tensor's own dtype (Q8_0
     *              tensors, which safetensors cannot hold, become F32)
     * @param tokenizerJson a tokenizer.json to copy into the directory, or null
     */
    public static void write(ModelWeights weights, Path directory, DType dtype, Path tokenizerJson) {
        if (dtype == DType.Q8_0) throw new IllegalArgumentException("dtype: safetensors files cannot hold Q8_0");
        weights.validate();
        Map<String, Tensor> ordered = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : ModelWeights.expectedShapes(weights.config())) {
            ordered.put(e.getKey(), weights.require(e.getKey()));
        }
        if (dtype != null && dtype.safetensorsName() == null) {
            throw new IllegalArgumentException("safetensors cannot hold " + dtype + "; write F32, BF16 or F16");
        }
        DType declared = dtype != null
                ? dtype
                : storedAs(weights.require(TensorNames.EMBED).dtype());
        try {
            Files.createDirectories(directory);
            if (tokenizerJson != null) copyTokenizer(tokenizerJson, directory);
            writeSafetensorsFile(
                    ordered, directory.resolve(HfCheckpoint.SAFETENSORS_FILE), dtype, Map.of("format", "pt"));
            String config = new GsonBuilder()
                            .setPrettyPrinting()
                            .serializeNulls()
                            .create()
                            .toJson(HfConfig.toJson(weights.config(), declared))
                    + "\n";
            writeAtomically(directory.resolve(HfConfig.FILE_NAME), config.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new CllmException(CllmException.Status.IO, directory + ": cannot write the checkpoint: " + e, e);
        }
    }

    /**
     * Writes tensors (in map order) as one safetensors file.
     *
     * @param dtype every tensor converted to this dtype, or null to keep each tensor's dtype
     * @param metadata the {@code __metadata__} entries (may be empty)
     * @throws CllmException IO when writing fails
     */
    public static void writeSafetensors(
            Map<String, Tensor> tensors, Path file, DType dtype, Map<String, String> metadata) {
        try {
            writeSafetensorsFile(tensors, file, dtype, metadata);
        } catch (IOException e) {
            throw new CllmException(CllmException.Status.IO, file + ": cannot write: " + e, e);
        }
    }

    private static void writeSafetensorsFile(
            Map<String, Tensor> tensors, Path file, DType dtype, Map<String, String> metadata) throws IOException {
        if (dtype != null && dtype.safetensorsName() == null) {
            throw new IllegalArgumentException("safetensors cannot hold " + dtype + "; write F32, BF16 or F16");
        }
        JsonObject header = new JsonObject();
        if (!metadata.isEmpty()) {
            JsonObject meta = new JsonObject();
            metadata.forEach(meta::addProperty);
            header.add("__metadata__", meta);
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Tensor t = e.getValue();
            DType target = dtype != null ? dtype : storedAs(t.dtype());
            long bytes = t.size() * target.bytes();
            JsonObject entry = new JsonObject();
            entry.addProperty("dtype", target.safetensorsName());
            JsonArray shape = new JsonArray();
            for (long d : t.shape()) shape.add(d);
            entry.add("shape", shape);
            JsonArray offsets = new JsonArray();
            offsets.add(offset);
            offsets.add(offset + bytes);
            entry.add("data_offsets", offsets);
            header.add(e.getKey(), entry);
            offset += bytes;
        }
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 8 + 7) / 8 * 8 - 8; // the data section starts 8-byte aligned
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) head.put((byte) ' ');
        head.flip();

        Path tmp = tempSibling(file);
        try (FileChannel out = FileChannel.open(
                tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            writeFully(out, head);
            ByteBuffer chunk = null;
            for (Tensor t : tensors.values()) {
                DType target = dtype != null ? dtype : storedAs(t.dtype());
                if (target == t.dtype()) {
                    writeFully(out, t.data().duplicate());
                    continue;
                }
                if (chunk == null)
                    chunk = ByteBuffer.allocateDirect(CHUNK_ELEMENTS * 4).order(ByteOrder.LITTLE_ENDIAN);
                long n = t.size();
                for (long start = 0; start < n; start += CHUNK_ELEMENTS) {
                    int count = (int) Math.min(CHUNK_ELEMENTS, n - start);
                    chunk.clear();
                    convert(t, start, count, target, chunk);
                    chunk.flip();
                    writeFully(out, chunk);
                }
            }
            out.force(true);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        move(tmp, file);
    }

    /**
     * The safetensors dtype a tensor of this dtype is written as when no dtype is asked for: its own, or
     * F32 for Q8_0 (safetensors has no block types; every Q8_0 value is exact in F32).
     */
    static DType storedAs(DType dtype) {
        return dtype.safetensorsName() != null ? dtype : DType.F32;
    }

    private static void convert(Tensor t, long start, int count, DType target, ByteBuffer out) {
        float[] values = new float[count];
        t.getFloats(start, count, values, 0);
        for (float v : values) {
            switch (target) {
                case F32 -> out.putFloat(v);
                case BF16 -> out.putShort(HalfFloats.floatToBf16(v));
                case F16 -> out.putShort(HalfFloats.floatToF16(v));
                case Q8_0 -> throw new IllegalArgumentException("safetensors cannot hold Q8_0");
            }
        }
    }

    private static void copyTokenizer(Path tokenizerJson, Path directory) throws IOException {
        if (!Files.isRegularFile(tokenizerJson)) {
            throw new CllmException(CllmException.Status.IO, tokenizerJson + ": no such tokenizer file");
        }
        Path target = directory.resolve("tokenizer.json");
        if (!Files.exists(target) || !Files.isSameFile(tokenizerJson, target)) {
            Path tmp = tempSibling(target);
            Files.copy(tokenizerJson, tmp, StandardCopyOption.REPLACE_EXISTING);
            move(tmp, target);
        }
        Path sourceDir = tokenizerJson.toAbsolutePath().getParent();
        for (String extra : List.of("tokenizer_config.json", "special_tokens_map.json")) {
            Path from = sourceDir.resolve(extra), to = directory.resolve(extra);
            if (Files.isRegularFile(from) && (!Files.exists(to) || !Files.isSameFile(from, to))) {
                Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    private static void writeAtomically(Path file, byte[] bytes) throws IOException {
        AtomicFiles.write(file, bytes);
    }

    static Path tempSibling(Path file) {
        return AtomicFiles.tempSibling(file);
    }

    /** Renames a finished temporary file into place, synced (a crash leaves the old file or the new one). */
    static void move(Path from, Path to) throws IOException {
        AtomicFiles.commit(from, to);
    }

    static void writeFully(FileChannel out, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) out.write(buffer);
    }
}
