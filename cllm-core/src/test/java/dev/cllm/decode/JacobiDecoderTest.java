package dev.cllm.decode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cllm.Device;
import dev.cllm.engine.NativeModel;
import dev.cllm.engine.NativeSession;
import dev.cllm.model.LlamaConfig;
import dev.cllm.model.RandomWeights;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class JacobiDecoderTest {
    private static final int[] BLOCKS = {1, 2, 7, 16, 64};

    /** The statistics invariants every generation must satisfy. */
    private static void assertStatsAddUp(DecodeResult r, String what) {
        DecodeStats s = r.stats();
        long expectedTokens = r.tokens().length + (r.stopReason() == StopReason.EOS ? 1 : 0);
        assertEquals(expectedTokens, s.tokens(), what + ": tokens");
        assertEquals(s.tokens(), s.iterations() + s.fastForwarded(), what + ": tokens = iterations + fast-forwarded");
        assertTrue(s.iterations() <= s.tokens(), what + ": iterations never exceed tokens");
        assertTrue(s.stationary() >= 0 && s.stationary() <= s.fastForwarded(), what + ": stationary <= fast-forwarded");
    }

    @Test
    void jacobiEqualsGreedyOnManyRandomModels() {
        SplittableRandom random = new SplittableRandom(42);
        LlamaConfig[] shapes = {
            LlamaConfig.of(32, 48, 1, 2, 2, 23, 256, true),
            LlamaConfig.of(48, 100, 2, 4, 2, 61, 256, false),
            new LlamaConfig(40, 72, 2, 4, 1, 12, 131, 256, 500f, 1e-6f, true, -1, -1),
            LlamaConfig.of(64, 96, 3, 8, 2, 257, 256, false),
        };
        int cases = 0;
        for (int m = 0; m < shapes.length; m++) {
            try (NativeModel model = NativeModel.load(RandomWeights.create(shapes[m], 100 + m), Device.cpu());
                    NativeSession session = model.newSession(256)) {
                for (int p = 0; p < 3; p++) {
                    int[] prompt = random.ints(1 + random.nextInt(9), 0, shapes[m].vocabSize())
                            .toArray();
                    int maxNew = 20 + random.nextInt(60);
                    int[] greedy = GreedyReference.generate(session, prompt, -1, maxNew);
                    for (int n : BLOCKS) {
                        for (WindowMode mode : WindowMode.values()) {
                            InitialGuess guess = switch ((p + n) % 3) {
                                case 0 -> InitialGuess.random(p * 31L + n);
                                case 1 -> InitialGuess.last();
                                default -> InitialGuess.pad(0);
                            };
                            JacobiDecoder decoder = new JacobiDecoder(n, maxNew, mode, guess, n, null);
                            DecodeResult r = decoder.decode(session, prompt, -1, null);
                            String what = "model " + m + " prompt " + p + " n=" + n + " " + mode + " " + guess.kind();
                            assertArrayEquals(greedy, r.tokens(), what);
                            assertEquals(StopReason.MAX_TOKENS, r.stopReason(), what);
                            assertStatsAddUp(r, what);
                            cases++;
                        }
                    }
                    DecodeResult ar = new ArDecoder(maxNew).decode(session, prompt, -1, null);
                    assertArrayEquals(greedy, ar.tokens());
                    assertEquals(ar.stats().tokens(), ar.stats().iterations(), "AR: one token per iteration");
                }
            }
        }
        assertEquals(shapes.length * 3 * BLOCKS.length * 2, cases);
    }

    @Test
    void streamsEveryTokenInOrder() {
        LlamaConfig config = LlamaConfig.of(32, 48, 1, 2, 2, 29, 128, true);
        try (NativeModel model = NativeModel.load(RandomWeights.create(config, 5), Device.cpu());
                NativeSession session = model.newSession(128)) {
            for (WindowMode mode : WindowMode.values()) {
                List<Integer> streamed = new ArrayList<>();
                DecodeResult r = new JacobiDecoder(7, 40, mode, InitialGuess.random(1), 7, null)
                        .decode(session, new int[] {3, 4}, -1, streamed::add);
                assertArrayEquals(
                        r.tokens(),
                        streamed.stream().mapToInt(Integer::intValue).toArray(),
                        mode.name());
            }
        }
    }

    @Test
    void edgeCases() {
        LlamaConfig config = LlamaConfig.of(32, 48, 2, 2, 1, 37, 64, false);
        try (NativeModel model = NativeModel.load(RandomWeights.create(config, 9), Device.cpu());
                NativeSession session = model.newSession(64)) {
            int[] prompt = {7};
            int[] greedy = GreedyReference.generate(session, prompt, -1, 30);
            for (WindowMode mode : WindowMode.values()) {
                // Prompt of one token; block larger than the whole token budget.
                DecodeResult small = new JacobiDecoder(64, 5, mode, InitialGuess.random(0), 64, null)
                        .decode(session, prompt, -1, null);
                assertArrayEquals(Arrays.copyOf(greedy, 5), small.tokens(), mode + ": block > budget");
                assertStatsAddUp(small, mode + ": block > budget");
                // EOS inside the first block: nothing after it is returned.
                int eos = greedy[3];
                int firstEos = indexOf(greedy, eos);
                DecodeResult stopped = new JacobiDecoder(16, 30, mode, InitialGuess.random(0), 16, null)
                        .decode(session, prompt, eos, null);
                assertEquals(StopReason.EOS, stopped.stopReason(), mode + ": EOS");
                assertArrayEquals(Arrays.copyOf(greedy, firstEos), stopped.tokens(), mode + ": EOS inside the block");
                assertStatsAddUp(stopped, mode + ": EOS");
                // EOS as the very first token.
                DecodeResult none = new JacobiDecoder(16, 30, mode, InitialGuess.random(0), 16, null)
                        .decode(session, prompt, greedy[0], null);
                assertEquals(0, none.tokens().length, mode + ": EOS first");
                assertEquals(StopReason.EOS, none.stopReason());
                assertEquals(1, none.stats().tokens(), "the EOS token counts as generated");
                // Zero tokens asked.
                assertEquals(
                        0,
                        new JacobiDecoder(16, 0, mode, InitialGuess.random(0), 16, null)
                                .decode(session, prompt, -1, null)
                                .tokens()
                                .length);
            }
        }
    }

    @Test
    void contextFullStopsCleanlyMidBlock() {
        LlamaConfig config = LlamaConfig.of(32, 48, 1, 2, 2, 31, 64, true);
        try (NativeModel model = NativeModel.load(RandomWeights.create(config, 13), Device.cpu());
                NativeSession big = model.newSession(64);
                NativeSession small = model.newSession(20)) {
            int[] prompt = {1, 2, 3, 4, 5};
            int[] greedy = GreedyReference.generate(big, prompt, -1, 40);
            for (WindowMode mode : WindowMode.values()) {
                DecodeResult r = new JacobiDecoder(16, 40, mode, InitialGuess.random(3), 16, null)
                        .decode(small, prompt, -1, null);
                assertEquals(StopReason.CONTEXT_FULL, r.stopReason(), mode.name());
                // The cache holds the prompt and every output token but the last: 20 - 5 + 1 tokens.
                assertArrayEquals(Arrays.copyOf(greedy, 16), r.tokens(), mode.name());
                assertStatsAddUp(r, mode + ": context full");
            }
            DecodeResult ar = new ArDecoder(40).decode(small, prompt, -1, null);
            assertEquals(StopReason.CONTEXT_FULL, ar.stopReason());
            assertArrayEquals(Arrays.copyOf(greedy, 16), ar.tokens());
        }
    }

    @Test
    void aModelThatPredictsWellMakesJacobiFast() {
        int period = 9;
        try (NativeModel model = NativeModel.load(CopyingModel.create(16, period, 512), Device.cpu());
                NativeSession session = model.newSession(512)) {
            int[] prompt = {3, 14, 1, 5, 9, 2, 6, 11, 7};
            int[] greedy = GreedyReference.generate(session, prompt, -1, 200);
            for (int i = 0; i < greedy.length; i++) {
                assertEquals(prompt[i % period], greedy[i], "the copying model continues the cycle at " + i);
            }
            for (WindowMode mode : WindowMode.values()) {
                DecodeResult r = new JacobiDecoder(16, 200, mode, InitialGuess.random(7), 16, null)
                        .decode(session, prompt, -1, null);
                assertArrayEquals(greedy, r.tokens(), mode.name());
                assertStatsAddUp(r, mode.name());
                assertTrue(
                        r.stats().tokensPerIteration() > 3.0,
                        mode + ": tokens per iteration " + r.stats().tokensPerIteration());
                assertTrue(r.stats().fastForwarded() > 0);
            }
            DecodeResult ar = new ArDecoder(200).decode(session, prompt, -1, null);
            assertEquals(1.0, ar.stats().tokensPerIteration());
        }
    }

    @Test
    void rejectsBadSettings() {
        assertThrows(IllegalArgumentException.class, () -> new JacobiDecoder(0, 10));
        assertThrows(
                IllegalArgumentException.class,
                () -> JacobiDecoder.auto(10, WindowMode.REFILL, InitialGuess.last(), -1, null));
        assertThrows(IllegalArgumentException.class, () -> new JacobiDecoder(4, -1));
        LlamaConfig config = LlamaConfig.of(32, 48, 1, 2, 2, 31, 64, true);
        try (NativeModel model = NativeModel.load(RandomWeights.create(config, 1), Device.cpu());
                NativeSession session = model.newSession(16)) {
            JacobiDecoder decoder = new JacobiDecoder(4, 10);
            assertThrows(IllegalArgumentException.class, () -> decoder.decode(session, new int[0], -1, null));
            assertThrows(IllegalArgumentException.class, () -> decoder.decode(session, new int[] {31}, -1, null));
            assertThrows(IllegalArgumentException.class, () -> decoder.decode(session, new int[17], -1, null));
            JacobiDecoder badPad = new JacobiDecoder(4, 10, WindowMode.REFILL, InitialGuess.pad(99), 4, null);
            assertThrows(IllegalArgumentException.class, () -> badPad.decode(session, new int[] {1}, -1, null));
        }
    }

    private static int indexOf(int[] values, int value) {
        for (int i = 0; i < values.length; i++) if (values[i] == value) return i;
        return -1;
    }
}
