package dev.cllm.torch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cllm.model.LlamaConfig;
import dev.cllm.model.ModelWeights;
import dev.cllm.model.RandomWeights;
import dev.cllm.model.TensorNames;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

class TorchLlamaTest {
    static final LlamaConfig UNTIED = TorchLlamaCrossCheckTest.GQA_UNTIED;
    static final LlamaConfig TIED = TorchLlamaCrossCheckTest.MHA_TIED;

    @Test
    void exportsTheWeightsItWasBuiltFrom() {
        for (LlamaConfig config : List.of(UNTIED, TIED)) {
            ModelWeights weights = RandomWeights.create(config, 21);
            try (TorchLlama model = TorchLlama.fromWeights(weights)) {
                ModelWeights exported = model.toWeights().validate();
                assertEquals(config, exported.config());
                assertEquals(
                        List.copyOf(weights.tensors().keySet()),
                        List.copyOf(exported.tensors().keySet()));
                assertEquals(!config.tiedEmbeddings(), exported.tensors().containsKey(TensorNames.LM_HEAD));
                for (String name : weights.tensors().keySet()) {
                    assertArrayEquals(
                            weights.require(name).toFloatArray(),
                            exported.require(name).toFloatArray(),
                            name);
                    assertArrayEquals(
                            weights.require(name).shape(),
                            exported.require(name).shape(),
                            name);
                }
                assertEquals(config.parameterCount(), model.parameterCount());
                assertEquals(
                        List.copyOf(weights.tensors().keySet()),
                        List.copyOf(model.namedParameters().keySet()));
            }
        }
    }

    @Test
    void bf16WeightsBecomeFp32Parameters() {
        ModelWeights bf16 = TorchLlamaCrossCheckTest.toBf16(RandomWeights.create(TIED, 22));
        try (TorchLlama model = TorchLlama.fromWeights(bf16)) {
            ModelWeights exported = model.toWeights();
            for (String name : bf16.tensors().keySet()) {
                assertEquals(dev.cllm.model.DType.F32, exported.require(name).dtype());
                assertArrayEquals(
                        bf16.require(name).toFloatArray(),
                        exported.require(name).toFloatArray(),
                        name);
            }
        }
    }

    @Test
    void batchRowsEqualSingleSequences() {
        int[][] rows = {
            TorchLlamaCrossCheckTest.randomTokens(UNTIED, 11, 1), TorchLlamaCrossCheckTest.randomTokens(UNTIED, 11, 2)
        };
        try (TorchLlama model = TorchLlama.random(UNTIED, 23);
                PointerScope scope = new PointerScope()) {
            float[] batch = TorchTensors.toFloats(model.forward(TorchTensors.tokens(rows)));
            int n = 11 * UNTIED.vocabSize();
            for (int b = 0; b < rows.length; b++) {
                TorchLlamaCrossCheckTest.assertClose(
                        model.logits(rows[b]), Arrays.copyOfRange(batch, b * n, (b + 1) * n), "row " + b);
            }
        }
    }

    @Test
    void rightPaddingNeverChangesRealPositions() {
        int width = 12, v = UNTIED.vocabSize();
        int[] lengths = {12, 5, 1};
        int[][] rows = new int[lengths.length][];
        int[][] otherPadding = new int[lengths.length][];
        for (int b = 0; b < rows.length; b++) {
            rows[b] = TorchLlamaCrossCheckTest.randomTokens(UNTIED, width, 10 + b);
            otherPadding[b] = rows[b].clone();
            for (int t = lengths[b]; t < width; t++) otherPadding[b][t] = (rows[b][t] + 1 + t) % v;
        }
        try (TorchLlama model = TorchLlama.random(UNTIED, 24);
                PointerScope scope = new PointerScope()) {
            Tensor keep = TorchTensors.lengthMask(lengths, width);
            float[] padded = TorchTensors.toFloats(model.forward(TorchTensors.tokens(rows), keep));
            float[] repadded = TorchTensors.toFloats(model.forward(TorchTensors.tokens(otherPadding), keep));
            float[] unmasked = TorchTensors.toFloats(model.forward(TorchTensors.tokens(otherPadding)));
            assertFalse(
                    Arrays.stream(toDoubles(padded)).anyMatch(Double::isNaN), "no NaN, not even at padded positions");
            for (int b = 0; b < rows.length; b++) {
                int real = lengths[b] * v, start = b * width * v;
                float[] single = model.logits(Arrays.copyOf(rows[b], lengths[b]));
                TorchLlamaCrossCheckTest.assertClose(
                        single, Arrays.copyOfRange(padded, start, start + real), "row " + b);
                assertArrayEquals(
                        Arrays.copyOfRange(padded, start, start + real),
                        Arrays.copyOfRange(repadded, start, start + real),
                        "row " + b + " with other padding tokens");
                // Right padding is causally invisible anyway: without a mask the real positions agree too.
                TorchLlamaCrossCheckTest.assertClose(
                        single, Arrays.copyOfRange(unmasked, start, start + real), "row " + b + " unmasked");
            }
        }
    }

    @Test
    void aMaskedKeyInsideTheSequenceIsInvisible() {
        // Not right-padding: key 2 of 6 is masked; rows 3..5 must then equal a forward without token 2's influence.
        int[] tokens = TorchLlamaCrossCheckTest.randomTokens(UNTIED, 6, 30);
        int[] changed = tokens.clone();
        changed[2] = (tokens[2] + 7) % UNTIED.vocabSize();
        try (TorchLlama model = TorchLlama.random(UNTIED, 25);
                PointerScope scope = new PointerScope()) {
            Tensor keep = TorchTensors.bools(new boolean[] {true, true, false, true, true, true}, 1, 6);
            float[] a = TorchTensors.toFloats(model.forward(TorchTensors.tokens(tokens), keep));
            float[] b = TorchTensors.toFloats(model.forward(TorchTensors.tokens(changed), keep));
            int v = UNTIED.vocabSize();
            assertArrayEquals(Arrays.copyOfRange(a, 3 * v, 6 * v), Arrays.copyOfRange(b, 3 * v, 6 * v));
            float[] c = TorchTensors.toFloats(model.forward(TorchTensors.tokens(changed)));
            assertTrue(
                    TorchLlamaCrossCheckTest.relativeError(
                                    Arrays.copyOfRange(a, 3 * v, 6 * v), Arrays.copyOfRange(c, 3 * v, 6 * v))
                            > 1e-3,
                    "without the mask the changed token is visible");
        }
    }

    @Test
    void gradientsReachEveryParameter() {
        for (LlamaConfig config : List.of(UNTIED, TIED)) {
            try (TorchLlama model = TorchLlama.random(config, 26).setRequiresGrad(true);
                    PointerScope scope = new PointerScope()) {
                Tensor tokens = TorchTensors.tokens(new int[][] {TorchLlamaCrossCheckTest.randomTokens(config, 9, 3)});
                Tensor loss = Losses.nextTokenCrossEntropy(model.forward(tokens), tokens, null);
                loss.backward();
                for (Map.Entry<String, Tensor> e : model.namedParameters().entrySet()) {
                    Tensor grad = e.getValue().grad();
                    assertTrue(grad.defined(), e.getKey() + " has a gradient");
                    assertArrayEquals(TorchTensors.shape(e.getValue()), TorchTensors.shape(grad), e.getKey());
                    float[] g = TorchTensors.toFloats(grad);
                    assertTrue(maxAbs(g) > 0, e.getKey() + " gradient is not zero");
                    assertTrue(
                            Arrays.stream(toDoubles(g)).allMatch(Double::isFinite), e.getKey() + " gradient is finite");
                }
                model.zeroGrad();
                for (Tensor p : model.parameters()) assertFalse(p.grad().defined(), "zeroGrad drops the gradient");
                model.setRequiresGrad(false);
                assertFalse(model.forward(tokens).requires_grad());
            }
        }
    }

    /** The largest gradient element of some weights against a central finite difference of the loss (fp32, so loosely). */
    @Test
    void gradientMatchesFiniteDifference() {
        ModelWeights weights = TorchLlamaCrossCheckTest.sensitive(RandomWeights.create(TIED, 27));
        int[] seq = TorchLlamaCrossCheckTest.randomTokens(TIED, 8, 4);
        for (String name :
                List.of(TensorNames.wq(1), TensorNames.down(0), TensorNames.attnNorm(1), TensorNames.EMBED)) {
            float[] grad;
            try (TorchLlama model = TorchLlama.fromWeights(weights).setRequiresGrad(true);
                    PointerScope scope = new PointerScope()) {
                Tensor tokens = TorchTensors.tokens(seq);
                Losses.nextTokenCrossEntropy(model.forward(tokens), tokens, null)
                        .backward();
                grad = TorchTensors.toFloats(model.namedParameters().get(name).grad());
            }
            int index = 0;
            for (int i = 1; i < grad.length; i++) if (Math.abs(grad[i]) > Math.abs(grad[index])) index = i;
            double h = 1e-2;
            double numeric =
                    (lossWith(weights, name, index, h, seq) - lossWith(weights, name, index, -h, seq)) / (2 * h);
            assertEquals(
                    numeric, grad[index], 0.02 * Math.abs(numeric) + 1e-4, "d loss / d " + name + "[" + index + "]");
        }
    }

    private static double lossWith(ModelWeights weights, String name, int index, double delta, int[] seq) {
        Map<String, dev.cllm.model.Tensor> tensors = new java.util.LinkedHashMap<>(weights.tensors());
        dev.cllm.model.Tensor t = weights.require(name);
        float[] values = t.toFloatArray();
        values[index] += (float) delta;
        tensors.put(name, dev.cllm.model.Tensor.ofFloats(name, t.shape(), values));
        try (TorchLlama model = TorchLlama.fromWeights(new ModelWeights(weights.config(), tensors, "perturbed"));
                PointerScope scope = new PointerScope()) {
            Tensor tokens = TorchTensors.tokens(seq);
            return Losses.nextTokenCrossEntropy(model.forward(tokens), tokens, null)
                    .item_float();
        }
    }

    @Test
    void rejectsBadInput() {
        try (TorchLlama model = TorchLlama.random(TIED, 28);
                PointerScope scope = new PointerScope()) {
            IllegalArgumentException outside =
                    assertThrows(IllegalArgumentException.class, () -> model.logits(new int[] {1, TIED.vocabSize()}));
            assertTrue(outside.getMessage().contains("vocabulary"), outside.getMessage());
            assertThrows(IllegalArgumentException.class, () -> model.logits(new int[] {-1}));
            assertThrows(IllegalArgumentException.class, () -> model.logits(new int[0]));
            assertThrows(IllegalArgumentException.class, () -> model.logits(new int[TIED.maxSeqLen() + 1]));
            assertThrows(IllegalArgumentException.class, () -> model.forward(TorchTensors.longs(new long[] {1, 2}, 2)));
            assertThrows(
                    IllegalArgumentException.class,
                    () -> model.forward(
                            TorchTensors.tokens(new int[] {1, 2}), TorchTensors.lengthMask(new int[] {1}, 3)));
            // int32 tokens are accepted.
            Tensor ints = TorchTensors.tokens(new int[] {1, 2, 3}).to(org.bytedeco.pytorch.global.torch.ScalarType.Int);
            assertArrayEquals(model.logits(new int[] {1, 2, 3}), TorchTensors.toFloats(model.forward(ints)));
        }
        TorchLlama closed = TorchLlama.random(TIED, 29);
        closed.close();
        closed.close();
        assertThrows(IllegalStateException.class, () -> closed.logits(new int[] {1}));
        assertThrows(IllegalStateException.class, closed::parameters);
    }

    @Test
    void aModelBuiltInsideAScopeOutlivesIt() {
        TorchLlama model;
        try (PointerScope scope = new PointerScope()) {
            model = TorchLlama.random(TIED, 30);
            model.logits(new int[] {1, 2});
        }
        try (model) {
            float[] logits = model.logits(new int[] {1, 2, 3});
            assertEquals(3 * TIED.vocabSize(), logits.length);
        }
    }

    @Test
    void seededRandomTensorsRepeat() {
        List<float[]> draws = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            TorchRuntime.manualSeed(5);
            try (PointerScope scope = new PointerScope()) {
                draws.add(TorchTensors.toFloats(org.bytedeco.pytorch.global.torch.randn(4, 3)));
            }
        }
        assertArrayEquals(draws.get(0), draws.get(1));
    }

    static double[] toDoubles(float[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) out[i] = values[i];
        return out;
    }

    static double maxAbs(float[] values) {
        double m = 0;
        for (float f : values) m = Math.max(m, Math.abs(f));
        return m;
    }
}
