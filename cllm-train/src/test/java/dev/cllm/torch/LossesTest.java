package dev.cllm.torch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

class LossesTest {
    // logits [1, 3, 4]
    static final float[] LOGITS = {
        1.0f, 2.0f, 0.5f, -1.0f, 0.0f, 0.0f, 3.0f, 1.0f, -2.0f, 1.5f, 0.25f, 0.75f,
    };

    static double logSoftmax(float[] logits, int row, int v, int index) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (int j = 0; j < v; j++) max = Math.max(max, logits[row * v + j]);
        for (int j = 0; j < v; j++) sum += Math.exp(logits[row * v + j] - max);
        return logits[row * v + index] - max - Math.log(sum);
    }

    @Test
    void crossEntropyByHandAndAgainstTorch() {
        try (PointerScope scope = new PointerScope()) {
            Tensor logits = TorchTensors.floats(LOGITS, 1, 3, 4);
            Tensor labels = TorchTensors.longs(new long[] {1, 2, 0}, 1, 3);
            double expectedAll =
                    -(logSoftmax(LOGITS, 0, 4, 1) + logSoftmax(LOGITS, 1, 4, 2) + logSoftmax(LOGITS, 2, 4, 0)) / 3;
            assertEquals(expectedAll, Losses.crossEntropy(logits, labels, null).item_float(), 1e-6);
            // torch.cross_entropy with its default mean reduction gives the same.
            float torchMean =
                    torch.cross_entropy(logits.view(3, 4), labels.view(3)).item_float();
            assertEquals(torchMean, Losses.crossEntropy(logits, labels, null).item_float(), 1e-6);

            Tensor mask = TorchTensors.bools(new boolean[] {true, false, true}, 1, 3);
            double expectedMasked = -(logSoftmax(LOGITS, 0, 4, 1) + logSoftmax(LOGITS, 2, 4, 0)) / 2;
            assertEquals(
                    expectedMasked, Losses.crossEntropy(logits, labels, mask).item_float(), 1e-6);
            // An integer mask and an ignore label mean the same.
            Tensor intMask = TorchTensors.longs(new long[] {1, 0, 1}, 1, 3);
            assertEquals(
                    expectedMasked, Losses.crossEntropy(logits, labels, intMask).item_float(), 1e-6);
            Tensor ignoring = TorchTensors.longs(new long[] {1, Losses.IGNORE_INDEX, 0}, 1, 3);
            assertEquals(
                    expectedMasked, Losses.crossEntropy(logits, ignoring, null).item_float(), 1e-6);
        }
    }

    @Test
    void nextTokenCrossEntropyShiftsByOne() {
        try (PointerScope scope = new PointerScope()) {
            Tensor logits = TorchTensors.floats(LOGITS, 1, 3, 4);
            Tensor tokens = TorchTensors.longs(new long[] {3, 1, 2}, 1, 3);
            // logits row 0 predicts token 1 (id 1), row 1 predicts token 2 (id 2); row 2 predicts nothing.
            double expected = -(logSoftmax(LOGITS, 0, 4, 1) + logSoftmax(LOGITS, 1, 4, 2)) / 2;
            assertEquals(
                    expected, Losses.nextTokenCrossEntropy(logits, tokens, null).item_float(), 1e-6);
            // The mask is over target positions: masking position 2 leaves only row 0's prediction.
            Tensor mask = TorchTensors.bools(new boolean[] {true, true, false}, 1, 3);
            assertEquals(
                    -logSoftmax(LOGITS, 0, 4, 1),
                    Losses.nextTokenCrossEntropy(logits, tokens, mask).item_float(),
                    1e-6);
            // Masking position 0 changes nothing: nothing predicts it.
            Tensor first = TorchTensors.bools(new boolean[] {false, true, true}, 1, 3);
            assertEquals(
                    expected,
                    Losses.nextTokenCrossEntropy(logits, tokens, first).item_float(),
                    1e-6);
            assertThrows(
                    IllegalArgumentException.class,
                    () -> Losses.nextTokenCrossEntropy(logits.narrow(1, 0, 1), tokens.narrow(1, 0, 1), null));
        }
    }

    @Test
    void nothingCountedGivesZeroLossAndZeroGradient() {
        try (PointerScope scope = new PointerScope()) {
            Tensor logits = TorchTensors.floats(LOGITS, 1, 3, 4).requires_grad_(true);
            Tensor none = TorchTensors.bools(new boolean[3], 1, 3);
            Tensor loss = Losses.crossEntropy(logits, TorchTensors.longs(new long[] {1, 2, 0}, 1, 3), none)
                    .add(Losses.forwardKl(logits, TorchTensors.floats(new float[12], 1, 3, 4), none));
            loss.backward();
            assertEquals(0f, loss.item_float());
            assertEquals(0.0, TorchLlamaTest.maxAbs(TorchTensors.toFloats(logits.grad())));
        }
    }

    @Test
    void klAndSoftCrossEntropyOfTheSameDistributionHaveZeroGradient() {
        try (PointerScope scope = new PointerScope()) {
            torch.manual_seed(3);
            Tensor logits = torch.randn(2, 5, 11).requires_grad_(true);
            // A constant shift per position gives the same distribution; the target shares the graph but is detached
            // inside.
            Tensor target = logits.add(new Scalar(2.5));
            Tensor kl = Losses.forwardKl(logits, target, null);
            kl.backward();
            assertEquals(0.0, kl.item_float(), 1e-6);
            assertTrue(TorchLlamaTest.maxAbs(TorchTensors.toFloats(logits.grad())) < 1e-7, "KL gradient is zero");

            logits.mutable_grad().reset();
            Tensor soft = Losses.softCrossEntropy(logits, target, null);
            soft.backward();
            double entropy = -TorchTensors.toFloats(torch.softmax(logits, -1)
                    .mul(torch.log_softmax(logits, -1))
                    .sum(-1)
                    .mean())[0];
            assertEquals(entropy, soft.item_float(), 1e-5, "soft cross-entropy of p with itself is p's entropy");
            assertTrue(TorchLlamaTest.maxAbs(TorchTensors.toFloats(logits.grad())) < 1e-7, "soft CE gradient is zero");
        }
    }

    @Test
    void klByHandWithAMaskAndNoGradientIntoTheTarget() {
        try (PointerScope scope = new PointerScope()) {
            float[] targetValues = {
                0.0f, 1.0f, 2.0f, 3.0f,
                5.0f, -5.0f, 0.0f, 0.0f,
                1.0f, 1.0f, 1.0f, 1.0f,
            };
            Tensor logits = TorchTensors.floats(LOGITS, 1, 3, 4).requires_grad_(true);
            Tensor target = TorchTensors.floats(targetValues, 1, 3, 4).requires_grad_(true);
            Tensor mask = TorchTensors.bools(new boolean[] {true, false, true}, 1, 3);
            double expected = 0;
            for (int row : new int[] {0, 2}) {
                for (int j = 0; j < 4; j++) {
                    double logP = logSoftmax(targetValues, row, 4, j), logQ = logSoftmax(LOGITS, row, 4, j);
                    expected += Math.exp(logP) * (logP - logQ);
                }
            }
            expected /= 2;
            Tensor kl = Losses.forwardKl(logits, target, mask);
            assertEquals(expected, kl.item_float(), 1e-6);
            kl.backward();
            assertFalse(target.grad().defined(), "the target is detached");
            float[] grad = TorchTensors.toFloats(logits.grad());
            // d KL / d logits = (q - p) / count at counted rows, 0 at the masked row.
            for (int j = 0; j < 4; j++) {
                assertEquals(0f, grad[4 + j], "masked row has no gradient");
                double q = Math.exp(logSoftmax(LOGITS, 0, 4, j)), p = Math.exp(logSoftmax(targetValues, 0, 4, j));
                assertEquals((q - p) / 2, grad[j], 1e-6);
            }
            // Soft cross-entropy differs from KL by the (detached) target entropy only.
            double targetEntropy = 0;
            for (int row : new int[] {0, 2}) {
                for (int j = 0; j < 4; j++)
                    targetEntropy -=
                            Math.exp(logSoftmax(targetValues, row, 4, j)) * logSoftmax(targetValues, row, 4, j);
            }
            assertEquals(
                    expected + targetEntropy / 2,
                    Losses.softCrossEntropy(logits, target, mask).item_float(),
                    1e-5);
        }
    }

    @Test
    void nonFiniteValuesAtMaskedPositionsDoNotLeak() {
        try (PointerScope scope = new PointerScope()) {
            float[] values = LOGITS.clone();
            for (int j = 4; j < 8; j++) values[j] = Float.NaN;
            Tensor logits = TorchTensors.floats(values, 1, 3, 4);
            Tensor mask = TorchTensors.bools(new boolean[] {true, false, true}, 1, 3);
            float kl = Losses.forwardKl(logits, TorchTensors.floats(LOGITS, 1, 3, 4), mask)
                    .item_float();
            assertTrue(Float.isFinite(kl), "KL " + kl);
            float ce = Losses.crossEntropy(logits, TorchTensors.longs(new long[] {1, 2, 0}, 1, 3), mask)
                    .item_float();
            assertTrue(Float.isFinite(ce), "CE " + ce);
        }
    }

    @Test
    void shapesAreChecked() {
        try (PointerScope scope = new PointerScope()) {
            Tensor logits = TorchTensors.floats(LOGITS, 1, 3, 4);
            assertThrows(IllegalArgumentException.class, () -> Losses.forwardKl(logits, logits.view(3, 4), null));
            assertThrows(
                    IllegalArgumentException.class,
                    () -> Losses.forwardKl(logits, logits, TorchTensors.bools(new boolean[2], 1, 2)));
            assertThrows(
                    IllegalArgumentException.class,
                    () -> Losses.crossEntropy(logits, TorchTensors.longs(new long[] {1, 2}, 1, 2), null));
        }
    }
}
