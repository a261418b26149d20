package dev.cllm.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cllm.CllmException;
import dev.cllm.tokenizer.ByteBpeTokenizer;
import dev.cllm.tokenizer.Tokenizers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every JSON the library reads reports a malformed file in one line naming the file and, where Gson
 * knows it, the line and column; Gson's second line ("See https://...") never shows.
 */
class JsonErrorsTest {
    @TempDir
    Path dir;

    private static final String[] MALFORMED = {
        "{\"hidden_size\": 24,", // cut off
        "{\"hidden_size\" 24}", // missing colon
        "{hidden_size: 24}", // lenient-only syntax
        "{\"a\": 1} {\"b\": 2}", // two values
        "{\n  \"a\": 1,\n  \"b\": tru\n}", // a bad literal on line 3
        "[1, 2",
        "",
        "{\"a\": \"unterminated",
        "{\"a\": 1 // comment\n}",
    };

    private static CllmException oneLineError(Executable load, Path file) {
        CllmException e = assertThrows(CllmException.class, load);
        assertEquals(CllmException.Status.BAD_FORMAT, e.status(), e.getMessage());
        assertFalse(e.getMessage().contains("\n") || e.getMessage().contains("\r"), "one line: " + e.getMessage());
        assertFalse(e.getMessage().contains("https://"), "no troubleshooting link: " + e.getMessage());
        assertTrue(e.getMessage().startsWith(file + ": "), "names the file: " + e.getMessage());
        return e;
    }

    @Test
    void configJsonErrorsAreOneLineWithLineAndColumn() throws IOException {
        Path config = dir.resolve("config.json");
        for (String text : MALFORMED) {
            Files.writeString(config, text);
            CllmException e = oneLineError(() -> HfConfig.read(config), config);
            assertTrue(e.getMessage().contains("malformed JSON"), e.getMessage());
            if (!text.isEmpty()) assertTrue(e.getMessage().matches(".* at line \\d+, column \\d+: .*"), e.getMessage());
        }
        Files.writeString(config, MALFORMED[4]);
        CllmException e = oneLineError(() -> HfConfig.read(config), config);
        assertTrue(e.getMessage().contains("at line 3, column"), e.getMessage());
        Files.writeString(config, MALFORMED[3]);
        e = oneLineError(() -> HfConfig.read(config), config);
        assertTrue(e.getMessage().contains("at line 1, column 11: Trailing data after the JSON value"), e.getMessage());
        Files.writeString(config, MALFORMED[2]);
        e = oneLineError(() -> HfConfig.read(config), config);
        assertTrue(e.getMessage().contains("at line 1, column 3: not valid JSON"), e.getMessage());
    }

    @Test
    void jsonLinesErrorsNameTheFileLine() {
        Path file = dir.resolve("prompts.jsonl");
        for (String text : MALFORMED) {
            if (text.contains("\n")) continue; // a JSON Lines line holds no line break
            oneLineError(() -> JsonFiles.parseObjectLine(text, file, 17), file);
        }
        CllmException e = oneLineError(() -> JsonFiles.parseObjectLine("{\"prompt\" \"x\"}", file, 17), file);
        assertTrue(e.getMessage().contains("malformed JSON at line 17, column 12: Expected ':'"), e.getMessage());
        e = oneLineError(() -> JsonFiles.parseObjectLine("[1, 2]", file, 5), file);
        assertTrue(e.getMessage().contains("line 5: expected a JSON object"), e.getMessage());
        assertEquals(
                "x",
                JsonFiles.parseObjectLine("{\"prompt\": \"x\"}", file, 1)
                        .get("prompt")
                        .getAsString());
    }

    @Test
    void safetensorsHeaderErrorsAreOneLine() {
        String[] headers = {
            "{\"a\":",
            "{\"a\" {}}",
            "{a: {}}",
            "{\"a\":{}} {}",
            "{\"t\": {\"dtype\": \"F32\", \"shape\": " + "[1], \"data_offsets\": [0, 4], \"x\": tru}}",
            "{\"t\": {\"dtype\": \"F32\", \"shape\": {}}}",
            // A tensor name and a dtype holding escaped line breaks are quoted in messages.
            "{\"a\\nb\": 1}",
            "{\"t\": {\"dtype\": \"F\\n32\", \"shape\": [1], \"data_offsets\": [0, 4]}}"
        };
        for (int i = 0; i < headers.length; i++) {
            Path file =
                    SafetensorsBytes.write(dir.resolve("h" + i + ".safetensors"), SafetensorsBytes.of(headers[i], 4));
            oneLineError(() -> SafetensorsFile.open(file), file);
        }
    }

    @Test
    void tokenizerJsonErrorsAreOneLine() throws IOException {
        Path file = dir.resolve("tokenizer.json");
        for (String text : MALFORMED) {
            Files.writeString(file, text);
            oneLineError(() -> Tokenizers.load(file), file);
            oneLineError(() -> ByteBpeTokenizer.load(file), file);
        }
    }

    @Test
    void oneLineDropsGsonsLinkAndFoldsLineBreaks() {
        assertEquals(
                "Expected ':' at line 1 column 7 path $.a",
                JsonErrors.oneLine("Expected ':' at line 1 column 7 "
                        + "path $.a\nSee https://github.com/google/gson/blob/main/Troubleshooting.md#malformed-json"));
        assertEquals("a b c", JsonErrors.oneLine("a\r\n  b\nc"));
    }
}
