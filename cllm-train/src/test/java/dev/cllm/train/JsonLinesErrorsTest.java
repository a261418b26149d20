package dev.cllm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cllm.CllmException;
import dev.cllm.data.MathDatasets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JSON Lines readers of cllm-train report a bad line in one line naming the file, the line and the column. */
class JsonLinesErrorsTest {
    private static final String RECORD =
            "{\"data_id\": 0, \"block_id\": 0, \"prompt_ids\": [1], \"trajectory_ids\": [[2, 3]],"
                    + " \"teacher_output_ids\": [2, 3]}";

    @TempDir
    Path dir;

    private static CllmException oneLine(Path file, org.junit.jupiter.api.function.Executable read, String fragment) {
        CllmException e = assertThrows(CllmException.class, read);
        assertEquals(CllmException.Status.BAD_FORMAT, e.status(), e.getMessage());
        assertFalse(
                e.getMessage().contains("\n") || e.getMessage().contains("https://"), "one line: " + e.getMessage());
        assertTrue(
                e.getMessage().startsWith(file + ": ") && e.getMessage().contains(fragment),
                fragment + " in: " + e.getMessage());
        return e;
    }

    @Test
    void trajectoryFilesNameTheBadLine() throws IOException {
        Path file = dir.resolve("t.jsonl");
        Files.writeString(file, RECORD + "\n" + RECORD + "\n{\"data_id\" 1}\n" + RECORD + "\n");
        oneLine(file, () -> TrajectoryFiles.readAll(file), "malformed JSON at line 3, column 13: Expected ':'");
        Files.writeString(file, RECORD + "\n{data_id: 1}\n" + RECORD + "\n");
        oneLine(file, () -> TrajectoryFiles.readAll(file), "malformed JSON at line 2, column 3: not valid JSON");
        Files.writeString(
                file, RECORD + "\n" + RECORD.replace("\"data_id\": 0", "\"data_id\": {}") + "\n" + RECORD + "\n");
        oneLine(file, () -> TrajectoryFiles.readAll(file), "line 2: ");
        Files.writeString(file, RECORD + "\n[1]\n" + RECORD + "\n");
        oneLine(file, () -> TrajectoryFiles.readAll(file), "line 2: expected a JSON object");
        Files.writeString(file, RECORD + "\n" + RECORD + "\n");
        assertEquals(2, TrajectoryFiles.readAll(file).size());
    }

    @Test
    void mathJsonlNamesTheBadLine() throws IOException {
        Path file = dir.resolve("m.jsonl");
        Files.writeString(
                file, "{\"question\": \"q\", \"answer\": \"a\", \"final\": \"1\"}\n\n{\"question\": \"q\",\n");
        oneLine(file, () -> MathDatasets.readJsonl(file), "malformed JSON at line 3, column");
    }
}
