package dev.cllm.torch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cllm.Device;
import dev.cllm.WeightType;
import dev.cllm.engine.NativeModel;
import dev.cllm.engine.NativeSession;
import dev.cllm.model.DType;
import dev.cllm.model.HalfFloats;
import dev.cllm.model.LlamaConfig;
import dev.cllm.model.ModelWeights;
import dev.cllm.model.RandomWeights;
import dev.cllm.model.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The native CPU backend against the LibTorch reference on seeded random models of odd shapes: relative
 * error (max |diff| / max |ref|) at most 1e-4 (docs/ARCHITECTURE.md, Numerics), and the same argmax where the top-2
 * margin is clear.
 */
class TorchLlamaCrossCheckTest {
    static final double TOLERANCE = 1e-4;

    /** GQA 8 query / 2 KV heads, head_dim 48 (q dim 384 != dim 80), hidden 100 (not a multiple of 8), untied, theta 5e5. */
    static final LlamaConfig GQA_UNTIED = new LlamaConfig(80, 100, 2, 8, 2, 48, 97, 64, 500000f, 1e-5f, false, -1, -1);
    /** Multi-head (4/4), head_dim 16, hidden 172, tied head. */
    static final LlamaConfig MHA_TIED = new LlamaConfig(64, 172, 2, 4, 4, 16, 83, 64, 10000f, 1e-6f, true, -1, -1);
    /** Multi-query (6 query heads, 1 KV head), head_dim 10, 3 layers, hidden 45, untied. */
    static final LlamaConfig MQA = new LlamaConfig(36, 45, 3, 6, 1, 10, 61, 64, 10000f, 1e-5f, false, -1, -1);

    static Stream<LlamaConfig> configs() {
        return Stream.of(GQA_UNTIED, MHA_TIED, MQA);
    }

    @ParameterizedTest
    @MethodSource("configs")
    void wholeSequenceMatches(LlamaConfig config) {
        ModelWeights weights = sensitive(RandomWeights.create(config, 11));
        int[] tokens = randomTokens(config, 21, 1);
        try (TorchLlama reference = TorchLlama.fromWeights(weights);
                NativeModel model = NativeModel.load(weights, Device.cpu());
                NativeSession session = model.newSession(64)) {
            float[] expected = reference.logits(tokens);
            float[] actual = session.forward(tokens, true);
            assertClose(expected, actual, "whole sequence");
            assertArgmaxAgrees(expected, actual, config.vocabSize());
        }
    }

    @ParameterizedTest
    @MethodSource("configs")
    void blocksForwardedInARowMatch(LlamaConfig config) {
        ModelWeights weights = sensitive(RandomWeights.create(config, 12));
        int[] tokens = randomTokens(config, 7 + 5 + 1 + 9, 2);
        try (TorchLlama reference = TorchLlama.fromWeights(weights);
                NativeModel model = NativeModel.load(weights, Device.cpu());
                NativeSession session = model.newSession(64)) {
            float[] expected = reference.logits(tokens);
            float[] actual = new float[expected.length];
            int offset = 0;
            for (int block : new int[] {7, 5, 1, 9}) {
                float[] logits = session.forward(tokens, offset, block, true);
                System.arraycopy(logits, 0, actual, offset * config.vocabSize(), logits.length);
                offset += block;
            }
            assertEquals(tokens.length, session.length());
            assertClose(expected, actual, "blocks 7, 5, 1, 9");
            assertArgmaxAgrees(expected, actual, config.vocabSize());
        }
    }

    @ParameterizedTest
    @MethodSource("configs")
    void truncateThenReforwardMatches(LlamaConfig config) {
        ModelWeights weights = sensitive(RandomWeights.create(config, 13));
        int[] first = randomTokens(config, 12, 3);
        int[] replacement = randomTokens(config, 8, 4);
        int kept = 6;
        int[] sequence = new int[kept + replacement.length];
        System.arraycopy(first, 0, sequence, 0, kept);
        System.arraycopy(replacement, 0, sequence, kept, replacement.length);
        try (TorchLlama reference = TorchLlama.fromWeights(weights);
                NativeModel model = NativeModel.load(weights, Device.cpu());
                NativeSession session = model.newSession(64)) {
            session.forward(first, false);
            session.truncate(kept);
            float[] actual = session.forward(replacement, true);
            float[] all = reference.logits(sequence);
            float[] expected = new float[actual.length];
            System.arraycopy(all, kept * config.vocabSize(), expected, 0, expected.length);
            assertClose(expected, actual, "after truncate(" + kept + ")");
        }
    }

    @ParameterizedTest
    @MethodSource("configs")
    void blockForwardEqualsTokenByToken(LlamaConfig config) {
        ModelWeights weights = sensitive(RandomWeights.create(config, 14));
        int[] tokens = randomTokens(config, 10, 5);
        int v = config.vocabSize();
        try (TorchLlama reference = TorchLlama.fromWeights(weights);
                NativeModel model = NativeModel.load(weights, Device.cpu());
                NativeSession block = model.newSession(64);
                NativeSession single = model.newSession(64)) {
            float[] expected = reference.logits(tokens);
            float[] all = block.forward(tokens, true);
            float[] oneByOne = new float[all.length];
            for (int i = 0; i < tokens.length; i++)
                System.arraycopy(single.forward(tokens, i, 1, true), 0, oneByOne, i * v, v);
            assertClose(all, oneByOne, "block vs token by token");
            assertClose(expected, oneByOne, "token by token vs reference");
            // The reference itself: a prefix of a sequence has the logits of the sequence's first rows.
            for (int n : new int[] {1, 4}) {
                float[] prefix = reference.logits(java.util.Arrays.copyOf(tokens, n));
                assertClose(java.util.Arrays.copyOf(expected, n * v), prefix, "reference prefix of " + n);
            }
        }
    }

    /**
     * bf16 checkpoint values converted to fp32 at load (WeightType.F32) give LibTorch's fp32 logits. (Kept
     * as bf16, they would too where the CPU widens bf16 to fp32; with AVX512-BF16 the activations are
     * rounded to bf16 as well, which the 1e-4 bound does not allow: the native tests cover that type.)
     */
    @Test
    void bf16WeightsAreWidenedTheSameWay() {
        ModelWeights weights = toBf16(sensitive(RandomWeights.create(GQA_UNTIED, 15)));
        int[] tokens = randomTokens(GQA_UNTIED, 9, 6);
        try (TorchLlama reference = TorchLlama.fromWeights(weights);
                NativeModel model = NativeModel.load(weights, Device.cpu(), WeightType.F32);
                NativeSession session = model.newSession(64)) {
            assertClose(reference.logits(tokens), session.forward(tokens, true), "bf16 weights");
        }
    }

    /** The check can fail: a model whose rotary theta differs slightly is caught. */
    @Test
    void aSlightlyDifferentModelIsCaught() {
        ModelWeights weights = sensitive(RandomWeights.create(GQA_UNTIED, 16));
        LlamaConfig c = GQA_UNTIED;
        LlamaConfig otherTheta = new LlamaConfig(
                c.dim(),
                c.hiddenDim(),
                c.nLayers(),
                c.nHeads(),
                c.nKvHeads(),
                c.headDim(),
                c.vocabSize(),
                c.maxSeqLen(),
                c.ropeTheta() * 1.01f,
                c.normEps(),
                c.tiedEmbeddings(),
                -1,
                -1);
        int[] tokens = randomTokens(c, 30, 7);
        try (TorchLlama reference =
                        TorchLlama.fromWeights(new ModelWeights(otherTheta, weights.tensors(), "other theta"));
                NativeModel model = NativeModel.load(weights, Device.cpu());
                NativeSession session = model.newSession(64)) {
            double error = relativeError(reference.logits(tokens), session.forward(tokens, true));
            assertTrue(error > TOLERANCE, "a 1% different rotary theta should be visible, relative error " + error);
        }
    }

    /**
     * RandomWeights with the matrices scaled up so that every part of the model shows in the logits:
     * with N(0, 0.02) weights attention is nearly uniform (rotary barely matters) and the blocks add
     * little to the residual stream, so a broken attention or rotary would hide below 1e-4.
     * q and k x8 (scores of order 1-10), v / o / gate / up / down x4, head x8.
     */
    static ModelWeights sensitive(ModelWeights weights) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : weights.tensors().entrySet()) {
            String name = e.getKey();
            float scale = name.contains("q_proj") || name.contains("k_proj")
                    ? 8f
                    : name.equals(dev.cllm.model.TensorNames.LM_HEAD) ? 8f : name.endsWith("_proj.weight") ? 4f : 1f;
            float[] values = e.getValue().toFloatArray();
            for (int i = 0; i < values.length; i++) values[i] *= scale;
            out.put(name, Tensor.ofFloats(name, e.getValue().shape(), values));
        }
        return new ModelWeights(weights.config(), out, "sensitive " + weights.source());
    }

    static int[] randomTokens(LlamaConfig config, int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int[] tokens = new int[n];
        for (int i = 0; i < n; i++) tokens[i] = random.nextInt(config.vocabSize());
        return tokens;
    }

    static double relativeError(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, "logit count");
        double maxDiff = 0, maxRef = 0;
        for (int i = 0; i < expected.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs((double) expected[i] - actual[i]));
            maxRef = Math.max(maxRef, Math.abs(expected[i]));
        }
        return maxDiff / maxRef;
    }

    static void assertClose(float[] expected, float[] actual, String what) {
        double error = relativeError(expected, actual);
        assertTrue(error <= TOLERANCE, what + ": relative error " + error + " > " + TOLERANCE);
    }

    /** Rows whose reference top-2 margin exceeds 100x the largest difference must agree on the argmax. */
    static void assertArgmaxAgrees(float[] expected, float[] actual, int vocab) {
        double maxDiff = 0;
        for (int i = 0; i < expected.length; i++)
            maxDiff = Math.max(maxDiff, Math.abs((double) expected[i] - actual[i]));
        int rows = expected.length / vocab, checked = 0;
        for (int r = 0; r < rows; r++) {
            int best = argmax(expected, r * vocab, vocab);
            float second = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < vocab; j++) if (j != best) second = Math.max(second, expected[r * vocab + j]);
            if (expected[r * vocab + best] - second <= 100 * maxDiff) continue;
            checked++;
            assertEquals(best, argmax(actual, r * vocab, vocab), "argmax of row " + r);
        }
        assertTrue(checked >= rows / 2, "only " + checked + " of " + rows + " rows had a clear top-2 margin");
    }

    static int argmax(float[] values, int offset, int n) {
        int best = 0;
        for (int j = 1; j < n; j++) if (values[offset + j] > values[offset + best]) best = j;
        return best;
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
}
