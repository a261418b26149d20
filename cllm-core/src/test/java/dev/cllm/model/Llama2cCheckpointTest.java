package dev.cllm.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cllm.CllmException;
import dev.cllm.Device;
import dev.cllm.engine.NativeModel;
import dev.cllm.engine.NativeSession;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Llama2cCheckpointTest {
    /** llama2.c shapes: head dim = dim / heads; grouped-query attention; theta 10000, eps 1e-5, BOS 1, EOS 2. */
    static LlamaConfig config(boolean shared) {
        return new LlamaConfig(24, 40, 2, 4, 2, 6, 37, 16, 10000f, 1e-5f, shared, 1, 2);
    }

    @TempDir
    Path dir;

    /** The weights of a llama2.c file as llama2.c lays them out (WQ and WK interleaved). */
    static final class Llama2c {
        final LlamaConfig c;
        float[] emb, rmsFinal, wcls;
        float[][] rmsAtt, wq, wk, wv, wo, rmsFfn, w1, w2, w3;

        /** From Hugging Face weights: rotate_half rows back to interleaved (HF's convert permute). */
        Llama2c(ModelWeights hf) {
            c = hf.config();
            int L = c.nLayers();
            emb = hf.require(TensorNames.EMBED).toFloatArray();
            rmsFinal = hf.require(TensorNames.FINAL_NORM).toFloatArray();
            wcls = c.tiedEmbeddings() ? null : hf.require(TensorNames.LM_HEAD).toFloatArray();
            rmsAtt = new float[L][];
            wq = new float[L][];
            wk = new float[L][];
            wv = new float[L][];
            wo = new float[L][];
            rmsFfn = new float[L][];
            w1 = new float[L][];
            w2 = new float[L][];
            w3 = new float[L][];
            for (int l = 0; l < L; l++) {
                rmsAtt[l] = hf.require(TensorNames.attnNorm(l)).toFloatArray();
                wq[l] = interleave(hf.require(TensorNames.wq(l)).toFloatArray(), c.nHeads(), c.headDim(), c.dim());
                wk[l] = interleave(hf.require(TensorNames.wk(l)).toFloatArray(), c.nKvHeads(), c.headDim(), c.dim());
                wv[l] = hf.require(TensorNames.wv(l)).toFloatArray();
                wo[l] = hf.require(TensorNames.wo(l)).toFloatArray();
                rmsFfn[l] = hf.require(TensorNames.ffnNorm(l)).toFloatArray();
                w1[l] = hf.require(TensorNames.gate(l)).toFloatArray();
                w2[l] = hf.require(TensorNames.down(l)).toFloatArray();
                w3[l] = hf.require(TensorNames.up(l)).toFloatArray();
            }
        }

        /** The HF view (heads, 2, hd/2, in) read as (heads, hd/2, 2, in): row h*hd + 2i + t <- h*hd + t*hd/2 + i. */
        static float[] interleave(float[] hfRows, int heads, int hd, int in) {
            float[] out = new float[hfRows.length];
            for (int h = 0; h < heads; h++) {
                for (int i = 0; i < hd / 2; i++) {
                    for (int t = 0; t < 2; t++) {
                        System.arraycopy(hfRows, (h * hd + t * hd / 2 + i) * in, out, (h * hd + 2 * i + t) * in, in);
                    }
                }
            }
            return out;
        }

        Path write(Path file) throws IOException {
            int L = c.nLayers(), hs = c.headDim();
            ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(expectedBytes())).order(ByteOrder.LITTLE_ENDIAN);
            b.putInt(c.dim())
                    .putInt(c.hiddenDim())
                    .putInt(L)
                    .putInt(c.nHeads())
                    .putInt(c.nKvHeads())
                    .putInt(c.tiedEmbeddings() ? c.vocabSize() : -c.vocabSize())
                    .putInt(c.maxSeqLen());
            put(b, emb);
            for (float[][] group : new float[][][] {rmsAtt, wq, wk, wv, wo, rmsFfn, w1, w2, w3}) {
                for (float[] layer : group) put(b, layer);
            }
            put(b, rmsFinal);
            for (int part = 0; part < 2; part++) { // freq_cis_real, freq_cis_imag (unused by the loader)
                for (int pos = 0; pos < c.maxSeqLen(); pos++) {
                    for (int i = 0; i < hs / 2; i++) {
                        double angle = pos * Math.pow(10000, -2.0 * i / hs);
                        b.putFloat((float) (part == 0 ? Math.cos(angle) : Math.sin(angle)));
                    }
                }
            }
            if (wcls != null) put(b, wcls);
            assertEquals(0, b.remaining(), "the writer accounts for every byte");
            Files.write(file, b.array());
            return file;
        }

        long expectedBytes() {
            long d = c.dim(), L = c.nLayers(), kv = c.kvDim(), h = c.hiddenDim(), v = c.vocabSize();
            return 28
                    + 4
                            * (v * d
                                    + 2 * L * d
                                    + 2 * L * d * d
                                    + 2 * L * d * kv
                                    + 3 * L * d * h
                                    + d
                                    + (long) c.maxSeqLen() * c.headDim()
                                    + (wcls == null ? 0 : v * d));
        }

        private static void put(ByteBuffer b, float[] values) {
            for (float v : values) b.putFloat(v);
        }

        /** llama2.c's run.c forward, in double precision: logits of every position. */
        float[][] forward(int[] tokens) {
            int dim = c.dim(),
                    hs = c.headDim(),
                    kvDim = c.kvDim(),
                    hidden = c.hiddenDim(),
                    kvMul = c.nHeads() / c.nKvHeads();
            int n = tokens.length, L = c.nLayers();
            double[][][] kCache = new double[L][n][], vCache = new double[L][n][];
            float[][] logits = new float[n][];
            for (int pos = 0; pos < n; pos++) {
                double[] x = new double[dim];
                for (int i = 0; i < dim; i++) x[i] = emb[tokens[pos] * dim + i];
                for (int l = 0; l < L; l++) {
                    double[] xb = rmsnorm(x, rmsAtt[l]);
                    double[] q = matvec(wq[l], xb, dim), k = matvec(wk[l], xb, kvDim), v = matvec(wv[l], xb, kvDim);
                    for (int i = 0; i < dim; i += 2) {
                        int headDim = i % hs;
                        double freq = 1.0 / Math.pow(10000.0, headDim / (double) hs);
                        double val = pos * freq, fcr = Math.cos(val), fci = Math.sin(val);
                        for (int which = 0; which < (i < kvDim ? 2 : 1); which++) {
                            double[] vec = which == 0 ? q : k;
                            double v0 = vec[i], v1 = vec[i + 1];
                            vec[i] = v0 * fcr - v1 * fci;
                            vec[i + 1] = v0 * fci + v1 * fcr;
                        }
                    }
                    kCache[l][pos] = k;
                    vCache[l][pos] = v;
                    double[] att = new double[dim];
                    for (int h = 0; h < c.nHeads(); h++) {
                        int kvh = h / kvMul;
                        double[] scores = new double[pos + 1];
                        double max = Double.NEGATIVE_INFINITY;
                        for (int t = 0; t <= pos; t++) {
                            double s = 0;
                            for (int i = 0; i < hs; i++) s += q[h * hs + i] * kCache[l][t][kvh * hs + i];
                            scores[t] = s / Math.sqrt(hs);
                            max = Math.max(max, scores[t]);
                        }
                        double sum = 0;
                        for (int t = 0; t <= pos; t++) sum += scores[t] = Math.exp(scores[t] - max);
                        for (int t = 0; t <= pos; t++) {
                            for (int i = 0; i < hs; i++)
                                att[h * hs + i] += scores[t] / sum * vCache[l][t][kvh * hs + i];
                        }
                    }
                    double[] o = matvec(wo[l], att, dim);
                    for (int i = 0; i < dim; i++) x[i] += o[i];
                    xb = rmsnorm(x, rmsFfn[l]);
                    double[] g = matvec(w1[l], xb, hidden), u = matvec(w3[l], xb, hidden);
                    for (int i = 0; i < hidden; i++) g[i] = g[i] / (1 + Math.exp(-g[i])) * u[i];
                    double[] down = matvec(w2[l], g, dim);
                    for (int i = 0; i < dim; i++) x[i] += down[i];
                }
                double[] xf = rmsnorm(x, rmsFinal);
                double[] out = matvec(wcls == null ? emb : wcls, xf, c.vocabSize());
                logits[pos] = new float[out.length];
                for (int i = 0; i < out.length; i++) logits[pos][i] = (float) out[i];
            }
            return logits;
        }

        private static double[] rmsnorm(double[] x, float[] w) {
            double ss = 0;
            for (double v : x) ss += v * v;
            double scale = 1 / Math.sqrt(ss / x.length + 1e-5);
            double[] o = new double[x.length];
            for (int i = 0; i < x.length; i++) o[i] = w[i] * x[i] * scale;
            return o;
        }

        private static double[] matvec(float[] w, double[] x, int rows) {
            double[] o = new double[rows];
            for (int r = 0; r < rows; r++) {
                double s = 0;
                for (int i = 0; i < x.length; i++) s += w[r * x.length + i] * x[i];
                o[r] = s;
            }
            return o;
        }
    }

    @Test
    void loadsAndPermutesIntoTheHuggingFaceLayout() throws IOException {
        for (boolean shared : new boolean[] {true, false}) {
            ModelWeights hf = RandomWeights.create(config(shared), shared ? 31 : 32);
            Path bin = new Llama2c(hf).write(dir.resolve("model-" + shared + ".bin"));
            ModelWeights loaded = Checkpoints.load(bin);
            assertEquals(hf.config(), loaded.config());
            assertEquals(hf.tensors().keySet(), loaded.tensors().keySet());
            for (Tensor t : hf.tensors().values()) {
                assertEquals(
                        t.data().duplicate().rewind(),
                        loaded.require(t.name()).data().duplicate().rewind(),
                        "bytes of " + t.name() + " (shared " + shared + ")");
            }
            assertTrue(loaded.require(TensorNames.wv(0)).data().isDirect());
            assertEquals(Checkpoints.Format.LLAMA2C, Checkpoints.detect(bin));
        }
    }

    /** The permutation in isolation, on a matrix whose entries name their row. */
    @Test
    void permutationMovesRows2iAnd2iPlus1ToIAndIPlusHalf() {
        int hd = 6, heads = 2, in = 3;
        float[] rows = new float[heads * hd * in];
        for (int r = 0; r < heads * hd; r++) Arrays.fill(rows, r * in, (r + 1) * in, r);
        Tensor permuted = RotaryLayout.toRotateHalf(Tensor.ofFloats("w", new long[] {heads * hd, in}, rows), hd);
        float[] out = permuted.toFloatArray();
        float[] expectedRowSources = {0, 2, 4, 1, 3, 5, 6, 8, 10, 7, 9, 11};
        for (int r = 0; r < heads * hd; r++) assertEquals(expectedRowSources[r], out[r * in], "row " + r);
    }

    @Test
    void nativeLogitsMatchLlama2cSemanticsAndTheHfLayout() throws IOException {
        for (boolean shared : new boolean[] {true, false}) {
            ModelWeights hf = sharpAttention(RandomWeights.create(config(shared), shared ? 33 : 34));
            Llama2c l2c = new Llama2c(hf);
            Path bin = l2c.write(dir.resolve("m.bin"));
            int[] tokens = {1, 7, 36, 2, 19, 19, 0};
            float[] fromBin, fromHf;
            try (NativeModel m = NativeModel.load(Checkpoints.load(bin), Device.cpu());
                    NativeSession s = m.newSession(16)) {
                fromBin = s.forward(tokens, true);
            }
            try (NativeModel m = NativeModel.load(hf, Device.cpu());
                    NativeSession s = m.newSession(16)) {
                fromHf = s.forward(tokens, true);
            }
            assertArrayEquals(fromHf, fromBin, "same weights in HF layout give the same logits");
            float[][] reference = l2c.forward(tokens);
            int vocab = hf.config().vocabSize();
            for (int p = 0; p < tokens.length; p++) {
                for (int v = 0; v < vocab; v++) {
                    float e = reference[p][v], a = fromBin[p * vocab + v];
                    assertEquals(e, a, 1e-4f * Math.max(1f, Math.abs(e)), "position " + p + " token " + v);
                }
            }
            // Without the permutation the logits would differ from llama2.c's (the test can fail).
            ModelWeights unpermuted = new ModelWeights(hf.config(), withInterleavedQk(hf, l2c), "unpermuted");
            try (NativeModel m = NativeModel.load(unpermuted, Device.cpu());
                    NativeSession s = m.newSession(16)) {
                float[] wrong = s.forward(tokens, true);
                float maxDiff = 0, maxError = 0;
                for (int p = 1; p < tokens.length; p++) {
                    for (int v = 0; v < vocab; v++) {
                        maxDiff = Math.max(maxDiff, Math.abs(wrong[p * vocab + v] - reference[p][v]));
                        maxError = Math.max(maxError, Math.abs(fromBin[p * vocab + v] - reference[p][v]));
                    }
                }
                assertTrue(
                        maxDiff > 0.05f && maxDiff > 100 * maxError,
                        "without the permutation the logits after " + "position 0 are off by " + maxDiff + " (with it: "
                                + maxError + ")");
            }
        }
    }

    /** Attention scaled up (WQ, WK sharpen it; WV, WO weigh it) so that logits depend strongly on the rotary layout. */
    private static ModelWeights sharpAttention(ModelWeights w) {
        java.util.Map<String, Tensor> t = new java.util.LinkedHashMap<>(w.tensors());
        for (int l = 0; l < w.config().nLayers(); l++) {
            for (String name :
                    new String[] {TensorNames.wq(l), TensorNames.wk(l), TensorNames.wv(l), TensorNames.wo(l)}) {
                float[] v = w.require(name).toFloatArray();
                float scale = name.contains("q_proj") || name.contains("k_proj") ? 25 : 10;
                for (int i = 0; i < v.length; i++) v[i] *= scale;
                t.put(name, Tensor.ofFloats(name, w.require(name).shape(), v));
            }
        }
        return new ModelWeights(w.config(), t, w.source());
    }

    private static java.util.Map<String, Tensor> withInterleavedQk(ModelWeights hf, Llama2c l2c) {
        java.util.Map<String, Tensor> t = new java.util.LinkedHashMap<>(hf.tensors());
        for (int l = 0; l < hf.config().nLayers(); l++) {
            t.put(
                    TensorNames.wq(l),
                    Tensor.ofFloats(
                            TensorNames.wq(l), hf.require(TensorNames.wq(l)).shape(), l2c.wq[l]));
            t.put(
                    TensorNames.wk(l),
                    Tensor.ofFloats(
                            TensorNames.wk(l), hf.require(TensorNames.wk(l)).shape(), l2c.wk[l]));
        }
        return t;
    }

    @Test
    void truncatedOrPaddedFilesNameExpectedAndActualSizes() throws IOException {
        Llama2c l2c = new Llama2c(RandomWeights.create(config(true), 35));
        Path bin = l2c.write(dir.resolve("t.bin"));
        long expected = l2c.expectedBytes();
        byte[] bytes = Files.readAllBytes(bin);
        Files.write(bin, Arrays.copyOf(bytes, bytes.length - 4));
        CllmException e = assertThrows(CllmException.class, () -> Checkpoints.load(bin));
        assertEquals(CllmException.Status.BAD_FORMAT, e.status());
        assertTrue(
                e.getMessage().contains("should be " + expected + " bytes")
                        && e.getMessage().contains("has " + (expected - 4))
                        && e.getMessage().contains("truncated")
                        && e.getMessage().contains(bin.toString()),
                e.getMessage());
        Files.write(bin, Arrays.copyOf(bytes, bytes.length + 4));
        e = assertThrows(CllmException.class, () -> Checkpoints.load(bin));
        assertTrue(e.getMessage().contains("trailing data"), e.getMessage());
        Files.write(bin, Arrays.copyOf(bytes, 20));
        e = assertThrows(CllmException.class, () -> Checkpoints.load(bin));
        assertTrue(e.getMessage().contains("shorter than its 28-byte header"), e.getMessage());
    }

    @Test
    void badHeadersAreRejected() throws IOException {
        int[][] headers = {
            {0, 40, 2, 4, 2, 37, 16},
            {24, 40, 2, 5, 1, 37, 16},
            {24, 40, 2, 4, 3, 37, 16},
            {24, 40, 2, 4, 8, 37, 16},
            {24, 40, 0, 4, 2, 37, 16},
            {24, 40, 2, 4, 2, 0, 16},
            {24, 40, 2, 4, 2, Integer.MIN_VALUE, 16},
            {24, 40, 2, 4, 2, 37, -16},
            {24, -1, 2, 4, 2, 37, 16},
            {Integer.MAX_VALUE, 1 << 30, 1 << 20, 1, 1, 1 << 30, 1},
            {24, 40, 2, 8, 2, 37, 16}, // head size 3 is odd
        };
        String[] fragments = {
            "checkpoint: dim must be between 1 and 65536, got 0",
            "n_heads (5) must divide dim (24)",
            "n_heads (4) must be a multiple of n_kv_heads (3)",
            "n_heads (4) must be a multiple of n_kv_heads (8)",
            "n_layers must be between 1 and 4096, got 0",
            "vocab_size must be between 1 and 16777216, got 0",
            "vocab_size must be between 1 and 16777216, got -2147483648",
            "seq_len must be between 1 and 16777216, got -16",
            "hidden_dim must be between 1 and 1048576, got -1",
            "checkpoint: dim must be between 1 and 65536, got 2147483647",
            "dim / n_heads must be even, got 3"
        };
        for (int i = 0; i < headers.length; i++) {
            ByteBuffer b = ByteBuffer.allocate(28 + 4096).order(ByteOrder.LITTLE_ENDIAN);
            for (int v : headers[i]) b.putInt(v);
            Path bin = Files.write(dir.resolve("h" + i + ".bin"), b.array());
            CllmException e = assertThrows(CllmException.class, () -> Checkpoints.load(bin), fragments[i]);
            assertEquals(CllmException.Status.BAD_FORMAT, e.status());
            assertTrue(e.getMessage().contains(fragments[i]), fragments[i] + " in: " + e.getMessage());
        }
        ByteBuffer magic = ByteBuffer.allocate(256)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putInt(0x616b3432)
                .putInt(2);
        Path v2 = Files.write(dir.resolve("v2.bin"), magic.array());
        CllmException e = assertThrows(CllmException.class, () -> Checkpoints.load(v2));
        assertEquals(CllmException.Status.UNSUPPORTED, e.status());
        assertTrue(e.getMessage().contains("--version 0"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("tokenizer.json")));
    }
}
