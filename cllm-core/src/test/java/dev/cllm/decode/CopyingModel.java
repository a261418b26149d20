package dev.cllm.decode;

import dev.cllm.model.LlamaConfig;
import dev.cllm.model.ModelWeights;
import dev.cllm.model.Tensor;
import dev.cllm.model.TensorNames;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A hand-built one-layer model whose greedy continuation is known: it copies the token that came
 * {@code period} positions earlier, so a prompt holding one period continues as that cycle forever.
 *
 * <p>How: embeddings are one-hot over the vocabulary plus a constant dimension. The constant dimension
 * gives every position the same query and key; their rotary phases differ by (period-1) steps, so the
 * score of a query at m over a key at n peaks exactly at m - n = period - 1 (every frequency's cosine
 * is 1 there). The value is the key's one-hot token, added to the residual with a gain that beats the
 * current token, and the untied head reads the one-hot dimensions back. Since row r of a Jacobi window
 * only needs the token period-1 rows back, predictions stay right even after wrong guesses: the case
 * Jacobi decoding exploits.
 */
final class CopyingModel {
    private CopyingModel() {}

    static ModelWeights create(int vocab, int period, int maxSeqLen) {
        int headDim = 16;
        int half = headDim / 2;
        int dim = vocab + 1;
        int constant = vocab; // index of the constant dimension
        if (vocab > headDim) throw new IllegalArgumentException("vocab must be <= " + headDim);
        LlamaConfig config = new LlamaConfig(dim, 4, 1, 1, 1, headDim, vocab, maxSeqLen, 10000f, 1e-5f, false, -1, -1);
        Map<String, Tensor> t = new LinkedHashMap<>();
        float[] embed = new float[vocab * dim];
        for (int v = 0; v < vocab; v++) {
            embed[v * dim + v] = 1f;
            embed[v * dim + constant] = 1f;
        }
        t.put(TensorNames.EMBED, Tensor.ofFloats(TensorNames.EMBED, new long[] {vocab, dim}, embed));
        t.put(TensorNames.attnNorm(0), Tensor.ofFloats(TensorNames.attnNorm(0), new long[] {dim}, ones(dim)));
        t.put(TensorNames.ffnNorm(0), Tensor.ofFloats(TensorNames.ffnNorm(0), new long[] {dim}, ones(dim)));
        t.put(TensorNames.FINAL_NORM, Tensor.ofFloats(TensorNames.FINAL_NORM, new long[] {dim}, ones(dim)));
        float amplitude = 4f;
        float[] wq = new float[headDim * dim];
        float[] wk = new float[headDim * dim];
        for (int i = 0; i < half; i++) {
            double omega = Math.pow(10000.0, -2.0 * i / headDim);
            double phase = -(period - 1) * omega; // rotary turns the query by m*omega, the key by n*omega
            wq[i * dim + constant] = (float) (amplitude * Math.cos(phase));
            wq[(i + half) * dim + constant] = (float) (amplitude * Math.sin(phase));
            wk[i * dim + constant] = amplitude;
        }
        t.put(TensorNames.wq(0), Tensor.ofFloats(TensorNames.wq(0), new long[] {headDim, dim}, wq));
        t.put(TensorNames.wk(0), Tensor.ofFloats(TensorNames.wk(0), new long[] {headDim, dim}, wk));
        float[] wv = new float[headDim * dim];
        for (int v = 0; v < vocab; v++) wv[v * dim + v] = 1f;
        t.put(TensorNames.wv(0), Tensor.ofFloats(TensorNames.wv(0), new long[] {headDim, dim}, wv));
        float[] wo = new float[dim * headDim];
        for (int v = 0; v < vocab; v++) wo[v * headDim + v] = 2f;
        t.put(TensorNames.wo(0), Tensor.ofFloats(TensorNames.wo(0), new long[] {dim, headDim}, wo));
        int hidden = config.hiddenDim();
        t.put(
                TensorNames.gate(0),
                Tensor.ofFloats(TensorNames.gate(0), new long[] {hidden, dim}, new float[hidden * dim]));
        t.put(TensorNames.up(0), Tensor.ofFloats(TensorNames.up(0), new long[] {hidden, dim}, new float[hidden * dim]));
        t.put(
                TensorNames.down(0),
                Tensor.ofFloats(TensorNames.down(0), new long[] {dim, hidden}, new float[dim * hidden]));
        float[] head = new float[vocab * dim];
        for (int v = 0; v < vocab; v++) head[v * dim + v] = 1f;
        t.put(TensorNames.LM_HEAD, Tensor.ofFloats(TensorNames.LM_HEAD, new long[] {vocab, dim}, head));
        return new ModelWeights(config, t, "copying-model(period=" + period + ")");
    }

    private static float[] ones(int n) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, 1f);
        return a;
    }
}
