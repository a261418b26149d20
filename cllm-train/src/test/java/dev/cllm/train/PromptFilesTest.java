package dev.cllm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cllm.CllmException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PromptFilesTest {
    @Test
    void idsCountPromptsNotLinesAndTheLimitKeepsTheFirst(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("p.jsonl");
        Files.writeString(
                file,
                "{\"prompt\":\"a\",\"answer\":\" x\"}\n\n   \n{\"prompt\":\"b\"}\n{\"prompt\":\"c\",\"answer\":null}\n");
        List<PromptText> all = PromptFiles.readJsonl(file, 0);
        assertEquals(
                List.of(new PromptText(0, "a", " x"), new PromptText(1, "b", null), new PromptText(2, "c", null)), all);
        assertEquals(all.subList(0, 2), PromptFiles.readJsonl(file, 2));
        assertNull(all.get(1).answer());
    }

    @Test
    void aBadLineIsNamed(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("p.jsonl");
        Files.writeString(file, "{\"prompt\":\"a\"}\n\n{\"question\":\"b\"}\n");
        CllmException e = assertThrows(CllmException.class, () -> PromptFiles.readJsonl(file, 0));
        assertTrue(e.getMessage().contains("line 3 has no string field \"prompt\""), e.getMessage());
        Files.writeString(file, "{\"prompt\":\"a\",\"answer\":[1]}\n");
        e = assertThrows(CllmException.class, () -> PromptFiles.readJsonl(file, 0));
        assertTrue(e.getMessage().contains("line 1 has a field \"answer\" that is not a string"), e.getMessage());
        Files.writeString(file, "\n");
        assertThrows(IllegalArgumentException.class, () -> PromptFiles.readJsonl(file, 0));
    }

    @Test
    void aDirectoryOfPartFilesReadsInNameOrder(@TempDir Path dir) throws IOException {
        TrajectoryRecord a = new TrajectoryRecord(0, 0, new int[] {1}, new int[][] {{2}}, new int[] {2}, null);
        TrajectoryRecord b = new TrajectoryRecord(1, 0, new int[] {3}, new int[][] {{4}}, new int[] {4}, new int[] {5});
        for (Object[] part : new Object[][] {{"part-00001.json.gz", b}, {"part-00000.json", a}}) {
            try (java.io.Writer w = TrajectoryFiles.openForAppend(dir.resolve((String) part[0]))) {
                TrajectoryFiles.write(w, (TrajectoryRecord) part[1]);
            }
        }
        Files.writeString(dir.resolve("_SUCCESS"), "");
        Files.writeString(dir.resolve(".part-00000.json.crc"), "not json");
        List<TrajectoryRecord> read = TrajectoryFiles.readAll(dir);
        assertEquals(
                List.of(a.toJson().toString(), b.toJson().toString()),
                read.stream().map(r -> r.toJson().toString()).toList());
        Path empty = Files.createDirectories(dir.resolve("empty"));
        CllmException e = assertThrows(CllmException.class, () -> TrajectoryFiles.readAll(empty));
        assertTrue(e.getMessage().contains("no trajectory files"), e.getMessage());
    }
}
