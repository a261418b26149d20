package dev.cllm.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The guess rule is the formula of cllm.h, the same values the native test_cuda_host_logic pins. */
class InitialGuessTest {
    @Test
    void hashIsSplitmix64OfSeedAndPosition() {
        assertEquals(0xe220a8397b1dcdafL, InitialGuess.hash(0, 0), "splitmix64's first output for seed 0");
        assertEquals(0xc34d0bff90150280L, InitialGuess.hash(1, 5));
        assertEquals(0xb758f7144a7e200aL, InitialGuess.hash(-1, 1000));
    }

    @Test
    void guessesDependOnlyOnSettingsPositionAndHistory() {
        int[] history = {10, 11, 12, 13, 14, 15, 16};
        assertEquals(12, InitialGuess.random(0).guess(0, history, 7), "history[hash % 7] (unsigned)");
        assertEquals(16, InitialGuess.last().guess(3, history, 7));
        assertEquals(9, InitialGuess.pad(9).guess(3, history, 7));
        InitialGuess random = InitialGuess.random(42);
        Set<Integer> seen = new HashSet<>();
        int[] first = new int[64], again = new int[64];
        random.fill(first, 0, 64, 100, history, 7);
        random.fill(again, 0, 64, 100, history, 7);
        for (int i = 0; i < 64; i++) {
            assertEquals(first[i], again[i], "no state carried between calls");
            assertEquals(first[i], random.guess(100 + i, history, 7), "fill uses the position of each slot");
            assertTrue(first[i] >= 10 && first[i] <= 16, "guesses come from the history");
            seen.add(first[i]);
        }
        assertEquals(7, seen.size(), "64 positions reach every history token");
        assertNotEquals(
                java.util.Arrays.toString(first),
                java.util.Arrays.toString(fillWith(InitialGuess.random(43), history)),
                "another seed gives other guesses");
    }

    private static int[] fillWith(InitialGuess guess, int[] history) {
        int[] out = new int[64];
        guess.fill(out, 0, 64, 100, history, history.length);
        return out;
    }
}
