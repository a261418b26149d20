package dev.cllm.decode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cllm.Device;
import dev.cllm.engine.NativeLibrary;
import dev.cllm.engine.NativeModel;
import dev.cllm.engine.NativeSession;
import dev.cllm.model.LlamaConfig;
import dev.cllm.model.RandomWeights;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The automatic block size: its output is AR's whatever sizes run, the costs are measured once per model
 * and thread count, the choice follows the costs and what iterations accept, and the statistics say
 * which sizes ran and why. Choices here are driven by preset cost tables, never by the clock.
 */
class AutoBlockDecodingTest {
    private static final LlamaConfig[] SHAPES = {
        LlamaConfig.of(32, 48, 1, 2, 2, 23, 256, true),
        LlamaConfig.of(48, 100, 2, 4, 2, 61, 256, false),
        new LlamaConfig(40, 72, 2, 4, 1, 12, 131, 256, 500f, 1e-6f, true, -1, -1),
    };

    /** The invariants of every generation, and that the block size histogram covers every iteration. */
    private static void assertStatsAddUp(DecodeResult r, String what) {
        DecodeStats s = r.stats();
        long expectedTokens = r.tokens().length + (r.stopReason() == StopReason.EOS ? 1 : 0);
        assertEquals(expectedTokens, s.tokens(), what + ": tokens");
        assertEquals(s.tokens(), s.iterations() + s.fastForwarded(), what + ": tokens = iterations + fast-forwarded");
        assertTrue(s.stationary() >= 0 && s.stationary() <= s.fastForwarded(), what + ": stationary <= fast-forwarded");
        assertEquals(
                s.iterations(),
                s.blocks().iterations().values().stream()
                        .mapToLong(Long::longValue)
                        .sum(),
                what + ": every iteration has its block size");
        assertEquals(
                s.tokens(),
                s.blocks().tokens().values().stream().mapToLong(Long::longValue).sum(),
                what + ": every token has its block size");
    }

    private static ForwardCosts costs(double... ratios) {
        int[] sizes = ForwardCostCalibration.CANDIDATES;
        Map<Integer, Double> m = new TreeMap<>();
        for (int i = 0; i < sizes.length; i++) m.put(sizes[i], ratios[i]);
        return ForwardCosts.of(m);
    }

    /** A schedule that cycles through given sizes, one per call, whatever it observes. */
    private static BlockSchedule cycling(int... sizes) {
        int[] next = {0};
        return new BlockSchedule() {
            @Override
            public int next(int maxBlock) {
                return sizes[next[0]++ % sizes.length];
            }

            @Override
            public int iterationsPerCall(int usual) {
                return 3; // short calls: many size changes
            }
        };
    }

    @Test
    void autoOutputEqualsArOnRandomModels() {
        SplittableRandom random = new SplittableRandom(31);
        int cases = 0;
        for (int m = 0; m < SHAPES.length; m++) {
            for (long seed : new long[] {200 + m, 300 + m}) {
                try (NativeModel model = NativeModel.load(RandomWeights.create(SHAPES[m], seed), Device.cpu());
                        NativeSession session = model.newSession(256)) {
                    for (int p = 0; p < 3; p++) {
                        int[] prompt = random.ints(1 + random.nextInt(9), 0, SHAPES[m].vocabSize())
                                .toArray();
                        int maxNew = 20 + random.nextInt(100);
                        int[] greedy = GreedyReference.generate(session, prompt, -1, maxNew);
                        for (WindowMode mode : WindowMode.values()) {
                            InitialGuess guess = p % 2 == 0 ? InitialGuess.random(seed + p) : InitialGuess.last();
                            String what = "model " + m + " seed " + seed + " prompt " + p + " " + mode;
                            DecodeResult r = JacobiDecoder.auto(maxNew, mode, guess, 0, null)
                                    .decode(session, prompt, -1, null);
                            assertArrayEquals(greedy, r.tokens(), what);
                            assertEquals(StopReason.MAX_TOKENS, r.stopReason(), what);
                            assertStatsAddUp(r, what);
                            assertNotNull(r.stats().auto(), what + ": the automatic size reports its choice");
                            cases++;
                        }
                        // Streamed, with an end-of-sequence token inside the output.
                        int eos = greedy[greedy.length / 2];
                        int firstEos = 0;
                        while (greedy[firstEos] != eos) firstEos++;
                        List<Integer> streamed = new ArrayList<>();
                        DecodeResult stopped = JacobiDecoder.auto(
                                        maxNew, WindowMode.REFILL, InitialGuess.random(p), 0, null)
                                .decode(session, prompt, eos, streamed::add);
                        assertArrayEquals(
                                java.util.Arrays.copyOf(greedy, firstEos), stopped.tokens(), "EOS, model " + m);
                        assertEquals(stopped.tokens().length, streamed.size());
                        assertStatsAddUp(stopped, "EOS, model " + m);
                    }
                }
            }
        }
        assertEquals(SHAPES.length * 2 * 3 * 2, cases);
    }

    @Test
    void anySequenceOfBlockSizesGivesTheArOutput() {
        int[][] schedules = {{1, 5, 2, 16, 3, 64, 7, 4}, {64, 1}, {2, 3}};
        try (NativeModel random = NativeModel.load(RandomWeights.create(SHAPES[1], 5), Device.cpu());
                NativeModel copying = NativeModel.load(CopyingModel.create(16, 9, 512), Device.cpu());
                NativeSession a = random.newSession(256);
                NativeSession b = copying.newSession(512)) {
            int[][] prompts = {{3, 14, 1, 5, 9, 2}, {3, 14, 1, 5, 9, 2, 6, 11, 7}};
            NativeSession[] sessions = {a, b};
            for (int s = 0; s < 2; s++) {
                int[] greedy = GreedyReference.generate(sessions[s], prompts[s], -1, 150);
                for (int[] sizes : schedules) {
                    for (WindowMode mode : WindowMode.values()) {
                        for (boolean listen : new boolean[] {false, true}) {
                            String what = (s == 0 ? "random" : "copying") + " model, sizes "
                                    + java.util.Arrays.toString(sizes) + " " + mode + (listen ? ", observed" : "");
                            List<int[]> accepted = new ArrayList<>();
                            IterationListener listener = listen ? (i, acc, pending) -> accepted.add(acc) : null;
                            DecodeResult r = JacobiDecoder.scheduled(
                                            session -> cycling(sizes), 150, mode, InitialGuess.random(s), listener)
                                    .decode(sessions[s], prompts[s], -1, null);
                            assertArrayEquals(greedy, r.tokens(), what);
                            assertStatsAddUp(r, what);
                            assertTrue(r.stats().blocks().iterations().size() > 1, what + ": several sizes ran");
                            if (listen)
                                assertEquals(
                                        r.stats().iterations(), accepted.size(), what + ": every iteration observed");
                        }
                    }
                }
            }
        }
    }

    @Test
    void costsAreMeasuredOncePerModelAndThreadCount() {
        LlamaConfig shape = SHAPES[0];
        int[] prompt = {1, 2, 3};
        long before = BlockTuning.calibrations();
        try (NativeModel model = NativeModel.load(RandomWeights.create(shape, 1), Device.cpu());
                NativeSession big = model.newSession(256);
                NativeSession small = model.newSession(64)) {
            JacobiDecoder auto = JacobiDecoder.auto(30, WindowMode.REFILL, InitialGuess.random(0), 0, null);
            assertNull(BlockTuning.cachedCosts(model));
            auto.decode(big, prompt, -1, null);
            auto.decode(small, prompt, -1, null);
            JacobiDecoder.auto(30, WindowMode.SHRINK, InitialGuess.last(), 0, null)
                    .decode(small, prompt, -1, null);
            assertEquals(
                    before + 1,
                    BlockTuning.calibrations(),
                    "one measurement for the model's sessions, windows and guesses");
            ForwardCosts costs = BlockTuning.cachedCosts(model);
            assertNotNull(costs);
            assertEquals(1.0, costs.ratio(1));
            assertTrue(costs.measured().containsAll(List.of(1, 2)), costs.summary());
            assertTrue(costs.calibrationMillis() > 0 && costs.oneRowMillis() > 0, costs.toString());
            assertEquals(
                    List.of(1, 2, 4, 8, 16, 32, 64),
                    costs.ratios().keySet().stream().toList());
            double previous = 0;
            for (double ratio : costs.ratios().values()) {
                assertTrue(ratio >= previous, "costs never fall with n: " + costs.summary());
                previous = ratio;
            }
            int threads = NativeLibrary.cpuThreads();
            try {
                NativeLibrary.setCpuThreads(threads == 1 ? 2 : 1);
                auto.decode(big, prompt, -1, null);
                auto.decode(big, prompt, -1, null);
                assertEquals(before + 2, BlockTuning.calibrations(), "another thread count is measured once");
                assertEquals(
                        threads == 1 ? 2 : 1, BlockTuning.cachedCosts(model).threads());
            } finally {
                NativeLibrary.setCpuThreads(0);
            }
            assertEquals(threads, NativeLibrary.cpuThreads());
            auto.decode(big, prompt, -1, null);
            assertEquals(before + 2, BlockTuning.calibrations(), "the default thread count's costs are still cached");
            // Nothing to decode: nothing measured on a model that has no costs yet.
            try (NativeModel other = NativeModel.load(RandomWeights.create(shape, 2), Device.cpu());
                    NativeSession s = other.newSession(64)) {
                JacobiDecoder.auto(0, WindowMode.REFILL, InitialGuess.last(), 0, null)
                        .decode(s, prompt, -1, null);
                assertEquals(before + 2, BlockTuning.calibrations());
                auto.decode(s, prompt, -1, null);
                assertEquals(before + 3, BlockTuning.calibrations(), "another model is measured once");
            }
        }
    }

    @Test
    void theChoiceFollowsTheCostsAndWhatIterationsAccept() {
        int[] prompt = {3, 14, 1, 5, 9, 2, 6, 11, 7};
        ForwardCosts flat = costs(1, 1, 1, 1, 1, 1, 1);
        ForwardCosts steep = costs(1, 2, 4, 8, 16, 32, 64);
        for (ForwardCosts table : new ForwardCosts[] {flat, steep}) {
            try (NativeModel model = NativeModel.load(CopyingModel.create(16, 9, 512), Device.cpu());
                    NativeSession session = model.newSession(512)) {
                BlockTuning.presetCosts(model, table);
                long calibrations = BlockTuning.calibrations();
                int[] greedy = GreedyReference.generate(session, prompt, -1, 300);
                DecodeResult first = JacobiDecoder.auto(300, WindowMode.REFILL, InitialGuess.random(3), 0, null)
                        .decode(session, prompt, -1, null);
                DecodeResult second = JacobiDecoder.auto(300, WindowMode.REFILL, InitialGuess.random(4), 0, null)
                        .decode(session, prompt, -1, null);
                assertEquals(calibrations, BlockTuning.calibrations(), "preset costs are not measured");
                for (DecodeResult r : new DecodeResult[] {first, second}) {
                    assertArrayEquals(greedy, r.tokens());
                    assertStatsAddUp(r, table.summary());
                    AutoBlockReport report = r.stats().auto();
                    assertEquals(table, report.costs());
                    for (int n : table.blockSizes()) {
                        assertTrue(
                                report.score(report.chosen()) >= report.score(n),
                                "the chosen n has the best score: " + report.summary());
                    }
                }
                BlockSizeUse used = second.stats().blocks();
                long total = second.stats().iterations();
                if (table == flat) {
                    // Copying is easy to guess: more rows in flight commit more, and cost nothing extra.
                    assertTrue(used.mostUsed() >= 32, used.summary());
                    assertTrue(
                            second.stats().tokensPerIteration() > 8,
                            second.stats().toString());
                } else {
                    // n rows cost n times one row: nothing beats AR's one token per 1-row iteration.
                    assertEquals(1, used.mostUsed(), used.summary());
                    assertTrue(used.iterations().get(1) > 0.75 * total, used.summary());
                    assertFalse(
                            used.iterations().containsKey(8),
                            "the second generation starts from what the first learnt, not from n = 8: "
                                    + used.summary());
                }
            }
        }
    }

    @Test
    void statisticsSayWhatRan() {
        try (NativeModel model = NativeModel.load(RandomWeights.create(SHAPES[1], 9), Device.cpu());
                NativeSession session = model.newSession(256)) {
            int[] prompt = {4, 5, 6};
            DecodeResult fixed = new JacobiDecoder(7, 40, WindowMode.REFILL, InitialGuess.random(1), 7, null)
                    .decode(session, prompt, -1, null);
            assertEquals(
                    Map.of(7, fixed.stats().iterations()),
                    fixed.stats().blocks().iterations());
            assertEquals(
                    Map.of(7, fixed.stats().tokens()), fixed.stats().blocks().tokens());
            assertNull(fixed.stats().auto(), "a fixed size has no choice to explain");
            assertTrue(
                    fixed.stats().toString().contains("n=7 for 100% of iterations"),
                    fixed.stats().toString());
            DecodeResult ar = new ArDecoder(40).decode(session, prompt, -1, null);
            assertTrue(ar.stats().blocks().isEmpty());
            assertNull(ar.stats().auto());
            BlockTuning.presetCosts(model, costs(1, 1.05, 1.2, 1.45, 2.1, 4.1, 8.2));
            DecodeResult auto = JacobiDecoder.auto(40, WindowMode.REFILL, InitialGuess.random(1), 0, null)
                    .decode(session, prompt, -1, null);
            AutoBlockReport report = auto.stats().auto();
            assertNotNull(report);
            assertEquals(7, report.expectedTokensPerIteration().size());
            assertEquals(1.0, report.expectedTokensPerIteration().get(1), 1e-12, "one row commits one token");
            String summary = report.summary();
            assertTrue(summary.startsWith("chose n=" + report.chosen()) && summary.contains(" 8:1.45/"), summary);
            DecodeStats sum = fixed.stats().plus(auto.stats());
            assertEquals(
                    fixed.stats().iterations() + auto.stats().iterations(),
                    sum.blocks().iterations().values().stream()
                            .mapToLong(Long::longValue)
                            .sum());
            assertEquals(report, sum.auto(), "sums keep the latest report");
        }
    }
}
