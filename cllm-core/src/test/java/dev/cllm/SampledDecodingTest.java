package dev.cllm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cllm.decode.InitialGuess;
import dev.cllm.decode.StopReason;
import dev.cllm.decode.WindowMode;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Sampled decoding through the public API: for random models, seeds, temperatures, top-k / top-p /
 * min-p, penalties, block sizes and both windows, Jacobi's output equals AR's token for token; the seed
 * matters; the settings never leak into a later greedy generation; stop strings cut the text.
 */
class SampledDecodingTest {
    @Test
    void sampledJacobiEqualsSampledArForRandomSettings() {
        Random random = new Random(17);
        int checked = 0;
        long fewerPassesThanTokens = 0;
        for (int trial = 0; trial < 6; trial++) {
            try (Model model = TinyModels.load(40 + trial);
                    Session session = model.newSession()) {
                for (int round = 0; round < 4; round++) {
                    Sampling s = new Sampling(
                            new double[] {0.1, 0.5, 1.0, 1.4}[random.nextInt(4)],
                            random.nextBoolean() ? 0 : 1 + random.nextInt(10),
                            random.nextBoolean() ? 1 : 0.5 + 0.5 * random.nextDouble(),
                            random.nextInt(4) == 0 ? 0.05 : 0,
                            random.nextInt(3) == 0 ? 1.3 : 1,
                            random.nextInt(3) == 0 ? 0.5 : 0,
                            random.nextInt(3) == 0 ? 0.2 : 0,
                            random.nextBoolean(),
                            random.nextLong());
                    int[] prompt = {1 + random.nextInt(40), 2 + random.nextInt(40), 3};
                    int[] ar = session.generate(prompt, TinyModels.ar(40).withSampling(s), null)
                            .tokens();
                    assertEquals(40, ar.length);
                    for (int n : new int[] {3, 8}) {
                        for (WindowMode w : WindowMode.values()) {
                            Decoding.Jacobi j = Decoding.jacobi(n)
                                    .withMaxNewTokens(40)
                                    .withStopAtEos(false)
                                    .withSampling(s)
                                    .withWindow(w)
                                    .withInitialGuess(InitialGuess.random(random.nextLong()));
                            Generation g = session.generate(prompt, j, null);
                            assertArrayEquals(ar, g.tokens(), s + ", n = " + n + ", " + w);
                            fewerPassesThanTokens +=
                                    g.stats().tokens() - g.stats().iterations();
                            checked++;
                        }
                    }
                }
            }
        }
        assertEquals(6 * 4 * 4, checked);
        assertTrue(fewerPassesThanTokens > 0, "some sampled Jacobi passes accepted several tokens");
    }

    @Test
    void theSeedIsUsedAndTheSettingsDoNotLeakIntoGreedyGenerations() {
        try (Model model = TinyModels.load(5);
                Session session = model.newSession()) {
            int[] greedy =
                    session.generate(TinyModels.PROMPT, TinyModels.ar(30), null).tokens();
            Set<String> samples = new HashSet<>();
            for (long seed = 0; seed < 5; seed++) {
                Decoding d = TinyModels.jacobi(30).withTemperature(1.5).withSeed(seed);
                samples.add(Arrays.toString(
                        session.generate(TinyModels.PROMPT, d, null).tokens()));
                assertArrayEquals(
                        greedy,
                        session.generate(TinyModels.PROMPT, TinyModels.ar(30), null)
                                .tokens(),
                        "a greedy generation after a sampled one is greedy");
            }
            assertTrue(samples.size() >= 4, "different seeds draw different outputs: " + samples);
            assertFalse(samples.contains(Arrays.toString(greedy)), "temperature 1.5 does not just repeat the argmax");
        }
    }

    @Test
    void aStopStringEndsTheTextBeforeIt() {
        try (Model model = TinyModels.load(6);
                Session session = model.newSession()) {
            Generation whole = session.generate(TinyModels.PROMPT, TinyModels.jacobi(30), null);
            String[] ids = whole.text().split(" ");
            String stop = " " + ids[5] + " " + ids[6]; // the ids print as text: "a b c ..."
            int at = whole.text().indexOf(stop);
            StringBuilder streamed = new StringBuilder();
            Generation cut = session.generate(
                    TinyModels.PROMPT, TinyModels.jacobi(30).withStop(stop), t -> streamed.append(t.text()));
            assertEquals(StopReason.STOP_STRING, cut.stopReason());
            assertEquals(whole.text().substring(0, at), cut.text());
            assertEquals(cut.text(), streamed.toString(), "the listener never sees the stop string");
            assertThrows(IllegalArgumentException.class, () -> Decoding.ar().withStop(""));
        }
    }
}
