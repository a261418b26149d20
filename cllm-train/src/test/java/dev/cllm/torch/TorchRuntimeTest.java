package dev.cllm.torch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.junit.jupiter.api.Test;

class TorchRuntimeTest {
    @Test
    void threadDefaults() {
        assertEquals(Integer.getInteger("cllm.torch.threads", 1), TorchRuntime.threads());
        assertEquals(Integer.getInteger("cllm.torch.blasThreads", 1), TorchRuntime.blasThreads());
    }

    /** The model's forward turns flush-to-zero on, even on a thread where the JVM reset it. */
    @Test
    void forwardFlushesDenormals() {
        try (TorchLlama model = TorchLlama.random(TorchLlamaCrossCheckTest.MQA, 1);
                PointerScope scope = new PointerScope()) {
            TorchRuntime.flushDenormalsOnThisThread(false);
            float subnormal = 1e-39f;
            assertEquals(3 * subnormal, multiplyByThree(subnormal), "without flushing a subnormal survives");
            model.forward(TorchTensors.tokens(new int[] {1, 2}));
            boolean flushing = !"false".equals(System.getProperty("cllm.torch.flushDenormals"));
            assertEquals(
                    flushing ? 0f : 3 * subnormal,
                    multiplyByThree(subnormal),
                    "a subnormal input is read as zero (DAZ) iff flushing");
        }
    }

    private static float multiplyByThree(float value) {
        return TorchTensors.toFloats(TorchTensors.floats(new float[] {value}, 1).mul(new Scalar(3.0)))[0];
    }
}
