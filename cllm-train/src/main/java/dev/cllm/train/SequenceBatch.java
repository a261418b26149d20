package dev.cllm.train;

import dev.cllm.torch.TorchTensors;
import org.bytedeco.pytorch.Tensor;

/**
 * Right-padded token rows with per-position masks, turned into LibTorch tensors on demand. Rows may have
 * different lengths; padding uses token 0 and is excluded by {@link #keep()}.
 */
final class SequenceBatch {
    final int rows;
    final int width;
    final int[][] tokens;
    final int[] lengths;
    private final boolean[][] masks;

    SequenceBatch(int[][] rowTokens, int maskCount) {
        this.rows = rowTokens.length;
        int w = 1;
        for (int[] r : rowTokens) w = Math.max(w, r.length);
        this.width = w;
        this.tokens = new int[rows][w];
        this.lengths = new int[rows];
        for (int b = 0; b < rows; b++) {
            System.arraycopy(rowTokens[b], 0, tokens[b], 0, rowTokens[b].length);
            lengths[b] = rowTokens[b].length;
        }
        this.masks = new boolean[maskCount][rows * w];
    }

    void mark(int mask, int row, int position) {
        masks[mask][row * width + position] = true;
    }

    Tensor tokensTensor() {
        return TorchTensors.tokens(tokens);
    }

    Tensor keep() {
        return TorchTensors.lengthMask(lengths, width);
    }

    Tensor mask(int mask) {
        return TorchTensors.bools(masks[mask], rows, width);
    }

    boolean any(int mask) {
        for (boolean b : masks[mask]) if (b) return true;
        return false;
    }
}
