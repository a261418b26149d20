package dev.cllm.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.cllm.Cllm;
import dev.cllm.CllmException;
import dev.cllm.Device;
import dev.cllm.Model;
import dev.cllm.engine.NativeModel;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint file cut short is an error, never a crash (SIGBUS): before loading, the loaders check every
 * tensor's bytes against the file's size; after loading (the file truncated under the memory-mapped
 * weights, before they reach the engine), the upload reads them under the JVM's guard and reports IO.
 * Surefire runs the tests in a forked JVM, so a regression crashes that fork and fails the build.
 */
class TruncatedFileTest {
    /** Tensors of many pages each: reading a mapped page wholly beyond the file's end faults. */
    private static final LlamaConfig CONFIG = LlamaConfig.of(64, 172, 2, 4, 2, 512, 64, false);

    @TempDir
    Path dir;

    private static void truncate(Path file, long size) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(size);
        }
    }

    private static void assertUploadFails(ModelWeights truncated) {
        CllmException e = assertThrows(
                CllmException.class,
                () -> NativeModel.load(truncated, Device.cpu()).close());
        assertEquals(CllmException.Status.IO, e.status(), e.getMessage());
        assertTrue(
                e.getMessage().contains("truncated after it was loaded")
                        && e.getMessage().contains("tensor model."),
                e.getMessage());
    }

    @Test
    void safetensorsTruncatedAfterLoadingFailsTheUpload() throws IOException {
        CheckpointWriter.write(RandomWeights.create(CONFIG, 1), dir);
        Path file = dir.resolve(HfCheckpoint.SAFETENSORS_FILE);
        try (NativeModel intact = NativeModel.load(Checkpoints.load(dir), Device.cpu())) {
            assertTrue(intact.weightBytes() > 0, "the untouched checkpoint uploads");
        }
        ModelWeights loaded = Checkpoints.load(dir);
        truncate(file, 4096);
        assertUploadFails(loaded);

        // The same through the public entry point, and the JVM carries on: a rewritten file loads again.
        CheckpointWriter.write(RandomWeights.create(CONFIG, 1), dir);
        ModelWeights again = Checkpoints.load(dir);
        truncate(file, 4096);
        CllmException e = assertThrows(
                CllmException.class,
                () -> Cllm.fromWeights(
                        again, dev.cllm.tokenizer.Tokenizer.none(CONFIG.vocabSize()), Device.cpu(), "t"));
        assertEquals(CllmException.Status.IO, e.status(), e.getMessage());
        CheckpointWriter.write(RandomWeights.create(CONFIG, 1), dir);
        try (Model model = Cllm.load(dir, Device.cpu())) {
            assertEquals(CONFIG.vocabSize(), model.config().vocabSize());
        }
    }

    @Test
    void shardTruncatedBeforeOrAfterLoading() throws IOException {
        ModelWeights w = RandomWeights.create(CONFIG, 2);
        CheckpointWriter.write(w, dir); // for config.json
        Files.delete(dir.resolve(HfCheckpoint.SAFETENSORS_FILE));
        Map<String, Tensor> first = new LinkedHashMap<>(), second = new LinkedHashMap<>();
        JsonObject weightMap = new JsonObject();
        for (Tensor t : w.tensors().values()) {
            boolean one = t.name().equals(TensorNames.EMBED) || t.name().contains(".layers.0.");
            (one ? first : second).put(t.name(), t);
            weightMap.addProperty(t.name(), one ? "a.safetensors" : "b.safetensors");
        }
        CheckpointWriter.writeSafetensors(first, dir.resolve("a.safetensors"), null, Map.of());
        CheckpointWriter.writeSafetensors(second, dir.resolve("b.safetensors"), null, Map.of());
        JsonObject index = new JsonObject();
        index.add("weight_map", weightMap);
        Files.writeString(dir.resolve(ShardedSafetensors.INDEX_FILE), index.toString());
        long fullSize = Files.size(dir.resolve("b.safetensors"));

        ModelWeights loaded = Checkpoints.load(dir);
        truncate(dir.resolve("b.safetensors"), 4096);
        assertUploadFails(loaded);

        // Cut short before loading: the loader refuses it, naming the shard, without mapping anything.
        CllmException e = assertThrows(CllmException.class, () -> Checkpoints.load(dir));
        assertEquals(CllmException.Status.BAD_FORMAT, e.status(), e.getMessage());
        assertTrue(
                e.getMessage()
                                .startsWith(dir.resolve("b.safetensors")
                                                .toAbsolutePath()
                                                .normalize() + ": ")
                        && e.getMessage().contains("truncated file?"),
                e.getMessage());
        assertTrue(fullSize > 4096);
    }

    @Test
    void llama2cTruncatedAfterLoadingFailsTheUpload() throws IOException {
        LlamaConfig config = new LlamaConfig(64, 172, 2, 4, 2, 16, 512, 64, 10000f, 1e-5f, true, 1, 2);
        Path bin = new Llama2cCheckpointTest.Llama2c(RandomWeights.create(config, 3)).write(dir.resolve("m.bin"));
        ModelWeights loaded = Checkpoints.load(bin);
        truncate(bin, Llama2cCheckpoint.HEADER_BYTES);
        assertUploadFails(loaded);
        CllmException e = assertThrows(CllmException.class, () -> Checkpoints.load(bin));
        assertEquals(CllmException.Status.BAD_FORMAT, e.status());
        assertTrue(e.getMessage().contains("(truncated)"), e.getMessage());
    }

    @Test
    void ggufTruncatedAfterLoadingFailsTheUpload() throws IOException {
        Path gguf = dir.resolve("m.gguf");
        GgufWriter.write(RandomWeights.create(CONFIG, 4), gguf, GgmlType.F32, Map.of());
        ModelWeights loaded = Checkpoints.load(gguf);
        truncate(gguf, 4096);
        CllmException e = assertThrows(
                CllmException.class,
                () -> NativeModel.load(loaded, Device.cpu()).close());
        assertEquals(CllmException.Status.IO, e.status(), e.getMessage());
        assertTrue(e.getMessage().contains("truncated after it was loaded"), e.getMessage());
        assertThrows(CllmException.class, () -> Checkpoints.load(gguf), "cut short before loading: refused");
    }
}
