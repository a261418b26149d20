package dev.cllm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.cllm.data.MathGenerator;
import dev.cllm.data.MathProblem;
import dev.cllm.data.Split;
import dev.cllm.model.CheckpointWriter;
import dev.cllm.model.DType;
import dev.cllm.model.LlamaConfig;
import dev.cllm.model.RandomWeights;
import dev.cllm.tokenizer.BpeTrainer;
import dev.cllm.tokenizer.ByteBpeTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoCommandTest {
    @TempDir
    Path dir;

    @Test
    void comparesTeacherAndCllmAndWritesJsonAndHtml() throws Exception {
        StringBuilder text = new StringBuilder();
        for (MathProblem p : new MathGenerator(Split.TRAIN, 4).generate(200))
            text.append(p.promptWithAnswer()).append('\n');
        ByteBpeTokenizer tokenizer = new BpeTrainer().vocabSize(300).train(text);
        Path tokenizerFile = dir.resolve("tokenizer.json");
        tokenizer.save(tokenizerFile);
        LlamaConfig config = new LlamaConfig(
                32,
                64,
                1,
                2,
                1,
                16,
                tokenizer.vocabSize(),
                512,
                10000f,
                1e-5f,
                true,
                tokenizer.bosId(),
                tokenizer.eosId());
        CheckpointWriter.write(RandomWeights.create(config, 1), dir.resolve("teacher"), DType.BF16, tokenizerFile);
        CheckpointWriter.write(RandomWeights.create(config, 2), dir.resolve("cllm"), DType.BF16, tokenizerFile);
        Path json = dir.resolve("demo.json"), html = dir.resolve("demo.html");
        InfoCommandTest.Result r = InfoCommandTest.run(
                "demo",
                "--teacher",
                dir.resolve("teacher").toString(),
                "--cllm",
                dir.resolve("cllm").toString(),
                "--questions",
                "3",
                "--max-new-tokens",
                "24",
                "--device",
                "cpu",
                "--json",
                json.toString(),
                "--html",
                html.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("same as AR") && r.out().contains("Jacobi iteration"), r.out());
        // The block size is chosen by measurement by default: the header, the speedup line and the live
        // example say which n ran.
        assertTrue(r.out().contains("Jacobi n=auto"), r.out());
        assertTrue(
                r.out().contains("CLLM Jacobi vs teacher AR, same run: ")
                        && r.out().contains("x wall clock"),
                r.out());
        assertTrue(r.out().contains("block size auto: chose n="), r.out());
        assertTrue(r.out().matches("(?s).*tokens/iteration, n=\\d+ for \\d+% of iterations.*answer .*"), r.out());
        assertTrue(r.out().contains("questions written by hand"), r.out());
        JsonArray rows = JsonParser.parseString(Files.readString(json)).getAsJsonArray();
        assertEquals(6, rows.size(), "four rows on generated questions, two on the handwritten ones");
        for (var e : rows) {
            JsonObject o = e.getAsJsonObject();
            assertEquals(
                    Set.of(
                            "mode",
                            "model",
                            "questions",
                            "accuracy",
                            "tokens_per_iteration",
                            "tokens_per_second",
                            "speedup_vs_ar",
                            "agreement_with_ar",
                            "limit_hits"),
                    o.keySet());
            boolean handwritten = o.get("model").getAsString().endsWith("-h");
            assertEquals(
                    handwritten ? HandwrittenQuestionsTest.COUNT : 3,
                    o.get("questions").getAsInt());
            if (o.get("mode").getAsString().equals("jacobi")) {
                assertEquals(1.0, o.get("agreement_with_ar").getAsDouble(), "Jacobi is lossless");
            }
        }
        String page = Files.readString(html);
        assertTrue(page.startsWith("<!DOCTYPE html>") && page.contains("class=\"final\""), page);
    }

    @Test
    void countsTheAnswersThatRunToTheTokenLimit() throws Exception {
        StringBuilder text = new StringBuilder();
        for (MathProblem p : new MathGenerator(Split.TRAIN, 5).generate(100))
            text.append(p.promptWithAnswer()).append('\n');
        ByteBpeTokenizer tokenizer = new BpeTrainer().vocabSize(300).train(text);
        Path tokenizerFile = dir.resolve("tokenizer.json");
        tokenizer.save(tokenizerFile);
        LlamaConfig config = new LlamaConfig(
                32,
                64,
                1,
                2,
                1,
                16,
                tokenizer.vocabSize(),
                512,
                10000f,
                1e-5f,
                true,
                tokenizer.bosId(),
                tokenizer.eosId());
        CheckpointWriter.write(RandomWeights.create(config, 3), dir.resolve("m"), DType.BF16, tokenizerFile);
        Path json = dir.resolve("limits.json");
        // Without stopping at end-of-sequence every answer runs to the limit: every row counts them all.
        InfoCommandTest.Result r = InfoCommandTest.run(
                "demo",
                "--teacher",
                dir.resolve("m").toString(),
                "--cllm",
                dir.resolve("m").toString(),
                "--questions",
                "2",
                "--max-new-tokens",
                "5",
                "--no-eos",
                "--device",
                "cpu",
                "--no-live",
                "--no-handwritten",
                "--json",
                json.toString());
        assertEquals(0, r.code(), r.err());
        JsonArray rows = JsonParser.parseString(Files.readString(json)).getAsJsonArray();
        assertEquals(4, rows.size(), "--no-handwritten leaves the generated questions only");
        for (var e : rows) assertEquals(2, e.getAsJsonObject().get("limit_hits").getAsInt(), e.toString());
    }
}
