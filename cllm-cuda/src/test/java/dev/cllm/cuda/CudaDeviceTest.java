package dev.cllm.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cllm.CllmException;
import dev.cllm.Device;
import dev.cllm.engine.CudaDeviceInfo;
import dev.cllm.engine.NativeLibrary;
import dev.cllm.engine.NativeModel;
import dev.cllm.engine.NativeSession;
import dev.cllm.model.LlamaConfig;
import dev.cllm.model.RandomWeights;
import org.junit.jupiter.api.Test;

/**
 * Device selection on machines with and without CUDA. Without a driver (as on CI): auto() is the CPU,
 * asking for cuda:0 fails with UNSUPPORTED and a clear message, and the JVM and the CPU path carry on.
 * With a device: auto() is CUDA and the engine agrees with the Bytedeco discovery.
 */
class CudaDeviceTest {
    private static final LlamaConfig CONFIG = LlamaConfig.of(64, 96, 2, 4, 2, 50, 64, false);

    @Test
    void deviceSelectionMatchesTheMachine() {
        CudaDevices.Discovery discovery = CudaDevices.discover();
        if (!discovery.available()) {
            assertFalse(discovery.problem().isEmpty(), "a reason is given when no device is found");
            assertEquals(Device.cpu(), NativeLibrary.resolve(Device.auto()));
            try (NativeModel auto = NativeModel.load(RandomWeights.create(CONFIG, 1), Device.auto())) {
                assertEquals(Device.cpu(), auto.device(), "auto resolves to the CPU without a device");
            }
            CllmException e = assertThrows(
                    CllmException.class, () -> NativeModel.load(RandomWeights.create(CONFIG, 1), Device.cuda(0)));
            assertEquals(CllmException.Status.UNSUPPORTED, e.status());
            assertTrue(e.getMessage().contains("CUDA"), e.getMessage());
            assertThrows(CllmException.class, () -> NativeLibrary.cudaDeviceInfo(0));
            // The JVM and the CPU backend are unaffected.
            try (NativeModel model = NativeModel.load(RandomWeights.create(CONFIG, 1), Device.cpu());
                    NativeSession session = model.newSession(8)) {
                assertEquals(4 * 50, session.forward(new int[] {1, 2, 3, 4}, true).length);
            }
        } else {
            assertEquals(Device.cuda(0), NativeLibrary.resolve(Device.auto()));
            CudaDeviceInfo first = discovery.devices().get(0);
            CudaDeviceInfo engine = NativeLibrary.cudaDeviceInfo(0);
            assertEquals(first.name(), engine.name());
            assertEquals(first.ccMajor(), engine.ccMajor());
            try (NativeModel gpu = NativeModel.load(RandomWeights.create(CONFIG, 1), Device.cuda(0));
                    NativeModel cpu = NativeModel.load(RandomWeights.create(CONFIG, 1), Device.cpu());
                    NativeSession g = gpu.newSession(16);
                    NativeSession c = cpu.newSession(16)) {
                int[] tokens = {3, 9, 27, 31};
                float[] a = g.forward(tokens, true), b = c.forward(tokens, true);
                float max = 0, diff = 0;
                for (int i = 0; i < a.length; i++) {
                    max = Math.max(max, Math.abs(b[i]));
                    diff = Math.max(diff, Math.abs(a[i] - b[i]));
                }
                assertTrue(diff <= 2e-2f * max, "CUDA logits close to the CPU's: " + diff + " of " + max);
                NativeSession.Block block = g.jacobiBlock(5, new int[] {0, 0, 0, 0}, 4, -1, true);
                assertArrayEquals(block.produced(), block.states()[block.iterations()]);
                assertEquals(
                        block.produced().length,
                        java.util.Arrays.stream(block.accepted()).sum(),
                        "the per-iteration counts add up to the produced tokens");
            }
        }
    }

    @Test
    void cpuSessionsHaveNoCudaStream() {
        try (NativeModel model = NativeModel.load(RandomWeights.create(CONFIG, 2), Device.cpu());
                NativeSession session = model.newSession(8)) {
            CllmException e = assertThrows(CllmException.class, () -> session.setCudaStream(null));
            assertEquals(CllmException.Status.UNSUPPORTED, e.status());
            assertTrue(e.getMessage().contains("CPU"), e.getMessage());
        }
    }
}
