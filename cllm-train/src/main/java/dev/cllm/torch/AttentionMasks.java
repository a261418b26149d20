package dev.cllm.torch;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/** Boolean attention masks for {@code scaled_dot_product_attention} (true = may attend). */
final class AttentionMasks {
    private AttentionMasks() {}

    /**
     * Causal attention restricted to real keys: query i attends to key j iff {@code j <= i} and key j is
     * real, or {@code j == i} (so that a padded query row is never empty, which would give NaN; its
     * output is garbage that no real position reads). keep: [B, T] bool, true at real tokens.
     * Returns [B, 1, T, T] bool.
     */
    static Tensor causalWithPadding(Tensor keep) {
        long b = keep.size(0), t = keep.size(1);
        TensorOptions bool = new TensorOptions(torch.ScalarType.Bool);
        Tensor causal = torch.ones(new long[] {t, t}, bool).tril();
        Tensor diagonal = torch.eye(t, bool);
        Tensor keys = keep.view(b, 1, 1, t);
        return causal.logical_and(keys.logical_or(diagonal));
    }
}
