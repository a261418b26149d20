package dev.cllm.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cllm.CllmException;
import dev.cllm.Device;
import dev.cllm.model.LlamaConfig;
import dev.cllm.model.RandomWeights;
import org.junit.jupiter.api.Test;

class NativeSessionTest {
    private static final LlamaConfig CONFIG = LlamaConfig.of(64, 96, 2, 4, 2, 50, 64, false);

    @Test
    void blockForwardMatchesTokenByToken() {
        try (NativeModel model = NativeModel.load(RandomWeights.create(CONFIG, 1), Device.cpu());
                NativeSession block = model.newSession(32);
                NativeSession single = model.newSession(32)) {
            int[] tokens = {3, 9, 27, 31, 2, 44};
            float[] all = block.forward(tokens, true);
            for (int i = 0; i < tokens.length; i++) {
                float[] one = single.forward(tokens, i, 1, true);
                for (int v = 0; v < CONFIG.vocabSize(); v++) {
                    float expected = all[i * CONFIG.vocabSize() + v];
                    assertEquals(
                            expected, one[v], 1e-4f * Math.max(1f, Math.abs(expected)), "row " + i + " token " + v);
                }
            }
            assertEquals(tokens.length, block.length());
        }
    }

    @Test
    void cpuThreadCountIsSettableAndDoesNotChangeLogits() {
        LlamaConfig config = LlamaConfig.of(128, 344, 2, 4, 2, 300, 64, true);
        try (NativeModel model = NativeModel.load(RandomWeights.create(config, 4), Device.cpu())) {
            int[] tokens = new int[40];
            for (int i = 0; i < tokens.length; i++) tokens[i] = (i * 31 + 7) % config.vocabSize();
            float[] reference = null;
            for (int threads : new int[] {1, 2, 3}) {
                NativeLibrary.setCpuThreads(threads);
                assertEquals(threads, NativeLibrary.cpuThreads());
                try (NativeSession session = model.newSession(64)) {
                    float[] logits = session.forward(tokens, true);
                    if (reference == null) reference = logits;
                    else assertArrayEquals(reference, logits, "logits with " + threads + " threads");
                }
            }
        } finally {
            NativeLibrary.setCpuThreads(0);
        }
        assertTrue(NativeLibrary.cpuThreads() >= 1);
        IllegalArgumentException bad =
                assertThrows(IllegalArgumentException.class, () -> NativeLibrary.setCpuThreads(-1));
        assertTrue(bad.getMessage().contains("threads"), bad.getMessage());
    }

    @Test
    void nativeErrorsBecomeCllmExceptionsWithStatus() {
        try (NativeModel model = NativeModel.load(RandomWeights.create(CONFIG, 2), Device.cpu());
                NativeSession session = model.newSession(4)) {
            CllmException bad = assertThrows(CllmException.class, () -> session.forward(new int[] {50}, false));
            assertEquals(CllmException.Status.INVALID_ARGUMENT, bad.status());
            assertTrue(bad.getMessage().contains("outside the vocabulary"), bad.getMessage());
            CllmException full =
                    assertThrows(CllmException.class, () -> session.forward(new int[] {1, 2, 3, 4, 5}, false));
            assertEquals(CllmException.Status.CONTEXT_FULL, full.status());
            assertEquals(0, session.length(), "a rejected call changes nothing");
        }
    }

    @Test
    void jacobiBlockRecordsStatesEndingAtTheFixedPoint() {
        try (NativeModel model = NativeModel.load(RandomWeights.create(CONFIG, 3), Device.cpu());
                NativeSession session = model.newSession(64)) {
            session.forward(new int[] {1, 2}, false);
            NativeSession.Block block = session.jacobiBlock(3, new int[] {0, 0, 0, 0, 0, 0}, 6, -1, true);
            assertEquals(6, block.produced().length);
            assertArrayEquals(block.produced(), block.states()[block.iterations()]);
            assertEquals(2 + 6, session.length());
        }
    }
}
