package dev.cllm.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BenchCommandTest {
    @Test
    void forwardBlocksParseListsAndSkipWords() {
        assertArrayEquals(new int[] {1, 4, 16}, BenchCommand.parseForwardBlocks("1, 4,16"));
        assertArrayEquals(new int[0], BenchCommand.parseForwardBlocks(""));
        assertArrayEquals(new int[0], BenchCommand.parseForwardBlocks("none"));
    }

    @Test
    void badForwardBlocksNameTheOption() {
        var notANumber = assertThrows(IllegalArgumentException.class, () -> BenchCommand.parseForwardBlocks("1,x"));
        assertTrue(notANumber.getMessage().contains("--forward-blocks"), notANumber.getMessage());
        var zero = assertThrows(IllegalArgumentException.class, () -> BenchCommand.parseForwardBlocks("0"));
        assertTrue(zero.getMessage().contains(">= 1"), zero.getMessage());
    }
}
