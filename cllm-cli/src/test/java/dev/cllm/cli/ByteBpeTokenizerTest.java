package dev.cllm.cli;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.cllm.CllmException;
import dev.cllm.data.MathDatasets;
import dev.cllm.data.MathGenerator;
import dev.cllm.data.MathProblem;
import dev.cllm.data.MathPrompt;
import dev.cllm.data.Split;
import dev.cllm.tokenizer.BpeTrainer;
import dev.cllm.tokenizer.ByteBpeTokenizer;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ByteBpeTokenizerTest {
    @TempDir
    static Path dir;

    static String corpus;
    static ByteBpeTokenizer tok;
    static Path json;
    static HuggingFaceTokenizer hf;
    static List<MathProblem> test;

    @BeforeAll
    static void train() throws Exception {
        StringWriter w = new StringWriter();
        MathDatasets.writeCorpus(new MathGenerator(Split.TRAIN, 21).generate(6000), w);
        corpus = w.toString();
        tok = new BpeTrainer().vocabSize(700).train(corpus);
        json = dir.resolve("tokenizer.json");
        tok.save(json);
        hf = HuggingFaceTokenizer.builder()
                .optTokenizerPath(json)
                .optTruncation(false)
                .optPadding(false)
                .build();
        test = new MathGenerator(Split.TEST, 22).generate(1500);
    }

    @AfterAll
    static void close() {
        if (hf != null) hf.close();
    }

    static int[] hfIds(String text) {
        long[] ids = hf.encode(text).getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) out[i] = Math.toIntExact(ids[i]);
        return out;
    }

    static long[] longs(int[] ids) {
        return Arrays.stream(ids).asLongStream().toArray();
    }

    @Test
    void layoutAndSpecialIds() {
        assertEquals(700, tok.vocabSize());
        assertEquals(700 - ByteBpeTokenizer.BASE_VOCAB, tok.mergeCount());
        assertEquals(0, tok.bosId());
        assertEquals(1, tok.eosId());
        assertEquals(2, tok.padId());
        assertEquals("<s>", tok.token(0));
        assertEquals("</s>", tok.token(1));
        assertEquals("<pad>", tok.token(2));
        assertEquals("Ġ", tok.token(ByteBpeTokenizer.FIRST_BYTE_ID + ' '));
        assertEquals(1, hfIds("</s>")[1], "DJL maps the EOS text to id 1");
        assertArrayEquals(new int[] {0, 1}, tok.encode(MathPrompt.EOS_TEXT));
        assertArrayEquals(new int[] {0, 2, 0}, tok.encode("<pad><s>"));
    }

    @Test
    void tokenizerJsonHasTheDocumentedShape() throws Exception {
        JsonObject root = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
        assertEquals("BPE", root.getAsJsonObject("model").get("type").getAsString());
        assertEquals(700, root.getAsJsonObject("model").getAsJsonObject("vocab").size());
        JsonObject pre = root.getAsJsonObject("pre_tokenizer");
        assertEquals("Sequence", pre.get("type").getAsString());
        assertEquals(
                "Digits",
                pre.getAsJsonArray("pretokenizers")
                        .get(0)
                        .getAsJsonObject()
                        .get("type")
                        .getAsString());
        assertEquals("ByteLevel", root.getAsJsonObject("decoder").get("type").getAsString());
        assertEquals(
                "TemplateProcessing",
                root.getAsJsonObject("post_processor").get("type").getAsString());
        assertEquals(3, root.getAsJsonArray("added_tokens").size());
    }

    @Test
    void djlAndJavaAgreeAndRoundTripOnProblems() {
        for (MathProblem p : test) {
            for (String text : List.of(p.promptWithAnswer(), p.prompt(), p.answer())) {
                int[] mine = tok.encode(text);
                assertArrayEquals(hfIds(text), mine, text);
                assertEquals(0, mine[0], "BOS first");
                for (int k = 1; k < mine.length; k++)
                    assertTrue(mine[k] >= ByteBpeTokenizer.FIRST_BYTE_ID, "special inside");
                assertEquals(text, tok.decode(mine));
                assertEquals(text, hf.decode(longs(mine), true));
            }
        }
    }

    @Test
    void promptIdsArePrefixOfPromptWithAnswerIds() {
        for (MathProblem p : test.subList(0, 300)) {
            int[] prompt = tok.encode(p.prompt());
            int[] full = tok.encode(p.promptWithAnswer());
            assertArrayEquals(prompt, Arrays.copyOf(full, prompt.length), p.question());
        }
    }

    @Test
    void everyDigitIsItsOwnToken() {
        String text = "Natalia sold 48/2 = <<48/2=24>>24 clips, 1234567890 in all, and 2024's 3rd 10.5%.";
        int[] ids = tok.encode(text, false);
        StringBuilder rebuilt = new StringBuilder();
        for (int id : ids) {
            String raw = tok.decode(new int[] {id});
            if (raw.chars().anyMatch(Character::isDigit))
                assertEquals(1, raw.length(), "token '" + raw + "' holds a digit and more");
            rebuilt.append(raw);
        }
        assertEquals(text, rebuilt.toString());
        for (char d = '0'; d <= '9'; d++) {
            assertArrayEquals(new int[] {ByteBpeTokenizer.FIRST_BYTE_ID + d}, tok.encode(String.valueOf(d), false));
        }
        assertArrayEquals(hfIds(text), tok.encode(text));
    }

    @Test
    void unicodeAndOddTextAgreeWithDjl() {
        List<String> texts = new ArrayList<>(List.of(
                "",
                " ",
                "  leading and trailing  ",
                "tabs\tand\r\nnewlines\n\n\n",
                "Café naïve résumé",
                "日本語のテキスト",
                "emoji 🎉🙂 ok",
                "Ⅻ and ½ and ² are numeric",
                "it's we'll they'd I'M",
                "a<s>b</s>c<pad>d</sx><s",
                "1,234.56 $-7",
                "\u00a0nbsp\u2003em space",
                "x" + "y".repeat(300)));
        for (String t : texts) {
            assertArrayEquals(hfIds(t), tok.encode(t), t);
            assertEquals(hf.decode(longs(tok.encode(t)), true), tok.decode(tok.encode(t)), t);
        }
        assertEquals("Café 日本 🎉", tok.decode(tok.encode("Café 日本 🎉")));
        assertEquals("<s>a</s>", tok.decode(tok.encode("a</s>"), false));
    }

    @Test
    void trainingIsDeterministic() {
        ByteBpeTokenizer again = new BpeTrainer().vocabSize(700).threads(1).train(corpus);
        assertEquals(tok.toJsonString(), again.toJsonString());
        ByteBpeTokenizer bigger = new BpeTrainer().vocabSize(800).train(corpus);
        for (int i = 0; i < 700; i++)
            assertEquals(tok.token(i), bigger.token(i), "a larger vocabulary extends the smaller one");
    }

    @Test
    void loadReadsWhatSaveWrote() {
        ByteBpeTokenizer loaded = ByteBpeTokenizer.load(json);
        assertEquals(tok.toJsonString(), loaded.toJsonString());
        String t = test.get(0).promptWithAnswer();
        assertArrayEquals(tok.encode(t), loaded.encode(t));
    }

    @Test
    void loadRejectsOtherTokenizers() throws Exception {
        Path other = dir.resolve("other.json");
        Files.writeString(other, tok.toJsonString().replace("\"Digits\"", "\"Whitespace\""));
        CllmException e = assertThrows(CllmException.class, () -> ByteBpeTokenizer.load(other));
        assertEquals(CllmException.Status.UNSUPPORTED, e.status());
        Path broken = dir.resolve("broken.json");
        Files.writeString(broken, "{not json");
        assertEquals(
                CllmException.Status.BAD_FORMAT,
                assertThrows(CllmException.class, () -> ByteBpeTokenizer.load(broken))
                        .status());
    }

    @Test
    void smallCorpusStopsEarlyAndBadArgumentsThrow() {
        ByteBpeTokenizer small = new BpeTrainer().vocabSize(4096).train("abab abab</s>");
        assertTrue(
                small.vocabSize() < 4096 && small.vocabSize() > ByteBpeTokenizer.BASE_VOCAB,
                "size " + small.vocabSize());
        assertEquals("abab abab", small.decode(small.encode("abab abab")));
        assertEquals(-1, small.id("</s>" + "x"));
        assertThrows(IllegalArgumentException.class, () -> new BpeTrainer().vocabSize(100));
        assertThrows(IllegalArgumentException.class, () -> new BpeTrainer().minFrequency(0));
        assertThrows(IllegalArgumentException.class, () -> tok.decode(new int[] {700}));
        assertThrows(IllegalArgumentException.class, () -> tok.decode(new int[] {-1}));
    }

    @Test
    void cliTrainsATokenizerThatDjlLoads() throws Exception {
        Path text = dir.resolve("corpus.txt");
        Files.writeString(text, corpus.substring(0, 200_000));
        Path out = dir.resolve("cli/tokenizer.json");
        assertEquals(
                0,
                Main.run("tokenizer", "train", "--input", text.toString(), "--vocab", "512", "--out", out.toString()));
        try (HuggingFaceTokenizer h = HuggingFaceTokenizer.builder()
                .optTokenizerPath(out)
                .optTruncation(false)
                .optPadding(false)
                .build()) {
            String t = test.get(5).promptWithAnswer();
            assertEquals(t, h.decode(h.encode(t).getIds(), true));
            assertArrayEquals(
                    longs(ByteBpeTokenizer.load(out).encode(t)), h.encode(t).getIds());
        }
        assertEquals(
                2,
                Main.run("tokenizer", "train", "--input", text.toString(), "--vocab", "10", "--out", out.toString()));
        assertEquals(
                1,
                Main.run(
                        "tokenizer",
                        "train",
                        "--input",
                        dir.resolve("missing.txt").toString(),
                        "--out",
                        out.toString()));
    }
}
