package dev.cllm.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cllm.CllmException;
import dev.cllm.model.LlamaConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HfTokenizerTest {
    @TempDir
    Path dir;

    @Test
    void addsBosExactlyWhenThePostProcessorSays() throws IOException {
        try (HfTokenizer t = Tokenizers.load(TestTokenizerFiles.llamaStyle(dir))) {
            int[] ids = t.encode("hello world");
            assertArrayEquals(new int[] {1, 271, 276}, ids, "<s> ▁hello ▁world");
            assertArrayEquals(new int[] {271, 276}, t.encodeWithoutSpecialTokens("hello world"));
            assertArrayEquals(new int[] {1}, t.encode(""));
            assertEquals(1, t.bosId());
            assertEquals("<s>", t.bosToken());
            assertEquals(2, t.eosId());
            assertEquals("</s>", t.eosToken());
            assertEquals(TestTokenizerFiles.LLAMA_STYLE_VOCAB, t.vocabSize());
            assertTrue(t.canEncode());
        }
        Path words = Files.createDirectories(dir.resolve("words"));
        try (HfTokenizer t = Tokenizers.load(TestTokenizerFiles.wordLevel(words, "a", "b", "c"))) {
            assertArrayEquals(new int[] {2, 3, 4, 1}, t.encode("a b c zzz"), "no post-processor: no BOS");
            assertEquals(-1, t.bosId());
            assertEquals(0, t.eosId(), "<|endoftext|>");
            assertEquals(5, t.vocabSize());
        }
    }

    @Test
    void decodeSkipsSpecialTokensAndRoundTripsUnicodeThroughByteFallback() throws IOException {
        try (HfTokenizer t = Tokenizers.load(TestTokenizerFiles.llamaStyle(dir))) {
            assertEquals("hello world", t.decode(new int[] {1, 271, 276, 2}));
            String text = "héllo wörld € 😀 hello";
            int[] ids = t.encode(text);
            assertEquals(text, t.decode(ids));
            assertEquals("hello", t.decode(new int[] {271, -5, 99999}), "ids outside the vocabulary are ignored");
        }
    }

    @Test
    void longInputsAreNotTruncated() throws IOException {
        try (HfTokenizer t = Tokenizers.load(TestTokenizerFiles.llamaStyle(dir))) {
            String text = "hello world ".repeat(1500).strip();
            int[] ids = t.encode(text);
            assertEquals(3001, ids.length, "DJL's default truncation to 512 is off");
            assertEquals(text, t.decode(ids));
        }
    }

    @Test
    void specialTokensFromTokenizerConfigOrModelConfig() throws IOException {
        Path file = TestTokenizerFiles.wordLevel(dir, "a", "b");
        try (HfTokenizer t = Tokenizers.load(file, new LlamaConfig(8, 8, 1, 1, 1, 8, 4, 8, 1e4f, 1e-5f, true, 3, 2))) {
            assertEquals(3, t.bosId(), "from the model config when the tokenizer names none");
            assertEquals(0, t.eosId(), "the tokenizer's own eos wins");
        }
        Files.writeString(
                dir.resolve("tokenizer_config.json"),
                "{\"bos_token\": {\"content\": \"<|endoftext|>\"}, \"eos_token\": \"b\"}");
        try (HfTokenizer t = Tokenizers.load(file)) {
            assertEquals(0, t.bosId());
            assertEquals(3, t.eosId());
            assertEquals("b", t.eosToken());
        }
    }

    @Test
    void missingOrMalformedFilesGiveClearErrors() throws IOException {
        CllmException e = assertThrows(CllmException.class, () -> Tokenizers.load(dir.resolve("none.json")));
        assertEquals(CllmException.Status.IO, e.status());
        assertTrue(e.getMessage().contains("none.json"), e.getMessage());

        Path bad = Files.writeString(dir.resolve("bad.json"), "{\"model\": {\"type\": \"BPE\", ");
        e = assertThrows(CllmException.class, () -> Tokenizers.load(bad));
        assertEquals(CllmException.Status.BAD_FORMAT, e.status());
        assertTrue(e.getMessage().contains("bad.json") && e.getMessage().contains("malformed JSON"), e.getMessage());

        Path noModel = Files.writeString(dir.resolve("nomodel.json"), "{\"added_tokens\": []}");
        e = assertThrows(CllmException.class, () -> Tokenizers.load(noModel));
        assertTrue(e.getMessage().contains("no \"model\""), e.getMessage());

        Path invalid = Files.writeString(
                dir.resolve("invalid.json"),
                "{\"model\": {\"type\": \"BPE\", \"vocab\": " + "{\"a\": 0}, \"merges\": [\"a b\"]}}");
        e = assertThrows(CllmException.class, () -> Tokenizers.load(invalid));
        assertEquals(CllmException.Status.BAD_FORMAT, e.status());
        assertTrue(
                e.getMessage().contains("invalid tokenizer") && e.getMessage().contains("invalid.json"),
                e.getMessage());
    }

    @Test
    void checkpointsWithoutTokenizerGetIdsOnly() {
        Tokenizer t = Tokenizers.forCheckpoint(dir, LlamaConfig.of(8, 8, 1, 1, 1, 10, 8, true));
        assertFalse(t.canEncode());
        assertEquals("3 4", t.decode(new int[] {3, 4}));
        assertThrows(IllegalArgumentException.class, () -> t.encode("x"));
    }
}
