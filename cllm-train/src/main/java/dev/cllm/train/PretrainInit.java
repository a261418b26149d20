package dev.cllm.train;

import dev.cllm.model.LlamaConfig;
import dev.cllm.model.ModelWeights;
import dev.cllm.model.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Initial weights for training from scratch (GPT-2 style): normal(0, 0.02) matrices and embeddings,
 * the two projections that write into the residual stream (o_proj, down_proj) scaled by
 * 1/sqrt(2 * layers) so the stream's variance does not grow with depth, norms at 1.
 */
public final class PretrainInit {
    private PretrainInit() {}

    public static ModelWeights create(LlamaConfig config, long seed) {
        config.validate();
        SplittableRandom random = new SplittableRandom(seed);
        double residualScale = 1.0 / Math.sqrt(2.0 * config.nLayers());
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e :
                ModelWeights.expectedShapes(config).stream().toList()) {
            String name = e.getKey();
            long[] shape = e.getValue();
            float[] values = new float[Math.toIntExact(Tensor.elementCount(shape))];
            if (shape.length == 1) {
                java.util.Arrays.fill(values, 1f);
            } else {
                boolean residual = name.endsWith("o_proj.weight") || name.endsWith("down_proj.weight");
                double std = 0.02 * (residual ? residualScale : 1.0);
                for (int i = 0; i < values.length; i++) values[i] = (float) (std * gaussian(random));
            }
            tensors.put(name, Tensor.ofFloats(name, shape, values));
        }
        return new ModelWeights(config, tensors, "init(seed=" + seed + ")");
    }

    private static double gaussian(SplittableRandom random) {
        double u1 = random.nextDouble(), u2 = random.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    }
}
