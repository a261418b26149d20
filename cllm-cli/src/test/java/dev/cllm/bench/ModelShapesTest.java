package dev.cllm.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cllm.model.LlamaConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The Java benchmarks' presets are the rows of the repository's one preset table (the native twin of this
 * check is the ctest bench_presets_match_table, which compares cllm-bench --list-presets with the same file).
 */
class ModelShapesTest {
    /** The table in the source tree; surefire runs in the module's directory. */
    private static final Path TABLE = Path.of("..", "native", "bench", "model-presets.tsv");

    /** A preset's shape columns as the table and cllm-bench --list-presets write them. */
    private static String row(String name, LlamaConfig c) {
        return name + " " + c.dim() + " " + c.hiddenDim() + " " + c.nLayers() + " " + c.nHeads() + " " + c.nKvHeads()
                + " " + c.vocabSize() + " " + c.maxSeqLen() + " " + (c.tiedEmbeddings() ? "tied" : "untied");
    }

    @Test
    void presetsAreTheRowsOfTheSharedTable() throws IOException {
        List<String> expected = new ArrayList<>();
        for (String line : Files.readAllLines(TABLE)) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) continue;
            expected.add(String.join(" ", List.of(l.split("\\s+")).subList(0, 9)));
        }
        List<String> actual = new ArrayList<>();
        for (Map.Entry<String, LlamaConfig> e : ModelShapes.all().entrySet()) actual.add(row(e.getKey(), e.getValue()));
        assertEquals(expected, actual);
        assertTrue(expected.size() >= 6, "the table lists the benchmark presets: " + expected);
        assertEquals(LlamaConfig.of(768, 2048, 12, 12, 12, 32000, 1024, true), ModelShapes.get("110M"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelShapes.get("5x"));
        List<String> names = new ArrayList<>();
        for (String r : expected) names.add(r.substring(0, r.indexOf(' ')));
        assertTrue(e.getMessage().contains("known: " + String.join(", ", names)), e.getMessage());
    }

    @Test
    void malformedRowsAreRejectedNamingTheLine() {
        IllegalStateException e = assertThrows(
                IllegalStateException.class, () -> ModelShapes.parse("# comment\n\nx 1 2 3 4 5 6 7 maybe words\n"));
        assertTrue(e.getMessage().contains(":3: not a preset row"), e.getMessage());
    }
}
