package dev.cllm.engine;

import dev.cllm.model.DType;
import dev.cllm.model.HalfFloats;
import dev.cllm.model.LlamaConfig;
import dev.cllm.model.ModelWeights;
import dev.cllm.model.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Test weights in other dtypes: GGUF Q8_0 blocks quantised in Java the way ggml does (d = max |x| / 127 as
 * fp16, q = round(x / d) half away from zero with the fp32 1 / d), and bf16 copies.
 */
final class Q8Blocks {
    private Q8Blocks() {}

    static Tensor quantize(Tensor t) {
        float[] values = t.toFloatArray();
        ByteBuffer out = ByteBuffer.allocateDirect(values.length / 32 * 34).order(ByteOrder.LITTLE_ENDIAN);
        for (int b = 0; b < values.length / 32; b++) {
            float amax = 0;
            for (int j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(values[b * 32 + j]));
            float d = amax / 127f;
            float id = d != 0 ? 1f / d : 0f;
            out.putShort(HalfFloats.floatToF16(d));
            for (int j = 0; j < 32; j++) {
                float v = values[b * 32 + j] * id;
                out.put((byte) Math.copySign(Math.floor(Math.abs(v) + 0.5), v));
            }
        }
        out.flip();
        return new Tensor(t.name(), DType.Q8_0, t.shape(), out);
    }

    /** The matrices whose rows are a multiple of 32 long as Q8_0 blocks, the rest as they are (a GGUF's mix). */
    static ModelWeights withQ8Matrices(ModelWeights weights) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : weights.tensors().entrySet()) {
            Tensor t = e.getValue();
            long[] shape = t.shape();
            boolean q8 = shape.length == 2 && shape[1] % 32 == 0;
            out.put(e.getKey(), q8 ? quantize(t) : t);
        }
        return new ModelWeights(weights.config(), out, "q8_0 " + weights.source());
    }

    static ModelWeights toBf16(ModelWeights weights) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : weights.tensors().entrySet()) {
            float[] values = e.getValue().toFloatArray();
            ByteBuffer buffer = ByteBuffer.allocateDirect(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
            for (float f : values) buffer.putShort(HalfFloats.floatToBf16(f));
            buffer.flip();
            out.put(e.getKey(), new Tensor(e.getKey(), DType.BF16, e.getValue().shape(), buffer));
        }
        return new ModelWeights(weights.config(), out, "bf16 " + weights.source());
    }

    static LlamaConfig aligned() {
        return LlamaConfig.of(64, 96, 2, 4, 2, 70, 64, false); // every row 64 or 96 long
    }
}
