package dev.cllm.util;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressBarTest {
    private static final long SECOND = 1_000_000_000L;

    private static ProgressBar quietBar(long total) {
        return new ProgressBar(
                "train", total, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), false);
    }

    @Test
    void timeLeftComesFromTheRateOfThisRun() {
        try (ProgressBar bar = quietBar(1000)) {
            bar.update(100, "");
            // 100 done in 10 s: 900 left at 10/s is 90 s.
            String line = bar.lineAt(bar.startNanos() + 10 * SECOND);
            assertTrue(line.contains("100/1000") && line.endsWith("eta 01:30"), line);
        }
    }

    @Test
    void resumedWorkIsShownButLeftOutOfTheRate() {
        try (ProgressBar bar = quietBar(2400)) {
            bar.resumedAt(800, "resumed");
            String before = bar.lineAt(bar.startNanos() + SECOND);
            assertTrue(before.contains("800/2400") && before.endsWith("eta --:--"), before);
            bar.update(850, "");
            // 50 steps in 100 s here (the 800 resumed ones took no time of this run): 1550 left is 3100 s.
            String line = bar.lineAt(bar.startNanos() + 100 * SECOND);
            assertTrue(line.endsWith("eta 51:40"), line);
        }
    }
}
