package dev.cllm.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.cllm.CllmException;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Configs and llama2.c headers that ask for absurd, negative or overflowing sizes fail at once, before
 * a loader maps a byte or builds anything per layer: one line, BAD_FORMAT, naming the file and the field.
 * "At once" is shown by what the failing load allocates (a loader that built a list per layer for a
 * billion layers would allocate gigabytes), not by timing it.
 */
class ConfigLimitsTest {
    /** Far more than parsing a small config needs, far less than anything per layer for huge counts. */
    private static final long ALLOCATION_BOUND = 64L << 20;

    @TempDir
    Path dir;

    private String original;

    @BeforeEach
    void writeCheckpoint() throws IOException {
        CheckpointWriter.write(RandomWeights.create(HfCheckpointTest.CONFIG, 40), dir);
        original = Files.readString(dir.resolve("config.json"));
    }

    private record Case(Consumer<JsonObject> edit, String fragment) {}

    private static Case set(String field, Number value, String fragment) {
        return new Case(c -> c.addProperty(field, value), fragment);
    }

    @Test
    void absurdHuggingFaceConfigsFailFastNamingTheField() throws IOException {
        Case[] cases = {
            set("num_hidden_layers", 1_000_000_000, "num_hidden_layers must be between 1 and 4096, got 1000000000"),
            set("num_hidden_layers", Integer.MAX_VALUE, "num_hidden_layers must be between 1 and 4096"),
            set("num_hidden_layers", 10_000_000_000L, "num_hidden_layers must be a 32-bit integer"),
            set("num_hidden_layers", -1, "num_hidden_layers must be between 1 and 4096, got -1"),
            set("num_hidden_layers", 0, "num_hidden_layers must be between 1 and 4096, got 0"),
            set("hidden_size", 1 << 30, "hidden_size must be between 1 and 65536, got 1073741824"),
            set("hidden_size", -24, "hidden_size must be between 1 and 65536, got -24"),
            set("intermediate_size", Integer.MAX_VALUE, "intermediate_size must be between 1 and 1048576"),
            set("intermediate_size", -40, "intermediate_size must be between 1 and 1048576, got -40"),
            set("vocab_size", 2_000_000_000, "vocab_size must be between 1 and 16777216, got 2000000000"),
            set("vocab_size", -37, "vocab_size must be between 1 and 16777216, got -37"),
            set("num_attention_heads", 1 << 30, "num_attention_heads must be between 1 and 4096, got 1073741824"),
            set("num_attention_heads", -4, "num_attention_heads must be between 1 and 4096, got -4"),
            set("num_key_value_heads", -2, "num_key_value_heads must be between 1 and 4096, got -2"),
            set("head_dim", 1 << 20, "head_dim must be between 1 and 4096, got 1048576"),
            set("head_dim", -8, "head_dim must be between 1 and 4096, got -8"),
            set("max_position_embeddings", Integer.MAX_VALUE, "max_position_embeddings must be between 1 and 16777216"),
            set("max_position_embeddings", -1, "max_position_embeddings must be between 1 and 16777216, got -1"),
            // Every field in range, their products beyond any size computation (2^40 elements).
            new Case(
                    c -> {
                        c.addProperty("vocab_size", 1 << 24);
                        c.addProperty("hidden_size", 1 << 16);
                    },
                    "vocab_size * hidden_size = 1099511627776 is at or above"),
            new Case(
                    c -> {
                        c.addProperty("num_attention_heads", 4096);
                        c.addProperty("num_key_value_heads", 4096);
                        c.addProperty("head_dim", 4096);
                        c.addProperty("hidden_size", 1 << 16);
                    },
                    "num_attention_heads * head_dim * hidden_size = 1099511627776 is at or above"),
            new Case(
                    c -> {
                        c.addProperty("intermediate_size", 1 << 20);
                        c.addProperty("hidden_size", 1 << 16);
                    },
                    "intermediate_size * hidden_size = 68719476736 is at or above"),
            new Case(
                    c -> {
                        c.addProperty("max_position_embeddings", 1 << 24);
                        c.addProperty("hidden_size", 1 << 16);
                    },
                    "max_position_embeddings * hidden_size = 1099511627776 is at or above"),
        };
        for (Case k : cases) {
            Files.writeString(dir.resolve("config.json"), original);
            HfCheckpointTest.editConfig(dir, k.edit());
            CllmException e = failingLoad(dir, k.fragment());
            assertTrue(
                    e.getMessage().contains(dir.resolve("config.json").toString()),
                    "names the file: " + e.getMessage());
        }
    }

    @Test
    void aConfigWithinTheLimitsThatContradictsTheFileNamesTheFileAndTheTensor() throws IOException {
        String weights = dir.resolve("model.safetensors").toString();
        Case[] cases = {
            set(
                    "num_hidden_layers",
                    4096,
                    "missing tensor model.layers.2.input_layernorm.weight: the config has "
                            + "num_hidden_layers 4096 but the file's tensors stop at layer 1"),
            set(
                    "vocab_size",
                    1 << 20,
                    "tensor model.embed_tokens.weight has shape [37, 24] but the config needs " + "[1048576, 24]"),
            set(
                    "intermediate_size",
                    1 << 20,
                    "tensor model.layers.0.mlp.gate_proj.weight has shape [40, 24] but the "
                            + "config needs [1048576, 24]"),
        };
        for (Case k : cases) {
            Files.writeString(dir.resolve("config.json"), original);
            HfCheckpointTest.editConfig(dir, k.edit());
            CllmException e = failingLoad(dir, k.fragment());
            assertTrue(e.getMessage().startsWith(weights + ": "), "names the weights file: " + e.getMessage());
        }
    }

    @Test
    void absurdLlama2cHeadersFailFastNamingTheField() throws IOException {
        // dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, seq_len
        Object[][] cases = {
            {new int[] {24, 40, 1_000_000_000, 4, 2, 37, 16}, "n_layers must be between 1 and 4096, got 1000000000"},
            {new int[] {24, 40, -3, 4, 2, 37, 16}, "n_layers must be between 1 and 4096, got -3"},
            {new int[] {1 << 30, 40, 2, 4, 2, 37, 16}, "dim must be between 1 and 65536, got 1073741824"},
            {new int[] {-24, 40, 2, 4, 2, 37, 16}, "dim must be between 1 and 65536, got -24"},
            {new int[] {24, Integer.MAX_VALUE, 2, 4, 2, 37, 16}, "hidden_dim must be between 1 and 1048576"},
            {new int[] {24, 40, 2, 4, 2, Integer.MAX_VALUE, 16}, "vocab_size must be between 1 and 16777216"},
            {new int[] {24, 40, 2, 4, 2, -Integer.MAX_VALUE, 16}, "vocab_size must be between 1 and 16777216"},
            {new int[] {24, 40, 2, -4, 2, 37, 16}, "n_heads must be between 1 and 4096, got -4"},
            {new int[] {1 << 14, 40, 2, 1 << 13, 1 << 13, 37, 16}, "n_heads must be between 1 and 4096, got 8192"},
            {new int[] {24, 40, 2, 4, 2, 37, Integer.MAX_VALUE}, "seq_len must be between 1 and 16777216"},
            {new int[] {1 << 16, 40, 2, 16, 16, 1 << 24, 16}, "vocab_size * dim = 1099511627776 is at or above"},
            {new int[] {1 << 16, 1 << 20, 2, 16, 16, 37, 16}, "hidden_dim * dim = 68719476736 is at or above"},
        };
        for (int i = 0; i < cases.length; i++) {
            ByteBuffer b =
                    ByteBuffer.allocate(Llama2cCheckpoint.HEADER_BYTES + 64).order(ByteOrder.LITTLE_ENDIAN);
            for (int v : (int[]) cases[i][0]) b.putInt(v);
            Path bin = Files.write(dir.resolve("absurd" + i + ".bin"), b.array());
            CllmException e = failingLoad(bin, (String) cases[i][1]);
            assertTrue(e.getMessage().startsWith(bin + ": not a llama2.c checkpoint: "), e.getMessage());
        }
    }

    /** Loads path expecting a one-line BAD_FORMAT naming fragment, with a small allocation on the way. */
    private static CllmException failingLoad(Path path, String fragment) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        CllmException e = assertThrows(CllmException.class, () -> Checkpoints.load(path), fragment);
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertEquals(CllmException.Status.BAD_FORMAT, e.status(), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), fragment + " in: " + e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        assertTrue(
                allocated < ALLOCATION_BOUND,
                "failed before building anything large: " + allocated + " bytes for " + fragment);
        return e;
    }
}
