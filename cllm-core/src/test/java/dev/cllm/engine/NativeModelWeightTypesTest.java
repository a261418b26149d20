package dev.cllm.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cllm.CllmException;
import dev.cllm.Device;
import dev.cllm.WeightType;
import dev.cllm.model.CheckpointWriter;
import dev.cllm.model.Checkpoints;
import dev.cllm.model.DType;
import dev.cllm.model.LlamaConfig;
import dev.cllm.model.ModelWeights;
import dev.cllm.model.RandomWeights;
import dev.cllm.model.Tensor;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Weight types through the Java API: conversion at load, the checkpoint's own type, exactness per type. */
class NativeModelWeightTypesTest {
    private static final LlamaConfig CONFIG = Q8Blocks.aligned();

    static float[] logits(NativeModel model, int[] tokens) {
        try (NativeSession session = model.newSession(32)) {
            return session.forward(tokens, true);
        }
    }

    static double relativeError(float[] actual, float[] expected) {
        double diff = 0, scale = 0;
        for (int i = 0; i < expected.length; i++) {
            diff = Math.max(diff, Math.abs((double) actual[i] - expected[i]));
            scale = Math.max(scale, Math.abs(expected[i]));
        }
        return diff / scale;
    }

    @Test
    void eachTypeIsStoredAsAskedAndCloseToF32() {
        ModelWeights weights = RandomWeights.create(CONFIG, 5);
        int[] tokens = {1, 7, 22, 3, 45, 9, 0, 31};
        long[] bytes = new long[3];
        float[] reference = null;
        for (WeightType type : WeightType.values()) {
            try (NativeModel model = NativeModel.load(weights, Device.cpu(), type)) {
                assertEquals(type, model.weightType());
                bytes[type.ordinal()] = model.weightBytes();
                float[] actual = logits(model, tokens);
                if (type == WeightType.F32) {
                    reference = actual;
                } else {
                    double error = relativeError(actual, reference);
                    System.out.printf("%s weights: logits relative error %.3g vs f32%n", type.cliName(), error);
                    assertTrue(error < (type == WeightType.BF16 ? 1.5e-2 : 4e-2), type + ": relative error " + error);
                    assertTrue(error > 0, type + " weights differ from f32 weights somewhere");
                }
            }
        }
        assertTrue(bytes[1] < 0.6 * bytes[0] && bytes[2] < 0.35 * bytes[0], java.util.Arrays.toString(bytes));
    }

    @ParameterizedTest
    @EnumSource(WeightType.class)
    void blockForwardEqualsTokenByTokenAndJacobiEqualsGreedy(WeightType type) {
        try (NativeModel model = NativeModel.load(RandomWeights.create(CONFIG, 6), Device.cpu(), type);
                NativeSession block = model.newSession(48);
                NativeSession single = model.newSession(48)) {
            int vocab = CONFIG.vocabSize();
            int[] tokens = {3, 9, 27, 31, 2, 44, 60, 1, 8};
            float[] all = block.forward(tokens, true);
            for (int i = 0; i < tokens.length; i++) {
                float[] one = single.forward(tokens, i, 1, true);
                assertArrayEquals(java.util.Arrays.copyOfRange(all, i * vocab, (i + 1) * vocab), one, "row " + i);
            }
            // Greedy AR from the end of the block, then the same tokens by Jacobi blocks from a bad guess.
            List<Integer> greedy = new ArrayList<>();
            int next = argmax(all, (tokens.length - 1) * vocab, vocab);
            block.truncate(tokens.length);
            int y0 = next;
            for (int i = 0; i < 12; i++) {
                greedy.add(next);
                next = argmax(block.forward(new int[] {next}, true), 0, vocab);
            }
            single.truncate(tokens.length);
            List<Integer> jacobi = new ArrayList<>();
            jacobi.add(y0);
            while (jacobi.size() < greedy.size()) {
                NativeSession.Block b = single.jacobiBlock(y0, new int[] {0, 0, 0, 0}, 4, -1, false);
                for (int t : b.produced()) jacobi.add(t);
                y0 = b.produced()[b.produced().length - 1];
            }
            assertEquals(greedy, jacobi.subList(0, greedy.size()), type + ": Jacobi output equals greedy AR output");
        }
    }

    static int argmax(float[] values, int offset, int n) {
        int best = 0;
        for (int j = 1; j < n; j++) if (values[offset + j] > values[offset + best]) best = j;
        return best;
    }

    @Test
    void theDefaultIsTheCheckpointsOwnType() {
        ModelWeights f32 = RandomWeights.create(CONFIG, 7);
        ModelWeights bf16 = Q8Blocks.toBf16(f32);
        ModelWeights q8 = Q8Blocks.withQ8Matrices(f32);
        assertEquals(WeightType.F32, WeightType.ofCheckpoint(f32));
        assertEquals(WeightType.BF16, WeightType.ofCheckpoint(bf16));
        assertEquals(WeightType.Q8_0, WeightType.ofCheckpoint(q8));
        try (NativeModel a = NativeModel.load(f32, Device.cpu());
                NativeModel b = NativeModel.load(bf16, Device.cpu());
                NativeModel c = NativeModel.load(q8, Device.cpu());
                NativeModel empty = NativeModel.create(CONFIG, Device.cpu())) {
            assertEquals(WeightType.F32, a.weightType());
            assertEquals(WeightType.BF16, b.weightType());
            assertEquals(WeightType.Q8_0, c.weightType());
            assertEquals(WeightType.F32, empty.weightType(), "an empty model gets the backend's default");
        }
        // Device.auto() on a machine where it resolves to the CPU keeps the checkpoint's type too.
        if (NativeLibrary.resolve(Device.auto()).kind() == Device.Kind.CPU) {
            try (NativeModel auto = NativeModel.load(bf16, Device.auto())) {
                assertEquals(WeightType.BF16, auto.weightType(), "auto resolved to the CPU");
            }
        }
        // A mix of matrix types (here one bf16 matrix among f32 ones) is kept as f32.
        var mixed = new java.util.LinkedHashMap<>(f32.tensors());
        mixed.put("model.layers.0.mlp.up_proj.weight", bf16.tensors().get("model.layers.0.mlp.up_proj.weight"));
        assertEquals(WeightType.F32, WeightType.ofCheckpoint(new ModelWeights(CONFIG, mixed, "mixed")));
    }

    @Test
    void q8BlocksLoadWithoutRequantising() {
        ModelWeights f32 = RandomWeights.create(CONFIG, 8);
        int[] tokens = {4, 8, 15, 16, 23, 42};
        try (NativeModel fromBlocks = NativeModel.load(Q8Blocks.withQ8Matrices(f32), Device.cpu(), WeightType.Q8_0);
                NativeModel quantisedAtLoad = NativeModel.load(f32, Device.cpu(), WeightType.Q8_0);
                NativeModel dequantised = NativeModel.load(Q8Blocks.withQ8Matrices(f32), Device.cpu(), WeightType.F32);
                NativeModel plain = NativeModel.load(f32, Device.cpu(), WeightType.F32)) {
            // Java's quantiser is ggml's, and so is the engine's: the same blocks either way.
            assertArrayEquals(logits(quantisedAtLoad, tokens), logits(fromBlocks, tokens));
            // Q8_0 blocks converted to f32 at load hold the quantised values: close to, not equal to, f32.
            double error = relativeError(logits(dequantised, tokens), logits(plain, tokens));
            assertTrue(error > 0 && error < 4e-2, "relative error " + error);
        }
    }

    @Test
    void q8TensorsKnowTheirBlockLayout() {
        ModelWeights f32 = RandomWeights.create(CONFIG, 9);
        Tensor wq = f32.require("model.layers.0.self_attn.q_proj.weight");
        Tensor q8 = Q8Blocks.quantize(wq);
        assertEquals(DType.Q8_0, q8.dtype());
        assertEquals(wq.size() / 32 * 34, q8.data().remaining());
        float[] original = wq.toFloatArray(), back = q8.toFloatArray();
        double worst = 0, scale = 0;
        for (int i = 0; i < original.length; i++) {
            worst = Math.max(worst, Math.abs(back[i] - original[i]));
            scale = Math.max(scale, Math.abs(original[i]));
        }
        assertTrue(worst > 0 && worst <= scale / 127, "dequantised within half a step of the block's largest value");
        assertEquals(back[5], q8.getFloat(5));
        IllegalArgumentException bad = assertThrows(
                IllegalArgumentException.class,
                () -> new Tensor("x", DType.Q8_0, new long[] {3, 16}, ByteBuffer.allocate(51)));
        assertTrue(bad.getMessage().contains("multiple of 32"), bad.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> new Tensor("x", DType.Q8_0, new long[] {2, 32}, ByteBuffer.allocate(64)));
        assertEquals(68, DType.Q8_0.byteSize(64));
        assertThrows(UnsupportedOperationException.class, DType.Q8_0::bytes);
        assertEquals(null, DType.ofSafetensors(null));
    }

    @Test
    void q8CheckpointsAreWrittenAsF32(@TempDir Path dir) {
        ModelWeights q8 = Q8Blocks.withQ8Matrices(RandomWeights.create(CONFIG, 11));
        CheckpointWriter.write(q8, dir); // safetensors cannot hold Q8_0: those tensors become F32
        ModelWeights back = Checkpoints.load(dir);
        Tensor original = q8.require("model.layers.1.mlp.gate_proj.weight");
        Tensor written = back.require("model.layers.1.mlp.gate_proj.weight");
        assertEquals(DType.F32, written.dtype());
        assertArrayEquals(original.toFloatArray(), written.toFloatArray());
        assertThrows(IllegalArgumentException.class, () -> CheckpointWriter.write(q8, dir, DType.Q8_0, null));
    }

    @Test
    void q8RowsMustBeWholeBlocks() {
        // A q8_0 upload of a matrix whose rows are not a multiple of 32 long names the tensor and the reason.
        LlamaConfig odd = LlamaConfig.of(64, 100, 1, 4, 4, 50, 32, true);
        float[] values = new float[64 * 100];
        for (int i = 0; i < values.length; i++) values[i] = (i % 7) * 0.01f;
        Tensor blocks =
                Q8Blocks.quantize(Tensor.ofFloats("model.layers.0.mlp.down_proj.weight", new long[] {6400}, values));
        try (NativeModel model = NativeModel.create(odd, Device.cpu(), WeightType.Q8_0)) {
            CllmException e = assertThrows(
                    CllmException.class,
                    () -> model.upload(dev.cllm.nativelib.CllmNative.CLLM_TENSOR_W_DOWN, 0, blocks));
            assertEquals(CllmException.Status.INVALID_ARGUMENT, e.status());
            assertTrue(e.getMessage().contains("w_down") && e.getMessage().contains("multiple of 32"), e.getMessage());
        }
    }
}
