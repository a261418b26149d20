package dev.cllm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cllm.CllmException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Prompt files: JSON Lines errors are one line naming the file, the line and the column. */
class PromptFileTest {
    @TempDir
    Path dir;

    @Test
    void readsJsonLinesAndPlainLines() throws IOException {
        Path file = Files.writeString(dir.resolve("p.jsonl"), "{\"prompt\": \"a\\nb\"}\n\nplain text\n");
        assertEquals(List.of("a\nb", "plain text"), PromptFile.read(file));
    }

    @Test
    void aMalformedLineIsOneLineNamingFileLineAndColumn() throws IOException {
        String[] lines = {"{\"prompt\": \"x\"", "{\"prompt\" \"x\"}", "{prompt: \"x\"}", "{\"prompt\": \"x\"} {}"};
        for (String bad : lines) {
            Path file = Files.writeString(dir.resolve("p.jsonl"), "{\"prompt\": \"ok\"}\n" + bad + "\n");
            CllmException e = assertThrows(CllmException.class, () -> PromptFile.read(file), bad);
            assertEquals(CllmException.Status.BAD_FORMAT, e.status());
            assertFalse(e.getMessage().contains("\n") || e.getMessage().contains("https://"), e.getMessage());
            assertTrue(e.getMessage().startsWith(file + ": malformed JSON at line 2, column "), e.getMessage());
        }
    }
}
