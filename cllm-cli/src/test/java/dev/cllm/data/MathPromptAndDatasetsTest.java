package dev.cllm.data;

import static org.junit.jupiter.api.Assertions.*;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.cllm.cli.Main;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MathPromptAndDatasetsTest {
    @TempDir
    Path dir;

    @Test
    void promptFormatIsExact() {
        assertEquals("Question: How many?\nAnswer:", MathPrompt.format("How many?"));
        assertEquals(
                "Question: How many?\nAnswer: 2+2 = <<2+2=4>>4\n#### 4",
                MathPrompt.formatWithAnswer("How many?", "2+2 = <<2+2=4>>4\n#### 4"));
        assertEquals(MathPrompt.format("q") + MathPrompt.continuation("s"), MathPrompt.formatWithAnswer("q", "s"));
        assertEquals("Question: q\nAnswer: s</s>", MathPrompt.document("q", "s"));
        assertEquals("How many?", MathPrompt.questionOf(MathPrompt.formatWithAnswer("How many?", "x")));
        assertNull(MathPrompt.questionOf("Q: x"));
    }

    @Test
    void jsonlAndCorpusRoundTrip() throws Exception {
        List<MathProblem> ps = new MathGenerator(Split.TRAIN, 5).generate(300);
        Path f = dir.resolve("a.jsonl");
        MathDatasets.writeJsonl(ps, f, false);
        List<String> lines = Files.readAllLines(f);
        assertEquals(300, lines.size());
        JsonObject o = JsonParser.parseString(lines.get(0)).getAsJsonObject();
        assertEquals(List.of("question", "answer", "final"), List.copyOf(o.keySet()));
        assertTrue(lines.get(0).contains("<<"), "no HTML escaping");
        List<MathExample> back = MathDatasets.readJsonl(f);
        for (int i = 0; i < ps.size(); i++) {
            assertEquals(
                    new MathExample(
                            ps.get(i).question(), ps.get(i).answer(), ps.get(i).finalAnswer()),
                    back.get(i));
        }
        StringWriter w = new StringWriter();
        MathDatasets.writeCorpus(ps, w);
        List<String> docs = MathDatasets.corpusDocuments(w.toString());
        assertEquals(300, docs.size());
        assertEquals(ps.get(7).promptWithAnswer(), docs.get(7));
        assertTrue(w.toString().startsWith("Question: "));
    }

    @Test
    void cliWritesSplitsAndChecksThem() throws Exception {
        Path tr = dir.resolve("train.jsonl"), te = dir.resolve("test.jsonl"), txt = dir.resolve("c.txt");
        assertEquals(
                0,
                Main.run("data", "math", "--split", "train", "--count", "2000", "--seed", "3", "--out", tr.toString()));
        assertEquals(
                0,
                Main.run(
                        "data",
                        "math",
                        "--split",
                        "test",
                        "--count",
                        "300",
                        "--seed",
                        "4",
                        "--out",
                        te.toString(),
                        "--meta"));
        assertEquals(2000, Files.readAllLines(tr).size());
        assertEquals(
                new MathGenerator(Split.TRAIN, 3).problem(1999).question(),
                MathDatasets.readJsonl(tr).get(1999).question());
        assertTrue(Files.readAllLines(te).get(0).contains("\"family\""));
        assertEquals(0, Main.run("data", "check", "--train", tr.toString(), "--test", te.toString()));
        assertEquals(1, Main.run("data", "check", "--train", tr.toString(), "--test", tr.toString()));
        assertEquals(
                0,
                Main.run(
                        "data",
                        "math",
                        "--split",
                        "train",
                        "--count",
                        "10",
                        "--out",
                        txt.toString(),
                        "--format",
                        "text"));
        assertEquals(10, MathDatasets.corpusDocuments(Files.readString(txt)).size());
        assertEquals(2, Main.run("data", "math", "--split", "dev", "--count", "10", "--out", txt.toString()));
    }
}
