package dev.cllm.torch;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * The training losses over logits [B, T, vocab]. Every mask is [B, T], bool (or numbers where non-zero =
 * counted), null meaning "every position"; masked-out positions contribute neither value nor gradient,
 * whatever their logits. Reductions average over the counted positions (0 when none is counted), as the
 * reference CLLM code does. Results are scalar tensors that belong to the caller's PointerScope.
 */
public final class Losses {
    /** Label value that marks a position to ignore, as in PyTorch / Hugging Face. */
    public static final long IGNORE_INDEX = -100;

    // at::Reduction
    private static final long REDUCTION_NONE = 0;

    private Losses() {}

    /**
     * Cross-entropy of logits[b, t] against labels[b, t] (int64 class ids), averaged over the positions
     * where mask is true and the label is not {@link #IGNORE_INDEX}.
     */
    public static Tensor crossEntropy(Tensor logits, Tensor labels, Tensor mask) {
        checkLogits(logits, "logits");
        checkPositions(labels, logits, "labels");
        if (mask != null) checkPositions(mask, logits, "mask");
        return Scopes.compute(() -> {
            long v = logits.size(2);
            Tensor ids = labels.to(torch.ScalarType.Long);
            if (mask != null) ids = ids.masked_fill(toBool(mask).logical_not(), new Scalar(IGNORE_INDEX));
            Tensor flat = ids.reshape(-1);
            Tensor perPosition = torch.cross_entropy_loss(
                    logits.reshape(-1, v), flat, new TensorOptional(), REDUCTION_NONE, IGNORE_INDEX, 0.0);
            return maskedMean(perPosition, flat.ne(new Scalar(IGNORE_INDEX)));
        });
    }

    /**
     * Next-token (AR) cross-entropy: logits[b, t] predicts tokens[b, t + 1], for t in [0, T-1), counted
     * where the target position t + 1 is in mask (and not {@link #IGNORE_INDEX}). The usual causal-LM loss
     * of Hugging Face (labels = inputs, shifted inside).
     */
    public static Tensor nextTokenCrossEntropy(Tensor logits, Tensor tokens, Tensor mask) {
        checkLogits(logits, "logits");
        checkPositions(tokens, logits, "tokens");
        if (mask != null) checkPositions(mask, logits, "mask");
        long t = logits.size(1);
        if (t < 2) throw new IllegalArgumentException("next-token loss needs at least 2 positions, got " + t);
        return Scopes.compute(() -> crossEntropy(
                logits.narrow(1, 0, t - 1),
                tokens.narrow(1, 1, t - 1),
                mask == null ? null : mask.narrow(1, 1, t - 1)));
    }

    /**
     * Soft cross-entropy {@code -sum_v p(v) log q(v)}, p = softmax(targetLogits) detached, q =
     * softmax(logits), averaged over the counted positions: the reference CLLM consistency loss. Its
     * gradient equals that of {@link #forwardKl}; its value is larger by the target entropy.
     */
    public static Tensor softCrossEntropy(Tensor logits, Tensor targetLogits, Tensor mask) {
        checkPair(logits, targetLogits, mask);
        return Scopes.compute(() -> {
            Tensor p = torch.softmax(targetLogits.detach(), -1);
            Tensor perPosition = p.mul(torch.log_softmax(logits, -1)).sum(-1).neg();
            return maskedMean(perPosition, mask == null ? null : toBool(mask));
        });
    }

    /**
     * Forward KL divergence {@code KL(p || q) = sum_v p(v) (log p(v) - log q(v))}, p =
     * softmax(targetLogits) detached, q = softmax(logits), averaged over the counted positions. Zero, with
     * zero gradient, when both give the same distribution.
     */
    public static Tensor forwardKl(Tensor logits, Tensor targetLogits, Tensor mask) {
        checkPair(logits, targetLogits, mask);
        return Scopes.compute(() -> {
            Tensor logP = torch.log_softmax(targetLogits.detach(), -1);
            Tensor logQ = torch.log_softmax(logits, -1);
            Tensor perPosition = torch.kl_div(logQ, logP, REDUCTION_NONE, true).sum(-1);
            return maskedMean(perPosition, mask == null ? null : toBool(mask));
        });
    }

    /**
     * The mean of values [B, T] over the positions where mask is true (all when null); 0 when none is.
     * Masked-out values are replaced, not multiplied, so NaN or inf there do not leak in.
     */
    public static Tensor maskedMean(Tensor values, Tensor mask) {
        return Scopes.compute(() -> {
            if (mask == null) return values.mean();
            Tensor keep = toBool(mask);
            Tensor sum = values.masked_fill(keep.logical_not(), new Scalar(0.0)).sum();
            Tensor count = torch.clamp_min(keep.sum().to(values.scalar_type()), new Scalar(1.0));
            return sum.div(count);
        });
    }

    private static Tensor toBool(Tensor mask) {
        return mask.scalar_type() == torch.ScalarType.Bool ? mask : mask.ne(new Scalar(0));
    }

    private static void checkPair(Tensor logits, Tensor targetLogits, Tensor mask) {
        checkLogits(logits, "logits");
        checkLogits(targetLogits, "targetLogits");
        if (!java.util.Arrays.equals(TorchTensors.shape(logits), TorchTensors.shape(targetLogits))) {
            throw new IllegalArgumentException(
                    "logits " + java.util.Arrays.toString(TorchTensors.shape(logits)) + " and targetLogits "
                            + java.util.Arrays.toString(TorchTensors.shape(targetLogits)) + " differ in shape");
        }
        if (mask != null) checkPositions(mask, logits, "mask");
    }

    private static void checkLogits(Tensor logits, String name) {
        TorchRuntime.flushDenormals();
        if (logits.dim() != 3) {
            throw new IllegalArgumentException(name + " must be [batch, length, vocab], got "
                    + java.util.Arrays.toString(TorchTensors.shape(logits)));
        }
    }

    private static void checkPositions(Tensor t, Tensor logits, String name) {
        if (t.dim() != 2 || t.size(0) != logits.size(0) || t.size(1) != logits.size(1)) {
            throw new IllegalArgumentException(name + " must be [" + logits.size(0) + ", " + logits.size(1) + "], got "
                    + java.util.Arrays.toString(TorchTensors.shape(t)));
        }
    }
}
