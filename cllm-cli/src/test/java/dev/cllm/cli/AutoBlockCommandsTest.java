package dev.cllm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** generate and bench with the block size chosen by measurement, on the embedded CLLM. */
class AutoBlockCommandsTest {
    static final String PROMPT =
            "Question: Aria found 59 peaches. Jack found 39 more than Aria. How many peaches did Jack find?\nAnswer:";

    @TempDir
    Path dir;

    @Test
    void generateJacobiDefaultsToAutoPrintsArTextAndSaysWhichSizesRan() {
        InfoCommandTest.Result ar = InfoCommandTest.run("generate", "--device", "cpu", "-n", "60", "-p", PROMPT);
        InfoCommandTest.Result auto =
                InfoCommandTest.run("generate", "--device", "cpu", "-n", "60", "--jacobi", "-p", PROMPT);
        assertEquals(0, auto.code(), auto.err());
        assertEquals(ar.out(), auto.out(), "the automatic block size prints exactly the AR text");
        assertTrue(auto.err().contains("jacobi(auto, refill, random guesses)"), auto.err());
        String summary = auto.err()
                .lines()
                .filter(l -> l.startsWith("block size auto: ran n="))
                .findFirst()
                .orElse("");
        assertTrue(
                summary.contains("% of iterations")
                        && summary.contains("chose n=")
                        && summary.contains(" 1:1.00")
                        && summary.contains("costs measured in"),
                auto.err());
        InfoCommandTest.Result fixed = InfoCommandTest.run(
                "generate", "--device", "cpu", "-n", "60", "--jacobi", "--block", "5", "-p", PROMPT);
        assertEquals(ar.out(), fixed.out());
        assertTrue(fixed.err().contains("jacobi(n=5") && !fixed.err().contains("block size auto"), fixed.err());
    }

    @Test
    void benchTakesAutoAsOneOfItsBlockSizes() throws Exception {
        Path json = dir.resolve("bench.json");
        InfoCommandTest.Result r = InfoCommandTest.run(
                "bench",
                "--model",
                "embedded:cllm",
                "--device",
                "cpu",
                "--block",
                "auto,4",
                "--max-new-tokens",
                "48",
                "--random-prompts",
                "2",
                "--forward-blocks",
                "none",
                "--json",
                json.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("n ran") && r.out().contains("jacobi auto: chose n="), r.out());
        JsonArray rows = JsonParser.parseString(Files.readString(json)).getAsJsonArray();
        assertEquals(3, rows.size(), "ar, auto, 4");
        JsonObject auto = rows.get(1).getAsJsonObject();
        assertEquals("auto", auto.get("block").getAsString());
        assertTrue(auto.get("same_as_ar").getAsBoolean());
        long iterations = auto.get("iterations").getAsLong();
        long byBlock = auto.getAsJsonObject("iterations_by_block").entrySet().stream()
                .mapToLong(e -> e.getValue().getAsLong())
                .sum();
        assertEquals(iterations, byBlock, "every iteration has its block size");
        JsonObject choice = auto.getAsJsonObject("auto");
        assertEquals(1.0, choice.getAsJsonObject("cost_ratio").get("1").getAsDouble());
        assertTrue(choice.getAsJsonObject("expected_tokens_per_iteration")
                .has(Integer.toString(choice.get("chosen").getAsInt())));
        JsonObject four = rows.get(2).getAsJsonObject();
        assertEquals(4, four.get("block").getAsInt());
        assertEquals(
                four.get("iterations").getAsLong(),
                four.getAsJsonObject("iterations_by_block").get("4").getAsLong());
    }
}
