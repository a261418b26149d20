package dev.cllm.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.cllm.CllmException;
import dev.cllm.model.GgufWriter;
import dev.cllm.model.LlamaConfig;
import dev.cllm.model.RandomWeights;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our byte-level BPE tokenizers written into GGUF files as gpt2 vocabularies and read back: token for
 * token the same ids as the tokenizer.json of the same model through Hugging Face tokenizers (DJL, the
 * Rust library) and as our own {@link ByteBpeTokenizer}, and the same decoded text, on varied text. The
 * other pre-tokenizers (GPT-2's, Llama 3's, Qwen2's regex) are checked the same way against DJL with
 * tokenizer.json files that use them.
 */
class GgufBpeTokenizerTest {
    @TempDir
    static Path dir;

    static ByteBpeTokenizer ours;
    static Path json;
    static HfTokenizer djl;
    static List<String> samples;

    @BeforeAll
    static void train() {
        Random random = new Random(1);
        StringBuilder corpus = new StringBuilder();
        for (int i = 0; i < 400; i++)
            corpus.append(TokenizerCorpus.text(random, 30)).append('\n');
        ours = new BpeTrainer().vocabSize(800).train(corpus);
        json = dir.resolve("ours/tokenizer.json");
        ours.save(json);
        djl = Tokenizers.load(json);
        samples = TokenizerCorpus.samples(2, 300);
    }

    @AfterAll
    static void close() {
        if (djl != null) djl.close();
    }

    /** A GGUF model file with this vocabulary; returns the tokenizer read back from it. */
    static Tokenizer throughGguf(GgufVocabulary vocab, String name) {
        LlamaConfig c = LlamaConfig.of(32, 64, 1, 2, 1, vocab.size(), 16, true);
        Path file = dir.resolve(name + ".gguf");
        GgufWriter.write(RandomWeights.create(c, 3), file, null, vocab.toMetadata());
        return Tokenizers.forCheckpoint(file, c);
    }

    @Test
    void ourTokenizerThroughGgufEncodesAndDecodesLikeTokenizerJson() {
        Tokenizer gguf = throughGguf(GgufVocabulary.of(ours), "ours");
        assertInstanceOf(GgufBpeTokenizer.class, gguf);
        assertEquals(ours.vocabSize(), gguf.vocabSize());
        assertEquals(0, gguf.bosId());
        assertEquals(1, gguf.eosId());
        int tokens = 0;
        for (String text : samples) {
            int[] expected = djl.encode(text);
            assertArrayEquals(expected, gguf.encode(text), "encode: " + text);
            assertArrayEquals(expected, ours.encode(text), "ours: " + text);
            assertEquals(djl.decode(expected), gguf.decode(expected), "decode: " + text);
            if (!text.contains("<s>") && !text.contains("</s>") && !text.contains("<pad>")) {
                assertEquals(text, gguf.decode(expected), "round trip (byte-level BPE is lossless): " + text);
            }
            tokens += expected.length;
        }
        assertTrue(tokens > 10_000, "a real corpus: " + tokens + " tokens");
        assertEquals("", gguf.decode(new int[] {0, 1, 2, -4, 100_000}), "specials and ids outside are skipped");
    }

    @Test
    void paddingToTheEmbeddingRowsAddsUnusedTokensThatEncodingNeverMakes() {
        GgufVocabulary padded = GgufVocabulary.of(ours).padTo(ours.vocabSize() + 5);
        assertEquals(ours.vocabSize() + 5, padded.size());
        assertEquals("[PAD" + ours.vocabSize() + "]", padded.tokens()[ours.vocabSize()]);
        assertEquals(GgufVocabulary.UNUSED, padded.type(ours.vocabSize() + 4));
        Tokenizer t = throughGguf(padded, "padded");
        for (String text : samples.subList(0, 50)) assertArrayEquals(ours.encode(text), t.encode(text), text);
        assertEquals(padded, padded.padTo(3), "never shrinks");
    }

    @Test
    void exportingTheTokenizerJsonGivesTheSameVocabulary() {
        GgufVocabulary exported = GgufTokenizerExport.fromTokenizerJson(json);
        GgufVocabulary direct = GgufVocabulary.of(ours);
        assertArrayEquals(direct.tokens(), exported.tokens());
        assertArrayEquals(direct.types(), exported.types());
        assertArrayEquals(direct.merges(), exported.merges());
        assertEquals(direct.pre(), exported.pre());
        assertEquals(direct.bosId(), exported.bosId());
        assertEquals(direct.eosId(), exported.eosId());
        assertEquals(direct.addBos(), exported.addBos());
        assertEquals(GgufVocabulary.OUR_PRE, exported.pre());
    }

    /** The same vocabulary and merges under another pre-tokenizer: tokenizer.json for DJL, and the GGUF name. */
    private void assertPreTokenizerAgrees(JsonObject preTokenizer, String ggufName) throws Exception {
        JsonObject root = ours.toJson();
        root.add("pre_tokenizer", preTokenizer);
        Path file = Files.createDirectories(dir.resolve(ggufName)).resolve("tokenizer.json");
        Files.writeString(file, root.toString());
        GgufVocabulary base = GgufTokenizerExport.fromTokenizerJson(json);
        GgufVocabulary vocab = new GgufVocabulary(
                base.model(),
                ggufName,
                base.tokens(),
                null,
                base.types(),
                base.merges(),
                base.bosId(),
                base.eosId(),
                -1,
                -1,
                true,
                false,
                false);
        Tokenizer gguf = throughGguf(vocab, ggufName);
        try (HfTokenizer hf = Tokenizers.load(file)) {
            for (String text : samples) {
                int[] expected = hf.encode(text);
                assertArrayEquals(expected, gguf.encode(text), ggufName + ": " + text);
                assertEquals(hf.decode(expected), gguf.decode(expected), ggufName + " decode: " + text);
            }
        }
    }

    private static JsonObject byteLevel(boolean useRegex) {
        JsonObject b = new JsonObject();
        b.addProperty("type", "ByteLevel");
        b.addProperty("add_prefix_space", false);
        b.addProperty("trim_offsets", true);
        b.addProperty("use_regex", useRegex);
        return b;
    }

    private static JsonObject splitThenByteLevel(String regex) {
        JsonObject pattern = new JsonObject();
        pattern.addProperty("Regex", regex);
        JsonObject split = new JsonObject();
        split.addProperty("type", "Split");
        split.add("pattern", pattern);
        split.addProperty("behavior", "Isolated");
        split.addProperty("invert", false);
        JsonArray list = new JsonArray();
        list.add(split);
        list.add(byteLevel(false));
        JsonObject seq = new JsonObject();
        seq.addProperty("type", "Sequence");
        seq.add("pretokenizers", list);
        return seq;
    }

    @Test
    void gpt2Llama3AndQwen2PreTokenizersAgreeWithHuggingFace() throws Exception {
        assertPreTokenizerAgrees(byteLevel(true), "gpt-2");
        assertPreTokenizerAgrees(splitThenByteLevel(BpePreTokenizers.LLAMA3_REGEX), "llama-bpe");
        assertPreTokenizerAgrees(splitThenByteLevel(BpePreTokenizers.QWEN2_REGEX), "qwen2");
        // The export recognises the first two by their tokenizer.json form.
        assertEquals("gpt-2", GgufTokenizerExport.preTokenizerName(byteLevel(true)));
        assertEquals(
                "llama-bpe", GgufTokenizerExport.preTokenizerName(splitThenByteLevel(BpePreTokenizers.LLAMA3_REGEX)));
    }

    @Test
    void unknownPreTokenizersAndBrokenMergesAreRefused() {
        GgufVocabulary base = GgufVocabulary.of(ours);
        GgufVocabulary other = new GgufVocabulary(
                base.model(),
                "deepseek-coder",
                base.tokens(),
                null,
                base.types(),
                base.merges(),
                0,
                1,
                -1,
                -1,
                true,
                false,
                false);
        CllmException e = assertThrows(CllmException.class, () -> other.tokenizer("src"));
        assertEquals(CllmException.Status.UNSUPPORTED, e.status());
        assertTrue(e.getMessage().contains("tokenizer.ggml.pre 'deepseek-coder' is not supported"), e.getMessage());
        String[] merges = base.merges().clone();
        merges[3] = "nosuch token";
        GgufVocabulary broken = new GgufVocabulary(
                base.model(), base.pre(), base.tokens(), null, base.types(), merges, 0, 1, -1, -1, true, false, false);
        e = assertThrows(CllmException.class, () -> broken.tokenizer("src"));
        assertEquals(CllmException.Status.BAD_FORMAT, e.status());
        assertTrue(e.getMessage().startsWith("src: tokenizer merge 3 'nosuch token'"), e.getMessage());
    }
}
