package dev.cllm.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class StopStringsTest {
    /** Feeds pieces one by one and returns everything released, then the flush. */
    private static String run(List<String> stops, String... pieces) {
        StopStrings s = new StopStrings(stops);
        StringBuilder out = new StringBuilder();
        for (String p : pieces) out.append(s.accept(p));
        return out.append(s.flush()).toString();
    }

    @Test
    void nothingFromTheStopStringOnIsReleased() {
        assertEquals("The answer is 4", run(List.of("\n\n"), "The ans", "wer is 4", "\n", "\nQuestion: more"));
        assertEquals("ab", run(List.of("STOP", "cd"), "a", "b", "c", "d", "STOP"));
    }

    @Test
    void textThatMightStartAStopStringIsHeldBackUntilItCannot() {
        StopStrings s = new StopStrings(List.of("####"));
        assertEquals("x ", s.accept("x #")); // "#" may start "####"
        assertEquals("", s.accept("#"));
        assertEquals("##a", s.accept("a")); // "##a" cannot
        assertFalse(s.stopped());
        assertEquals("b", s.accept("b###"));
        assertEquals("", s.accept("#c"));
        assertTrue(s.stopped());
        assertEquals("", s.flush());
    }

    @Test
    void withoutStopStringsEverythingPasses() {
        assertEquals("hello world", run(List.of(), "hello", " ", "world"));
    }
}
