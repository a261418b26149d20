package dev.cllm.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufCheckpointTest {
    /** Grouped-query attention, head dim 16, rows that are whole Q8_0 blocks. */
    static LlamaConfig config(boolean tied) {
        return new LlamaConfig(64, 96, 2, 4, 2, 16, 50, 32, 10000f, 1e-5f, tied, 1, 2);
    }

    private static final int[] TOKENS = {1, 7, 49, 2, 19, 19, 0, 33};

    @TempDir
    Path dir;

    static float[] logits(ModelWeights w) {
        try (NativeModel m = NativeModel.load(w, Device.cpu());
                NativeSession s = m.newSession(16)) {
            return s.forward(TOKENS, true);
        }
    }

    /** Attention scaled up so that logits depend strongly on the rotary layout (as in Llama2cCheckpointTest). */
    static ModelWeights sharp(ModelWeights w) {
        Map<String, Tensor> t = new LinkedHashMap<>(w.tensors());
        for (int l = 0; l < w.config().nLayers(); l++) {
            for (String name : new String[] {TensorNames.wq(l), TensorNames.wk(l)}) {
                float[] v = w.require(name).toFloatArray();
                for (int i = 0; i < v.length; i++) v[i] *= 25;
                t.put(name, Tensor.ofFloats(name, w.require(name).shape(), v));
            }
        }
        return new ModelWeights(w.config(), t, w.source());
    }

    @Test
    void f32RoundTripKeepsEveryByteAndTheLogits() {
        for (boolean tied : new boolean[] {true, false}) {
            ModelWeights w = sharp(RandomWeights.create(config(tied), tied ? 1 : 2));
            Path file = dir.resolve("m-" + tied + ".gguf");
            GgufWriter.write(w, file, null, Map.of());
            assertEquals(Checkpoints.Format.GGUF, Checkpoints.detect(file));
            ModelWeights back = Checkpoints.load(file);
            assertEquals(w.config(), back.config());
            assertEquals(w.tensors().keySet(), back.tensors().keySet());
            for (Tensor t : w.tensors().values()) {
                Tensor r = back.require(t.name());
                assertEquals(DType.F32, r.dtype(), t.name());
                assertEquals(t.data().duplicate().rewind(), r.data().duplicate().rewind(), "bytes of " + t.name());
            }
            assertArrayEquals(logits(w), logits(back), "same weights, same logits (tied " + tied + ")");
        }
    }

    @Test
    void convertedTypesReadBackExactlyAsWritten() {
        ModelWeights w = sharp(RandomWeights.create(config(false), 3));
        float[] reference = logits(w);
        for (GgmlType type : new GgmlType[] {GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0}) {
            Path file = dir.resolve("m-" + type + ".gguf");
            GgufWriter.write(w, file, type, Map.of());
            ModelWeights back = GgufCheckpoint.load(file);
            Map<String, Tensor> expected = new LinkedHashMap<>();
            for (Tensor t : w.tensors().values()) {
                Tensor r = back.require(t.name());
                boolean matrix = t.shape().length == 2;
                DType dtype = matrix ? DType.valueOf(type.name()) : DType.F32;
                assertEquals(dtype, r.dtype(), t.name() + " as " + type);
                ByteBuffer bytes = GgufWriter.encode(t, matrix ? type : GgmlType.F32);
                assertEquals(bytes.duplicate().rewind(), r.data().duplicate().rewind(), "bytes of " + t.name());
                expected.put(t.name(), new Tensor(t.name(), dtype, t.shape(), bytes));
            }
            float[] fromFile = logits(back);
            assertArrayEquals(logits(new ModelWeights(w.config(), expected, "expected")), fromFile, type.toString());
            double maxError = 0, scale = 0;
            for (int i = 0; i < reference.length; i++) {
                maxError = Math.max(maxError, Math.abs(fromFile[i] - reference[i]));
                scale = Math.max(scale, Math.abs(reference[i]));
            }
            assertTrue(
                    maxError < 0.05 * scale,
                    type + ": logits within 5% of the F32 model's (" + maxError + " of " + scale + ")");
        }
    }

    /**
     * llama.cpp rotates the pair (q[2i], q[2i+1]) of each head by angle pos * theta^(-2i/d) (its "normal" rope
     * for Llama); Hugging Face rotates (q[i], q[i + d/2]) by the same angle. So in the file's Q and K, row
     * 2i of a head must be our row i and row 2i + 1 our row i + d/2, and rotating the file's projections
     * llama.cpp's way must give our rotated values, moved accordingly.
     */
    @Test
    void writtenQueryAndKeyRowsAreInLlamaCppsInterleavedLayout() {
        LlamaConfig c = config(true);
        ModelWeights w = RandomWeights.create(c, 4);
        Path file = dir.resolve("layout.gguf");
        GgufWriter.write(w, file, GgmlType.F32, Map.of());
        GgufFile gguf = GgufFile.open(file);
        int hd = c.headDim(), dim = c.dim();
        for (String[] names :
                new String[][] {{"blk.1.attn_q.weight", TensorNames.wq(1)}, {"blk.1.attn_k.weight", TensorNames.wk(1)}
                }) {
            float[] hf = w.require(names[1]).toFloatArray();
            ByteBuffer raw = gguf.data(names[0]);
            int rows = hf.length / dim;
            float[] file1 = new float[hf.length];
            raw.asFloatBuffer().get(file1);
            // One pair by hand: head 1, i = 3: file row 16 + 7 is our row 16 + 3 + 8.
            for (int k = 0; k < dim; k++) assertEquals(hf[(16 + 11) * dim + k], file1[(16 + 7) * dim + k], "row pair");
            Random random = new Random(5);
            float[] x = new float[dim];
            for (int k = 0; k < dim; k++) x[k] = (float) random.nextGaussian();
            double[] qHf = matvec(hf, x, rows), qFile = matvec(file1, x, rows);
            int pos = 5;
            for (int h = 0; h < rows / hd; h++) {
                for (int i = 0; i < hd / 2; i++) {
                    double angle = pos * Math.pow(c.ropeTheta(), -2.0 * i / hd),
                            cos = Math.cos(angle),
                            sin = Math.sin(angle);
                    double a = qHf[h * hd + i], b = qHf[h * hd + i + hd / 2];
                    double p = qFile[h * hd + 2 * i], q = qFile[h * hd + 2 * i + 1];
                    assertEquals(a * cos - b * sin, p * cos - q * sin, 1e-9, names[0] + " head " + h + " pair " + i);
                    assertEquals(a * sin + b * cos, p * sin + q * cos, 1e-9, names[0] + " head " + h + " pair " + i);
                }
            }
        }
    }

    private static double[] matvec(float[] w, float[] x, int rows) {
        double[] out = new double[rows];
        for (int r = 0; r < rows; r++) {
            for (int k = 0; k < x.length; k++) out[r] += (double) w[r * x.length + k] * x[k];
        }
        return out;
    }

    @Test
    void quantisedTypesAreDequantisedToQ8OrBf16AsDocumented() throws IOException {
        LlamaConfig c = new LlamaConfig(256, 512, 2, 4, 2, 64, 50, 32, 10000f, 1e-5f, false, -1, -1);
        GgmlType[] cycle = {
            GgmlType.Q4_0,
            GgmlType.Q4_1,
            GgmlType.Q5_0,
            GgmlType.Q5_1,
            GgmlType.Q2_K,
            GgmlType.Q3_K,
            GgmlType.Q4_K,
            GgmlType.Q5_K,
            GgmlType.Q6_K,
            GgmlType.Q8_0,
            GgmlType.F16,
            GgmlType.BF16
        };
        Map<String, GgmlType> assigned = new LinkedHashMap<>();
        Path file = dir.resolve("quants.gguf");
        Files.write(
                file,
                TinyGguf.build(
                                c,
                                name -> {
                                    GgmlType t = cycle[assigned.size() % cycle.length];
                                    assigned.put(name, t);
                                    return t;
                                },
                                TinyGguf.Vocab.NONE,
                                6)
                        .toByteArray());
        GgufFile gguf = GgufFile.open(file);
        ModelWeights w = GgufCheckpoint.load(gguf);
        assertTrue(assigned.size() > cycle.length, "every type is used");
        for (Map.Entry<String, long[]> e : ModelWeights.expectedShapes(c)) {
            String gguf1 = GgufNames.toGguf(e.getKey());
            GgufTensorInfo info = gguf.tensors().get(gguf1);
            Tensor t = w.require(e.getKey());
            if (e.getValue().length == 1) {
                assertEquals(DType.F32, t.dtype());
                continue;
            }
            GgmlType type = info.type();
            DType expectedType = switch (type) {
                case Q6_K, BF16 -> DType.BF16;
                case F16 -> DType.F16;
                default -> DType.Q8_0;
            };
            assertEquals(expectedType, t.dtype(), gguf1 + " of " + type);
            // The expected tensor: the file's values decoded, converted as documented, Q/K rows to rotate_half.
            int rowLength = (int) info.dims()[0];
            int rows = (int) (info.elements() / rowLength);
            float[] values = new float[rowLength * rows];
            GgmlDequantizer.decode(type, gguf.data(gguf1), 0, rows * rowLength / type.blockElements(), values, 0);
            ByteBuffer bytes = ByteBuffer.allocateDirect((int) expectedType.byteSize(values.length))
                    .order(ByteOrder.LITTLE_ENDIAN);
            if (expectedType == DType.Q8_0 && type == GgmlType.Q8_0) {
                bytes.put(gguf.data(gguf1));
            } else if (expectedType == DType.Q8_0) {
                Q8Blocks.quantize(values, 0, values.length, bytes);
            } else {
                for (float v : values)
                    bytes.putShort(expectedType == DType.F16 ? HalfFloats.floatToF16(v) : HalfFloats.floatToBf16(v));
            }
            Tensor expected = new Tensor(e.getKey(), expectedType, e.getValue(), bytes.flip());
            if (GgufCheckpoint.isQueryOrKey(e.getKey(), c)) expected = RotaryLayout.toRotateHalf(expected, c.headDim());
            assertEquals(
                    expected.data().duplicate().rewind(), t.data().duplicate().rewind(), gguf1 + " of " + type);
        }
        float[] out = logits(w);
        for (float v : out) assertTrue(Float.isFinite(v));
    }

    @Test
    void badMetadataAndShapesNameTheKeyOrTensor() throws IOException {
        LlamaConfig c = config(true);
        byte[] good =
                TinyGguf.build(c, n -> GgmlType.F32, TinyGguf.Vocab.NONE, 7).toByteArray();
        Path file = dir.resolve("bad.gguf");
        Files.write(file, good);
        assertEquals(c.withSpecialTokens(-1, -1), GgufCheckpoint.load(file).config());

        Files.write(file, replace(good, "llama.embedding_length", "llama.embedding_lengtX"));
        assertError(file, CllmException.Status.BAD_FORMAT, "missing metadata llama.embedding_length");
        Files.write(
                file,
                replace(
                        good,
                        "general.architecture\u0008\u0000\u0000\u0000\u0005\u0000\u0000\u0000\u0000\u0000\u0000\u0000llama",
                        "general.architecture\u0008\u0000\u0000\u0000\u0005\u0000\u0000\u0000\u0000\u0000\u0000\u0000qwen2"));
        assertError(file, CllmException.Status.UNSUPPORTED, "architecture 'qwen2' is not supported");
        Files.write(file, replace(good, "blk.1.ffn_up.weight", "blk.1.ffn_up.bias\u0000\u0000"));
        assertError(file, CllmException.Status.BAD_FORMAT, "missing tensor blk.1.ffn_up.weight");
        Files.write(file, replace(good, "blk.1.ffn_up.weight", "blk.7.ffn_up.weight"));
        assertError(file, CllmException.Status.BAD_FORMAT, "belongs to block 7");

        LlamaConfig wide = new LlamaConfig(64, 128, 2, 4, 2, 16, 50, 32, 10000f, 1e-5f, true, -1, -1);
        byte[] other =
                TinyGguf.build(wide, n -> GgmlType.F32, TinyGguf.Vocab.NONE, 8).toByteArray();
        // The metadata says 96 but the tensors are 128 wide.
        Files.write(file, replaceValue(other, "llama.feed_forward_length", 128, 96));
        assertError(file, CllmException.Status.BAD_FORMAT, "tensor blk.0.ffn_gate.weight has shape [128, 64]");
        Files.write(file, replaceValue(good, "llama.attention.head_count", 4, 3));
        assertError(file, CllmException.Status.BAD_FORMAT, "invalid llama metadata: n_heads (3) must be a multiple");
        Files.write(file, replaceValue(good, "llama.rope.dimension_count", 16, 8));
        assertError(file, CllmException.Status.UNSUPPORTED, "partial rotary embedding");
    }

    private static void assertError(Path file, CllmException.Status status, String fragment) {
        CllmException e = assertThrows(CllmException.class, () -> Checkpoints.load(file), fragment);
        assertEquals(status, e.status(), e.getMessage());
        assertTrue(e.getMessage().contains(fragment) && e.getMessage().startsWith(file.toString()), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }

    /** The file with one ASCII string replaced by another of the same length. */
    static byte[] replace(byte[] file, String from, String to) {
        assertEquals(from.length(), to.length());
        String s = new String(file, java.nio.charset.StandardCharsets.ISO_8859_1);
        int at = s.indexOf(from);
        assertTrue(at >= 0, from);
        byte[] out = file.clone();
        byte[] b = to.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        System.arraycopy(b, 0, out, at, b.length);
        return out;
    }

    /** The file with the uint32 value of a metadata key changed. */
    static byte[] replaceValue(byte[] file, String key, long from, long to) {
        String s = new String(file, java.nio.charset.StandardCharsets.ISO_8859_1);
        int at = s.indexOf(key) + key.length() + 4;
        ByteBuffer b = ByteBuffer.wrap(file.clone()).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(from, b.getInt(at) & 0xffffffffL, key);
        b.putInt(at, (int) to);
        return b.array();
    }

    @Test
    void ggufIsDetectedByExtensionAndByMagic() throws IOException {
        byte[] bytes = TinyGguf.build(config(true), n -> GgmlType.F32, TinyGguf.Vocab.NONE, 9)
                .toByteArray();
        Path plain = Files.write(dir.resolve("model.bin"), bytes);
        assertEquals(Checkpoints.Format.GGUF, Checkpoints.detect(plain), "magic wins over the .bin extension");
        Path named = Files.write(dir.resolve("x.gguf"), new byte[] {1, 2, 3});
        assertEquals(Checkpoints.Format.GGUF, Checkpoints.detect(named));
        CllmException e = assertThrows(CllmException.class, () -> Checkpoints.load(named));
        assertEquals(CllmException.Status.BAD_FORMAT, e.status());
        assertTrue(e.getMessage().contains("not a GGUF file: 3 bytes"), e.getMessage());
    }
}
