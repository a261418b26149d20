package dev.cllm.decode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cllm.Device;
import dev.cllm.engine.NativeModel;
import dev.cllm.engine.NativeSession;
import dev.cllm.model.LlamaConfig;
import dev.cllm.model.ModelWeights;
import dev.cllm.model.RandomWeights;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * REFILL mode's two paths give the same generation: the native loop (many iterations per
 * {@code cllm_jacobi_run} call, one call or calls of a few iterations when tokens stream) and the
 * per-iteration path (one {@code cllm_jacobi_step} per iteration, window rebuilt in Java with
 * {@link InitialGuess}): the same tokens, stop reason and statistics, and iteration by iteration the
 * same accepted tokens, pending guesses and stationary counts.
 */
class RefillPathsTest {
    /** Every iteration as a listener sees it. */
    private static final class Recorder implements IterationListener {
        final List<String> frames = new ArrayList<>();
        long stationary;

        @Override
        public void onIteration(int iteration, int[] accepted, int[] pending) {
            throw new AssertionError("decoders report stationary tokens: the four-argument form is called");
        }

        @Override
        public void onIteration(int iteration, int[] accepted, int[] pending, int stationaryCount) {
            frames.add(iteration + " " + Arrays.toString(accepted) + " " + Arrays.toString(pending) + " "
                    + stationaryCount);
            stationary += stationaryCount;
        }
    }

    private static void assertSameGeneration(DecodeResult expected, DecodeResult actual, String what) {
        assertArrayEquals(expected.tokens(), actual.tokens(), what + ": tokens");
        assertEquals(expected.stopReason(), actual.stopReason(), what + ": stop reason");
        DecodeStats e = expected.stats(), a = actual.stats();
        assertEquals(e.tokens(), a.tokens(), what + ": tokens counted");
        assertEquals(e.iterations(), a.iterations(), what + ": iterations");
        assertEquals(e.fastForwarded(), a.fastForwarded(), what + ": fast-forwarded");
        assertEquals(e.stationary(), a.stationary(), what + ": stationary");
    }

    /** Decodes with the per-iteration path and with the native loop three ways; returns the first. */
    private static DecodeResult comparePaths(
            NativeSession session, int[] prompt, int n, int maxNew, int eos, InitialGuess guess, String what) {
        Recorder byStep = new Recorder();
        DecodeResult reference = new JacobiDecoder(n, maxNew, WindowMode.REFILL, guess, n, byStep)
                .perIterationRefill()
                .decode(session, prompt, eos, null);
        // One call for the whole generation (no sink, no listener).
        DecodeResult whole =
                new JacobiDecoder(n, maxNew, WindowMode.REFILL, guess, n, null).decode(session, prompt, eos, null);
        assertSameGeneration(reference, whole, what + ", one native call");
        // Streamed: calls of a few iterations each.
        List<Integer> streamed = new ArrayList<>();
        DecodeResult chunked = new JacobiDecoder(n, maxNew, WindowMode.REFILL, guess, n, null)
                .decode(session, prompt, eos, streamed::add);
        assertSameGeneration(reference, chunked, what + ", streamed calls");
        assertArrayEquals(
                chunked.tokens(), streamed.stream().mapToInt(Integer::intValue).toArray(), what + ": streamed tokens");
        // Observed: recorded predictions give the listener the same iterations.
        Recorder native_ = new Recorder();
        DecodeResult observed =
                new JacobiDecoder(n, maxNew, WindowMode.REFILL, guess, n, native_).decode(session, prompt, eos, null);
        assertSameGeneration(reference, observed, what + ", observed");
        assertEquals(byStep.frames, native_.frames, what + ": every iteration's accepted, pending and stationary");
        assertEquals(reference.stats().stationary(), byStep.stationary, what + ": the listener's stationary add up");
        return reference;
    }

    @Test
    void nativeLoopEqualsPerIterationPathOnRandomModels() {
        SplittableRandom random = new SplittableRandom(7);
        // Untied random models continue with varied tokens; a tied one repeats its last token (long
        // fast-forwards, many stationary tokens).
        LlamaConfig[] shapes = {
            LlamaConfig.of(48, 96, 2, 4, 2, 67, 256, false),
            LlamaConfig.of(64, 96, 2, 8, 2, 61, 256, false),
            LlamaConfig.of(32, 48, 1, 2, 2, 23, 256, true),
        };
        int cases = 0;
        long stationary = 0;
        for (int m = 0; m < shapes.length; m++) {
            try (NativeModel model = NativeModel.load(RandomWeights.create(shapes[m], 300 + m), Device.cpu());
                    NativeSession session = model.newSession(256)) {
                for (int p = 0; p < 2; p++) {
                    int[] prompt = random.ints(1 + random.nextInt(8), 0, shapes[m].vocabSize())
                            .toArray();
                    int maxNew = 30 + random.nextInt(50);
                    int[] greedy = GreedyReference.generate(session, prompt, -1, maxNew);
                    for (int n : new int[] {1, 2, 7, 16, 64}) {
                        for (InitialGuess guess : new InitialGuess[] {
                            InitialGuess.random(p * 131L + n), InitialGuess.last(), InitialGuess.pad(1)
                        }) {
                            // An EOS from the greedy output in half of the cases.
                            int eos = (n + p) % 2 == 0 ? greedy[greedy.length / 2] : -1;
                            String what =
                                    "model " + m + " prompt " + p + " n=" + n + " " + guess.kind() + " eos " + eos;
                            stationary += comparePaths(session, prompt, n, maxNew, eos, guess, what)
                                    .stats()
                                    .stationary();
                            cases++;
                        }
                    }
                }
            }
        }
        assertEquals(shapes.length * 2 * 5 * 3, cases);
        assertTrue(stationary > 0, "the cases include stationary tokens");
    }

    @Test
    void aCopyingModelGivesManyStationaryTokensOnBothPaths() {
        try (NativeModel model = NativeModel.load(CopyingModel.create(16, 9, 512), Device.cpu());
                NativeSession session = model.newSession(512)) {
            int[] prompt = {3, 14, 1, 5, 9, 2, 6, 11, 7};
            long stationary = 0;
            for (int n : new int[] {4, 16, 33}) {
                DecodeResult r =
                        comparePaths(session, prompt, n, 150, -1, InitialGuess.random(5), "copying model n=" + n);
                assertTrue(
                        r.stats().iterations() > 2 * JacobiDecoder.ITERATIONS_PER_STREAMED_CALL,
                        "streamed generations take several native calls");
                stationary += r.stats().stationary();
                stationary += comparePaths(
                                session, prompt, n, 150, 11, InitialGuess.random(6), "copying model, EOS, n=" + n)
                        .stats()
                        .stationary();
            }
            assertTrue(stationary > 20, "the copying model predicts right after wrong guesses: " + stationary);
        }
    }

    @Test
    void aFullCacheStopsBothPathsAlike() {
        LlamaConfig config = LlamaConfig.of(48, 96, 2, 4, 2, 67, 64, false);
        try (NativeModel model = NativeModel.load(RandomWeights.create(config, 17), Device.cpu())) {
            for (int capacity : new int[] {8, 20, 33}) {
                try (NativeSession small = model.newSession(capacity)) {
                    for (int n : new int[] {1, 4, 16, 40}) {
                        String what = "capacity " + capacity + " n=" + n;
                        comparePaths(small, new int[] {1, 2, 3, 4, 5}, n, 60, -1, InitialGuess.random(n), what);
                        DecodeResult r = new JacobiDecoder(n, 60, WindowMode.REFILL, InitialGuess.random(n), n, null)
                                .decode(small, new int[] {1, 2, 3, 4, 5}, -1, null);
                        assertEquals(StopReason.CONTEXT_FULL, r.stopReason(), what);
                        assertEquals(
                                capacity - 4, r.tokens().length, what + ": the cache holds all but the last token");
                    }
                }
            }
        }
    }

    @Test
    void blockCountsAgreeWithTheRecordedStates() {
        // What the SHRINK decoder once derived from the states, as a check of the counts it now reads.
        try (NativeModel model = NativeModel.load(CopyingModel.create(16, 9, 256), Device.cpu());
                NativeSession session = model.newSession(256)) {
            int[] prompt = {3, 14, 1, 5, 9, 2, 6, 11, 7};
            SplittableRandom random = new SplittableRandom(3);
            long stationary = 0;
            for (int n : new int[] {1, 5, 16, 30}) {
                session.truncate(0);
                session.forward(prompt, 0, prompt.length - 1, false);
                int y0 = prompt[prompt.length - 1];
                for (int block = 0; block < 3; block++) {
                    int[] init = random.ints(n, 0, 16).toArray();
                    NativeSession.Block b = session.jacobiBlock(y0, init, n, -1, true);
                    int[][] states = b.states();
                    int produced = 0;
                    for (int j = 1; j <= b.iterations(); j++) {
                        int rows = n - produced;
                        int k = 1;
                        while (k < rows && states[j - 1][produced + k - 1] == states[j][produced + k - 1]) k++;
                        int still = 0;
                        for (int i = 0; i < k - 1 && j >= 2; i++) {
                            if (states[j - 2][produced + i] == states[j - 1][produced + i]) still++;
                        }
                        assertEquals(
                                k,
                                b.accepted()[j - 1],
                                "n=" + n + " block " + block + " iteration " + j + ": accepted");
                        assertEquals(
                                still,
                                b.stationary()[j - 1],
                                "n=" + n + " block " + block + " iteration " + j + ": stationary");
                        stationary += still;
                        produced += k;
                    }
                    assertEquals(b.produced().length, produced, "the counts add up to the produced tokens");
                    assertEquals(
                            b.produced().length, Arrays.stream(b.accepted()).sum());
                    y0 = b.produced()[b.produced().length - 1];
                }
            }
            assertTrue(stationary > 0, "the copying model gives stationary tokens in blocks");
        }
    }

    @Test
    void shrinkAndRefillAgreeOnOutputWithAndWithoutAListener() {
        LlamaConfig config = LlamaConfig.of(48, 96, 2, 4, 2, 67, 128, false);
        ModelWeights weights = RandomWeights.create(config, 29);
        try (NativeModel model = NativeModel.load(weights, Device.cpu());
                NativeSession session = model.newSession(128)) {
            int[] prompt = {4, 8, 15, 16};
            for (int cap : new int[] {16, 3}) {
                Recorder seen = new Recorder();
                DecodeResult quiet = new JacobiDecoder(16, 50, WindowMode.SHRINK, InitialGuess.random(2), cap, null)
                        .decode(session, prompt, -1, null);
                DecodeResult observed = new JacobiDecoder(16, 50, WindowMode.SHRINK, InitialGuess.random(2), cap, seen)
                        .decode(session, prompt, -1, null);
                assertSameGeneration(quiet, observed, "shrink, cap " + cap);
                assertEquals(quiet.stats().iterations(), seen.frames.size(), "one listener call per iteration");
                assertEquals(quiet.stats().stationary(), seen.stationary);
            }
        }
    }
}
