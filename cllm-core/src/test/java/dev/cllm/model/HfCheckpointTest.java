package dev.cllm.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import dev.cllm.CllmException;
import dev.cllm.Device;
import dev.cllm.engine.NativeModel;
import dev.cllm.engine.NativeSession;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HfCheckpointTest {
    /** Odd shapes: grouped-query attention, head_dim != dim / heads, an untied head. */
    static final LlamaConfig CONFIG = new LlamaConfig(24, 40, 2, 4, 2, 8, 37, 64, 500000f, 1e-5f, false, 1, 2);

    static final LlamaConfig TIED = LlamaConfig.of(16, 24, 1, 2, 1, 29, 32, true);

    @TempDir
    Path dir;

    private static void assertSameBytes(ModelWeights expected, ModelWeights actual) {
        assertEquals(expected.tensors().keySet(), actual.tensors().keySet());
        for (Tensor e : expected.tensors().values()) {
            Tensor a = actual.require(e.name());
            assertEquals(e.dtype(), a.dtype(), e.name());
            assertArrayEquals(e.shape(), a.shape(), e.name());
            assertEquals(e.data().duplicate().rewind(), a.data().duplicate().rewind(), "bytes of " + e.name());
        }
    }

    @Test
    void f32RoundTripIsBitExact() {
        ModelWeights original = RandomWeights.create(CONFIG, 11);
        CheckpointWriter.write(original, dir);
        assertTrue(Files.isRegularFile(dir.resolve("model.safetensors")));
        ModelWeights loaded = Checkpoints.load(dir);
        assertEquals(CONFIG, loaded.config(), "config survives exactly, floats included");
        assertSameBytes(original, loaded);
        assertTrue(loaded.require(TensorNames.EMBED).data().isDirect());

        // Rewriting the loaded (memory-mapped) checkpoint into its own directory is safe.
        CheckpointWriter.write(loaded, dir);
        assertSameBytes(original, Checkpoints.load(dir));
    }

    @Test
    void writtenFileFollowsTheSafetensorsLayout() throws IOException {
        CheckpointWriter.write(RandomWeights.create(CONFIG, 12), dir, DType.BF16, null);
        SafetensorsFile st = SafetensorsFile.open(dir.resolve("model.safetensors"));
        assertEquals(Map.of("format", "pt"), st.metadata());
        long headerLength = ByteBuffer.wrap(Files.readAllBytes(dir.resolve("model.safetensors")), 0, 8)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .getLong();
        assertEquals(0, (8 + headerLength) % 8, "data section 8-byte aligned");
        long expectedBegin = 0;
        for (SafetensorsHeader.Entry e : st.entries().values()) {
            assertEquals(expectedBegin, e.begin(), "contiguous, in order: " + e.name());
            assertEquals(0, e.begin() % e.dtype().bytes());
            expectedBegin = e.end();
        }
        assertEquals(Files.size(dir.resolve("model.safetensors")), 8 + headerLength + expectedBegin);
        assertEquals(
                ModelWeights.expectedShapes(CONFIG).stream()
                        .map(Map.Entry::getKey)
                        .toList(),
                st.entries().keySet().stream().toList(),
                "stable order");
        JsonObject config = JsonFiles.readObject(dir.resolve("config.json"));
        assertEquals("llama", config.get("model_type").getAsString());
        assertEquals(
                "LlamaForCausalLM",
                config.getAsJsonArray("architectures").get(0).getAsString());
        assertEquals("bfloat16", config.get("torch_dtype").getAsString());
        assertEquals(24, config.get("hidden_size").getAsInt());
        assertEquals(2, config.get("num_key_value_heads").getAsInt());
        assertEquals(8, config.get("head_dim").getAsInt());
        assertEquals(500000.0, config.get("rope_theta").getAsDouble());
        assertEquals(1e-5, config.get("rms_norm_eps").getAsDouble(), 1e-12);
        assertTrue(config.get("rope_scaling").isJsonNull());
    }

    @Test
    void dtypeConversionsRoundTrip() {
        ModelWeights original = RandomWeights.create(CONFIG, 13);
        for (DType d : new DType[] {DType.BF16, DType.F16}) {
            Path out = dir.resolve(d.name());
            CheckpointWriter.write(original, out, d, null);
            ModelWeights half = Checkpoints.load(out);
            for (Tensor o : original.tensors().values()) {
                Tensor h = half.require(o.name());
                assertEquals(d, h.dtype());
                for (int i = 0; i < o.size(); i++) {
                    float v = o.getFloat(i);
                    short expected = d == DType.BF16 ? HalfFloats.floatToBf16(v) : HalfFloats.floatToF16(v);
                    assertEquals(expected, h.data().getShort(i * 2), o.name() + "[" + i + "]");
                }
            }
            // Half -> F32 is exact, and back to the same half dtype is the identity.
            Path wide = dir.resolve(d.name() + "-f32");
            CheckpointWriter.write(half, wide, DType.F32, null);
            ModelWeights widened = Checkpoints.load(wide);
            for (Tensor h : half.tensors().values()) {
                assertArrayEquals(h.toFloatArray(), widened.require(h.name()).toFloatArray(), h.name());
            }
            Path again = dir.resolve(d.name() + "-again");
            CheckpointWriter.write(widened, again, d, null);
            assertSameBytes(half, Checkpoints.load(again));
        }
        // BF16 <-> F16 directly goes through float.
        Path bf = dir.resolve("BF16"), f16 = dir.resolve("bf-to-f16");
        CheckpointWriter.write(Checkpoints.load(bf), f16, DType.F16, null);
        Tensor b = Checkpoints.load(bf).require(TensorNames.wq(0));
        Tensor f = Checkpoints.load(f16).require(TensorNames.wq(0));
        for (int i = 0; i < b.size(); i++)
            assertEquals(HalfFloats.floatToF16(b.getFloat(i)), f.data().getShort(i * 2));
    }

    @Test
    void writtenCheckpointRunsInTheNativeEngineWithIdenticalLogits() {
        ModelWeights original = RandomWeights.create(CONFIG, 14);
        CheckpointWriter.write(original, dir);
        int[] tokens = {1, 5, 36, 0, 17};
        float[] expected, actual;
        try (NativeModel m = NativeModel.load(original, Device.cpu());
                NativeSession s = m.newSession(16)) {
            expected = s.forward(tokens, true);
        }
        try (NativeModel m = NativeModel.load(Checkpoints.load(dir), Device.cpu());
                NativeSession s = m.newSession(16)) {
            actual = s.forward(tokens, true);
        }
        assertArrayEquals(expected, actual);
        Path bf = dir.resolve("bf16");
        CheckpointWriter.write(original, bf, DType.BF16, null);
        try (NativeModel m = NativeModel.load(Checkpoints.load(bf), Device.cpu());
                NativeSession s = m.newSession(16)) {
            float[] half = s.forward(tokens, true);
            for (int i = 0; i < half.length; i++) assertEquals(expected[i], half[i], 0.05f, "logit " + i);
        }
    }

    @Test
    void configJsonRoundTripsEveryFloatExactly() {
        java.util.Random r = new java.util.Random(3);
        for (int i = 0; i < 2000; i++) {
            float theta = i == 0 ? 10000f : Float.intBitsToFloat(0x3f800000 + r.nextInt(0x3f000000));
            float eps = i == 0 ? 1e-6f : Float.intBitsToFloat(0x00800000 + r.nextInt(0x3f000000));
            LlamaConfig c = new LlamaConfig(8, 8, 1, 2, 1, 4, 10, 16, theta, eps, i % 2 == 0, i % 3 - 1, i % 5 - 1);
            String json = HfConfig.toJson(c, DType.F32).toString();
            assertEquals(
                    c,
                    HfConfig.parse(JsonFiles.parse(json, "test").getAsJsonObject(), "test")
                            .config(),
                    json);
        }
    }

    @Test
    void tiedEmbeddings() throws IOException {
        ModelWeights tied = RandomWeights.create(TIED, 15);
        CheckpointWriter.write(tied, dir);
        ModelWeights loaded = Checkpoints.load(dir);
        assertTrue(loaded.config().tiedEmbeddings());
        assertFalse(loaded.tensors().containsKey(TensorNames.LM_HEAD));
        assertSameBytes(tied, loaded);

        // tie_word_embeddings false without lm_head.weight: an error naming the tensor.
        editConfig(dir, c -> c.addProperty("tie_word_embeddings", false));
        CllmException e = assertThrows(CllmException.class, () -> Checkpoints.load(dir));
        assertEquals(CllmException.Status.BAD_FORMAT, e.status());
        assertTrue(e.getMessage().contains("lm_head.weight"), e.getMessage());

        // tie_word_embeddings true with a stored lm_head: transformers ties it, so do we.
        LlamaConfig u = TIED;
        LlamaConfig untiedConfig = new LlamaConfig(
                u.dim(),
                u.hiddenDim(),
                u.nLayers(),
                u.nHeads(),
                u.nKvHeads(),
                u.headDim(),
                u.vocabSize(),
                u.maxSeqLen(),
                u.ropeTheta(),
                u.normEps(),
                false,
                -1,
                -1);
        Path d2 = dir.resolve("both");
        CheckpointWriter.write(RandomWeights.create(untiedConfig, 17), d2);
        editConfig(d2, c -> c.addProperty("tie_word_embeddings", true));
        ModelWeights both = Checkpoints.load(d2);
        assertTrue(both.config().tiedEmbeddings());
        assertFalse(both.tensors().containsKey(TensorNames.LM_HEAD));
    }

    @Test
    void configDefaultsAndTokenIds() throws IOException {
        CheckpointWriter.write(RandomWeights.create(TIED, 18), dir);
        editConfig(dir, c -> {
            c.remove("head_dim");
            c.remove("num_key_value_heads");
            c.remove("rope_theta");
            c.remove("torch_dtype");
            JsonArray eos = new JsonArray();
            eos.add(7);
            eos.add(3);
            c.add("eos_token_id", eos);
            c.add("bos_token_id", JsonNull.INSTANCE);
            c.addProperty("num_key_value_heads", 1);
        });
        LlamaConfig c = Checkpoints.load(dir).config();
        assertEquals(8, c.headDim());
        assertEquals(10000f, c.ropeTheta());
        assertEquals(7, c.eosTokenId(), "the first of a list");
        assertEquals(-1, c.bosTokenId());
        HfConfig hf = HfConfig.read(dir.resolve("config.json"));
        assertNull(hf.torchDtype());
    }

    @Test
    void unsupportedConfigsAreRejectedClearly() throws IOException {
        CheckpointWriter.write(RandomWeights.create(TIED, 19), dir);
        String original = Files.readString(dir.resolve("config.json"));
        record Case(Consumer<JsonObject> edit, CllmException.Status status, String fragment) {}
        Case[] cases = {
            new Case(
                    c -> {
                        JsonObject s = new JsonObject();
                        s.addProperty("type", "linear");
                        s.addProperty("factor", 2.0);
                        c.add("rope_scaling", s);
                    },
                    CllmException.Status.UNSUPPORTED,
                    "rope_scaling"),
            new Case(
                    c -> c.addProperty("model_type", "mistral"),
                    CllmException.Status.UNSUPPORTED,
                    "model_type 'mistral'"),
            new Case(c -> c.addProperty("attention_bias", true), CllmException.Status.UNSUPPORTED, "attention_bias"),
            new Case(c -> c.addProperty("mlp_bias", true), CllmException.Status.UNSUPPORTED, "mlp_bias"),
            new Case(c -> c.addProperty("hidden_act", "gelu"), CllmException.Status.UNSUPPORTED, "hidden_act 'gelu'"),
            new Case(
                    c -> {
                        JsonArray a = new JsonArray();
                        a.add("LlamaForSequenceClassification");
                        c.add("architectures", a);
                    },
                    CllmException.Status.UNSUPPORTED,
                    "LlamaForCausalLM"),
            new Case(c -> c.remove("hidden_size"), CllmException.Status.BAD_FORMAT, "missing hidden_size"),
            new Case(
                    c -> c.addProperty("hidden_size", "16"),
                    CllmException.Status.BAD_FORMAT,
                    "hidden_size must be a number"),
            new Case(c -> c.addProperty("hidden_size", 16.5), CllmException.Status.BAD_FORMAT, "32-bit integer"),
            new Case(
                    c -> c.addProperty("num_hidden_layers", 1L << 40),
                    CllmException.Status.BAD_FORMAT,
                    "32-bit integer"),
            new Case(
                    c -> c.addProperty("num_key_value_heads", 3),
                    CllmException.Status.BAD_FORMAT,
                    "num_attention_heads (2) must be a multiple of num_key_value_heads (3)"),
            new Case(
                    c -> c.addProperty("eos_token_id", 1000),
                    CllmException.Status.BAD_FORMAT,
                    "outside the vocabulary"),
            new Case(
                    c -> c.addProperty("tie_word_embeddings", "yes"),
                    CllmException.Status.BAD_FORMAT,
                    "tie_word_embeddings must be true or false"),
        };
        for (Case k : cases) {
            Files.writeString(dir.resolve("config.json"), original);
            editConfig(dir, k.edit());
            CllmException e = assertThrows(CllmException.class, () -> Checkpoints.load(dir), k.fragment());
            assertEquals(k.status(), e.status(), e.getMessage());
            assertTrue(e.getMessage().contains(k.fragment()), k.fragment() + " in: " + e.getMessage());
            assertTrue(e.getMessage().contains("config.json"), "names the file: " + e.getMessage());
        }
        for (String malformed : new String[] {
            "{\"model_type\": \"llama\",",
            "",
            "{'model_type': 'llama'}",
            "{\"model_type\": \"llama\"} {}",
            "{\"rope_theta\": NaN}",
            "{\"a\": 1 // comment\n}",
            "[1]"
        }) {
            Files.writeString(dir.resolve("config.json"), malformed);
            CllmException e = assertThrows(CllmException.class, () -> Checkpoints.load(dir), malformed);
            assertEquals(CllmException.Status.BAD_FORMAT, e.status());
            assertTrue(
                    e.getMessage().contains("malformed JSON") || e.getMessage().contains("expected a JSON object"),
                    e.getMessage());
            assertFalse(
                    e.getMessage().contains("\n") || e.getMessage().contains("https://"),
                    "one line: " + e.getMessage());
        }
    }

    @Test
    void configContradictingTheWeightsNamesTheTensor() throws IOException {
        CheckpointWriter.write(RandomWeights.create(CONFIG, 20), dir);
        String original = Files.readString(dir.resolve("config.json"));
        record Case(Consumer<JsonObject> edit, String fragment) {}
        Case[] cases = {
            new Case(c -> c.addProperty("num_hidden_layers", 3), "missing tensor model.layers.2."),
            new Case(c -> c.addProperty("num_hidden_layers", 1), "tensor model.layers.1."),
            new Case(c -> c.addProperty("hidden_size", 32), "tensor model.embed_tokens.weight has shape [37, 24]"),
            new Case(c -> c.addProperty("intermediate_size", 41), "tensor model.layers.0.mlp.gate_proj.weight"),
            new Case(c -> c.addProperty("vocab_size", 38), "tensor model.embed_tokens.weight"),
            new Case(c -> c.addProperty("num_key_value_heads", 4), "tensor model.layers.0.self_attn.k_proj.weight"),
            new Case(c -> c.addProperty("head_dim", 6), "tensor model.layers.0.self_attn.q_proj.weight"),
        };
        for (Case k : cases) {
            Files.writeString(dir.resolve("config.json"), original);
            editConfig(dir, k.edit());
            CllmException e = assertThrows(CllmException.class, () -> Checkpoints.load(dir), k.fragment());
            assertEquals(CllmException.Status.BAD_FORMAT, e.status(), e.getMessage());
            assertTrue(e.getMessage().contains(k.fragment()), k.fragment() + " in: " + e.getMessage());
        }
    }

    @Test
    void missingAndMisshapedTensors() throws IOException {
        ModelWeights w = RandomWeights.create(CONFIG, 21);
        Map<String, Tensor> tensors = new LinkedHashMap<>(w.tensors());
        tensors.remove(TensorNames.wv(1));
        writeRaw(dir, tensors);
        CllmException e = assertThrows(CllmException.class, () -> Checkpoints.load(dir));
        assertTrue(e.getMessage().contains("missing tensor " + TensorNames.wv(1)), e.getMessage());

        tensors = new LinkedHashMap<>(w.tensors());
        tensors.put(TensorNames.FINAL_NORM, Tensor.ofFloats(TensorNames.FINAL_NORM, new long[] {25}, new float[25]));
        writeRaw(dir, tensors);
        e = assertThrows(CllmException.class, () -> Checkpoints.load(dir));
        assertTrue(e.getMessage().contains("tensor model.norm.weight has shape [25]"), e.getMessage());

        tensors = new LinkedHashMap<>(w.tensors());
        tensors.put("model.layers.0.self_attn.q_proj.bias", Tensor.ofFloats("b", new long[] {32}, new float[32]));
        writeRaw(dir, tensors);
        e = assertThrows(CllmException.class, () -> Checkpoints.load(dir));
        assertEquals(CllmException.Status.UNSUPPORTED, e.status());
        assertTrue(e.getMessage().contains("q_proj.bias"), e.getMessage());

        // Extra tensors the model does not use (rotary caches of old checkpoints) are ignored.
        tensors = new LinkedHashMap<>(w.tensors());
        tensors.put("model.layers.0.self_attn.rotary_emb.inv_freq", Tensor.ofFloats("r", new long[] {4}, new float[4]));
        writeRaw(dir, tensors);
        assertSameBytes(w, Checkpoints.load(dir));
    }

    /** Writes config.json and model.safetensors holding exactly these tensors. */
    private static void writeRaw(Path dir, Map<String, Tensor> tensors) throws IOException {
        CheckpointWriter.writeSafetensors(tensors, dir.resolve("model.safetensors"), null, Map.of("format", "pt"));
        Files.writeString(
                dir.resolve("config.json"), HfConfig.toJson(CONFIG, DType.F32).toString());
    }

    @Test
    void shardedCheckpoints() throws IOException {
        ModelWeights w = RandomWeights.create(CONFIG, 22);
        CheckpointWriter.write(w, dir); // for config.json
        Files.delete(dir.resolve("model.safetensors"));
        Map<String, Tensor> first = new LinkedHashMap<>(), second = new LinkedHashMap<>();
        JsonObject weightMap = new JsonObject();
        int i = 0;
        for (Tensor t : w.tensors().values()) {
            boolean one = i++ % 2 == 0;
            (one ? first : second).put(t.name(), t);
            weightMap.addProperty(
                    t.name(), one ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors");
        }
        CheckpointWriter.writeSafetensors(first, dir.resolve("model-00001-of-00002.safetensors"), null, Map.of());
        CheckpointWriter.writeSafetensors(
                second, dir.resolve("model-00002-of-00002.safetensors"), DType.BF16, Map.of());
        JsonObject index = new JsonObject();
        JsonObject meta = new JsonObject();
        meta.addProperty("total_size", 123);
        index.add("metadata", meta);
        index.add("weight_map", weightMap);
        Path indexFile = dir.resolve("model.safetensors.index.json");
        Files.writeString(indexFile, index.toString());

        ModelWeights loaded = Checkpoints.load(dir);
        assertEquals(CONFIG, loaded.config());
        for (Tensor t : first.values())
            assertEquals(t.data().rewind(), loaded.require(t.name()).data().rewind());
        for (Tensor t : second.values())
            assertEquals(DType.BF16, loaded.require(t.name()).dtype());
        assertSameBytes(loaded, Checkpoints.load(indexFile));

        // A tensor listed in the index but absent from its shard.
        JsonObject lying = index.deepCopy();
        lying.getAsJsonObject("weight_map").addProperty(TensorNames.wq(0), "model-00002-of-00002.safetensors");
        String wqShard = weightMap.get(TensorNames.wq(0)).getAsString();
        assertEquals("model-00001-of-00002.safetensors", wqShard);
        Files.writeString(indexFile, lying.toString());
        CllmException e = assertThrows(CllmException.class, () -> Checkpoints.load(dir));
        assertTrue(
                e.getMessage().contains("tensor " + TensorNames.wq(0) + " is missing from this shard")
                        && e.getMessage().contains("model-00002-of-00002.safetensors"),
                e.getMessage());

        // A missing shard.
        Files.writeString(indexFile, index.toString());
        Files.delete(dir.resolve("model-00002-of-00002.safetensors"));
        e = assertThrows(CllmException.class, () -> Checkpoints.load(dir));
        assertEquals(CllmException.Status.BAD_FORMAT, e.status());
        assertTrue(e.getMessage().contains("missing shard model-00002-of-00002.safetensors"), e.getMessage());

        // A shard name that escapes the directory; a malformed index.
        JsonObject escaping = index.deepCopy();
        escaping.getAsJsonObject("weight_map").addProperty(TensorNames.EMBED, "../model-00001-of-00002.safetensors");
        Files.writeString(indexFile, escaping.toString());
        e = assertThrows(CllmException.class, () -> Checkpoints.load(dir));
        assertTrue(e.getMessage().contains("is not a file name"), e.getMessage());
        Files.writeString(indexFile, "{\"weight_map\": [1]}");
        e = assertThrows(CllmException.class, () -> Checkpoints.load(dir));
        assertTrue(e.getMessage().contains("weight_map"), e.getMessage());
    }

    @Test
    void writerCopiesTheTokenizer() throws IOException {
        Path src = Files.createDirectories(dir.resolve("src"));
        Files.writeString(src.resolve("tokenizer.json"), "{\"model\":{}}");
        Files.writeString(src.resolve("tokenizer_config.json"), "{}");
        Path out = dir.resolve("out");
        CheckpointWriter.write(RandomWeights.create(TIED, 23), out, null, src.resolve("tokenizer.json"));
        assertEquals("{\"model\":{}}", Files.readString(out.resolve("tokenizer.json")));
        assertTrue(Files.exists(out.resolve("tokenizer_config.json")));
        assertEquals(
                out.resolve("tokenizer.json"), Checkpoints.tokenizerFile(out).orElseThrow());
        try (var files = Files.list(out)) {
            assertTrue(files.noneMatch(p -> p.toString().endsWith(".tmp")), "no temporary files left");
        }
        CllmException e = assertThrows(
                CllmException.class,
                () -> CheckpointWriter.write(RandomWeights.create(TIED, 23), out, null, src.resolve("none.json")));
        assertEquals(CllmException.Status.IO, e.status());
    }

    static void editConfig(Path dir, Consumer<JsonObject> edit) throws IOException {
        JsonObject c = JsonFiles.readObject(dir.resolve("config.json"));
        edit.accept(c);
        Files.writeString(
                dir.resolve("config.json"),
                new GsonBuilder().serializeNulls().create().toJson(c),
                StandardCharsets.UTF_8);
    }
}
