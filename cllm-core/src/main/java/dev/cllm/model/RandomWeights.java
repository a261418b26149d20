package dev.cllm.model;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Seeded random Llama weights (F32): normal(0, 0.02) matrices, norms near 1, embeddings of unit scale.
 * For tests, benchmarks ({@code --random}) and as the starting point of pretraining.
 */
public final class RandomWeights {
    private RandomWeights() {}

    public static ModelWeights create(LlamaConfig config, long seed) {
        config.validate();
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : ModelWeights.expectedShapes(config)) {
            String name = e.getKey();
            long[] shape = e.getValue();
            float[] values = new float[Math.toIntExact(Tensor.elementCount(shape))];
            boolean norm = shape.length == 1;
            float scale = name.equals(TensorNames.EMBED) ? 0.5f : 0.02f;
            for (int i = 0; i < values.length; i++) {
                float g = (float) gaussian(random);
                values[i] = norm ? 1.0f + 0.1f * g : scale * g;
            }
            tensors.put(name, Tensor.ofFloats(name, shape, values));
        }
        return new ModelWeights(config, tensors, "random(seed=" + seed + ")");
    }

    private static double gaussian(SplittableRandom random) {
        // Box-Muller; SplittableRandom has no nextGaussian on Java 17.
        double u1 = random.nextDouble(), u2 = random.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    }
}
