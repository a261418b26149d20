package dev.cllm.torch;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Rotary position embeddings in Hugging Face's rotate_half layout: the pair of element i is element
 * i + head_dim/2, {@code out = x * cos + rotate_half(x) * sin} with {@code rotate_half(x) = cat(-x2, x1)}.
 *
 * <p>Like HF: {@code inv_freq[i] = 1 / theta^(2i / head_dim)} (computed in double, rounded to fp32),
 * angle = position * inv_freq in fp32, cos/sin of the fp32 angle. rotate_half is computed as
 * {@code roll(x, head_dim/2) * [-1..-1, +1..+1]}, folded into a signed sin table (one roll, two mul, one add).
 *
 * <p>Tables cover positions [0, capacity) and grow on demand up to maxPositions.
 */
final class RotaryEmbedding implements AutoCloseable {
    private final int headDim;
    private final int maxPositions;
    private final float[] invFreq;
    private Tensor cos; // [capacity, headDim]
    private Tensor sinSigned; // [capacity, headDim], first half negated
    private int capacity;

    RotaryEmbedding(int headDim, int maxPositions, float theta) {
        this.headDim = headDim;
        this.maxPositions = maxPositions;
        int half = headDim / 2;
        invFreq = new float[half];
        for (int i = 0; i < half; i++) invFreq[i] = (float) (1.0 / Math.pow(theta, (double) (2 * i) / headDim));
    }

    /** x: [..., T, headDim] with positions 0..T-1 along dim -2. Returns the rotated tensor. */
    Tensor apply(Tensor x, int length) {
        ensureCapacity(length);
        Tensor c = cos.narrow(0, 0, length);
        Tensor s = sinSigned.narrow(0, 0, length);
        Tensor rolled = torch.roll(x, new long[] {headDim / 2}, -1L);
        return x.mul(c).add(rolled.mul(s));
    }

    private void ensureCapacity(int length) {
        if (length <= capacity) return;
        if (length > maxPositions) {
            throw new IllegalArgumentException(
                    "sequence of " + length + " positions exceeds max_seq_len " + maxPositions);
        }
        int newCapacity = (int) Math.min(maxPositions, Math.max(length, Math.max(64L, 2L * capacity)));
        int half = headDim / 2;
        float[] c = new float[newCapacity * headDim];
        float[] s = new float[newCapacity * headDim];
        for (int p = 0; p < newCapacity; p++) {
            for (int i = 0; i < half; i++) {
                float angle = (float) p * invFreq[i];
                float cv = (float) Math.cos(angle), sv = (float) Math.sin(angle);
                int row = p * headDim;
                c[row + i] = cv;
                c[row + i + half] = cv;
                s[row + i] = -sv;
                s[row + i + half] = sv;
            }
        }
        Tensor newCos = Scopes.keep(TorchTensors.floats(c, newCapacity, headDim));
        Tensor newSin = Scopes.keep(TorchTensors.floats(s, newCapacity, headDim));
        close();
        cos = newCos;
        sinSigned = newSin;
        capacity = newCapacity;
    }

    @Override
    public void close() {
        if (cos != null) cos.close();
        if (sinSigned != null) sinSigned.close();
        cos = null;
        sinSigned = null;
        capacity = 0;
    }
}
