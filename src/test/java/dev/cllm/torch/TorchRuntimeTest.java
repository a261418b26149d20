package dev.cllm.torch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.junit.jupiter.api.Test;

class TorchRuntimeTest {
    @Test
    void threadDefaultsAndDenormalsFlushed() {
        TorchRuntime.ensureLoaded();
        assertEquals(Integer.getInteger("cllm.torch.threads", 1), TorchRuntime.threads());
        assertEquals(Integer.getInteger("cllm.torch.blasThreads", 1), TorchRuntime.blasThreads());
        try (PointerScope scope = new PointerScope()) {
            float subnormal = 1e-39f;
            float[] product = TorchTensors.toFloats(TorchTensors.floats(new float[] {subnormal, 1f}, 2).mul(new Scalar(3.0)));
            boolean flushed = !"false".equals(System.getProperty("cllm.torch.flushDenormals"));
            assertEquals(flushed ? 0f : 3 * subnormal, product[0], "a subnormal input is read as zero (DAZ) iff flushing");
            assertEquals(3f, product[1]);
        }
    }
}
