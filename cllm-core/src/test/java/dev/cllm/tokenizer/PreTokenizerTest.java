package dev.cllm.tokenizer;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

class PreTokenizerTest {
    @Test
    void digitsAloneWordsWithTheirSpace() {
        assertEquals(
                List.of(
                        "Natalia", " sold", " ", "4", "8", "/", "2", " =", " <<", "4", "8", "/", "2", "=", "2", "4",
                        ">>", "2", "4", " clips", "."),
                PreTokenizer.split("Natalia sold 48/2 = <<48/2=24>>24 clips."));
        assertEquals(
                List.of("Answer", ":", " Max", "\n", "####", " ", "7", "2"),
                PreTokenizer.split("Answer: Max\n#### 72"));
        assertEquals(List.of("it", "'s", " ", " two", "  ", "\n", "x"), PreTokenizer.split("it's  two  \nx"));
    }

    @Test
    void byteLevelMapping() {
        assertEquals('Ġ', ByteLevel.charOf(' '));
        assertEquals('Ċ', ByteLevel.charOf('\n'));
        assertEquals('A', ByteLevel.charOf('A'));
        for (int b = 0; b < 256; b++) assertEquals(b, ByteLevel.byteOf(ByteLevel.charOf(b)));
        assertEquals(-1, ByteLevel.byteOf('\u4e00'));
    }
}
