package dev.cllm.model;

import dev.cllm.CllmException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Loads a llama2.c checkpoint (legacy format v0, as written by llama2.c's {@code export.py
 * --version 0} and read by its {@code run.c}): a header of 7 little-endian int32 (dim, hidden_dim,
 * n_layers, n_heads, n_kv_heads, vocab_size, seq_len; a negative vocab_size means a separate classifier),
 * then fp32 weights in llama2.c's order. Weights are memory-mapped and renamed to Hugging Face names;
 * WQ and WK rows are permuted from llama2.c's interleaved rotary layout into Hugging Face's rotate_half
 * layout ({@link RotaryLayout}; those two are read from the file into direct buffers, off the Java heap).
 * llama2.c's conventions: rope theta 10000, RMSNorm eps 1e-5, BOS id 1 and EOS id 2.
 */
public final class Llama2cCheckpoint {
    public static final int HEADER_BYTES = 7 * 4;

    private Llama2cCheckpoint() {}

    /** The header fields; {@code sharedClassifier} is true when vocab_size was positive. */
    public record Header(
            int dim,
            int hiddenDim,
            int nLayers,
            int nHeads,
            int nKvHeads,
            int vocabSize,
            int seqLen,
            boolean sharedClassifier) {
        public int headSize() {
            return dim / nHeads;
        }

        public int kvDim() {
            return nKvHeads * headSize();
        }

        /** The file size this header implies. */
        public long expectedFileSize() {
            long d = dim, l = nLayers, kv = kvDim(), h = hiddenDim, v = vocabSize;
            long floats = v * d // token_embedding
                    + l * d // rms_att
                    + l * d * d // wq
                    + 2 * l * d * kv // wk, wv
                    + l * d * d // wo
                    + l * d // rms_ffn
                    + 3 * l * d * h // w1, w2, w3
                    + d // rms_final
                    + (long) seqLen * headSize() // freq_cis_real + freq_cis_imag, seq_len * head_size / 2 each
                    + (sharedClassifier ? 0 : v * d);
            return HEADER_BYTES + 4 * floats;
        }

        public LlamaConfig toConfig() {
            int bos = vocabSize > 1 ? 1 : -1, eos = vocabSize > 2 ? 2 : -1;
            return new LlamaConfig(
                    dim,
                    hiddenDim,
                    nLayers,
                    nHeads,
                    nKvHeads,
                    headSize(),
                    vocabSize,
                    seqLen,
                    10000f,
                    1e-5f,
                    sharedClassifier,
                    bos,
                    eos);
        }
    }

    /** Reads and checks the header alone. */
    public static Header readHeader(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return readHeader(channel, file);
        } catch (NoSuchFileException e) {
            throw new CllmException(CllmException.Status.IO, file + ": no such file", e);
        } catch (IOException e) {
            throw new CllmException(CllmException.Status.IO, file + ": cannot read: " + e, e);
        }
    }

    private static Header readHeader(FileChannel channel, Path file) throws IOException {
        long size = channel.size();
        if (size < HEADER_BYTES) {
            throw CllmException.badFormat(
                    file,
                    "llama2.c checkpoint of " + size + " bytes is shorter than its " + HEADER_BYTES + "-byte header");
        }
        ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        while (h.hasRemaining()) {
            if (channel.read(h, h.position()) < 0) throw new IOException("unexpected end of file");
        }
        int dim = h.getInt(0), hidden = h.getInt(4), layers = h.getInt(8), heads = h.getInt(12), kvHeads = h.getInt(16);
        int vocab = h.getInt(20), seq = h.getInt(24);
        if (dim == 0x616b3432) {
            throw new CllmException(
                    CllmException.Status.UNSUPPORTED,
                    file + ": llama2.c export format version " + hidden
                            + " (magic \"ak42\") is not supported; export with --version 0 (legacy)");
        }
        String fields = "dim=" + dim + " hidden_dim=" + hidden + " n_layers=" + layers + " n_heads=" + heads
                + " n_kv_heads=" + kvHeads + " vocab_size=" + vocab + " seq_len=" + seq;
        // The shape is checked against ModelLimits before any size is computed from it.
        try {
            if (heads > 0 && dim % heads != 0) {
                throw new IllegalArgumentException("n_heads (" + heads + ") must divide dim (" + dim + ")");
            }
            new LlamaConfig(
                            dim,
                            hidden,
                            layers,
                            heads,
                            kvHeads,
                            heads > 0 ? dim / heads : 0,
                            Math.abs(vocab),
                            seq,
                            10000f,
                            1e-5f,
                            vocab > 0,
                            -1,
                            -1)
                    .validate(ConfigFieldNames.LLAMA2C);
        } catch (IllegalArgumentException e) {
            throw CllmException.badFormat(
                    file, "not a llama2.c checkpoint: " + e.getMessage() + " in header [" + fields + "]");
        }
        Header header = new Header(dim, hidden, layers, heads, kvHeads, Math.abs(vocab), seq, vocab > 0);
        long expected = header.expectedFileSize();
        if (size != expected) {
            throw CllmException.badFormat(
                    file,
                    "llama2.c checkpoint should be " + expected + " bytes for its header [" + fields
                            + "] but the file has " + size + (size < expected ? " (truncated)" : " (trailing data)"));
        }
        return header;
    }

    /** Loads, validates and maps a checkpoint. */
    public static ModelWeights load(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            Header h = readHeader(channel, file);
            LlamaConfig config = h.toConfig();
            Cursor c = new Cursor(channel, file);
            long d = h.dim(), kv = h.kvDim(), hid = h.hiddenDim(), v = h.vocabSize();
            int layers = h.nLayers(), headSize = h.headSize();
            Map<String, Tensor> t = new LinkedHashMap<>();
            t.put(TensorNames.EMBED, c.next(TensorNames.EMBED, v, d));
            for (int l = 0; l < layers; l++) t.put(TensorNames.attnNorm(l), c.next(TensorNames.attnNorm(l), d));
            for (int l = 0; l < layers; l++) {
                t.put(
                        TensorNames.wq(l),
                        RotaryLayout.toRotateHalf(
                                c.next(TensorNames.wq(l), d, d).inMemory(), headSize));
            }
            for (int l = 0; l < layers; l++) {
                t.put(
                        TensorNames.wk(l),
                        RotaryLayout.toRotateHalf(
                                c.next(TensorNames.wk(l), kv, d).inMemory(), headSize));
            }
            for (int l = 0; l < layers; l++) t.put(TensorNames.wv(l), c.next(TensorNames.wv(l), kv, d));
            for (int l = 0; l < layers; l++) t.put(TensorNames.wo(l), c.next(TensorNames.wo(l), d, d));
            for (int l = 0; l < layers; l++) t.put(TensorNames.ffnNorm(l), c.next(TensorNames.ffnNorm(l), d));
            for (int l = 0; l < layers; l++) t.put(TensorNames.gate(l), c.next(TensorNames.gate(l), hid, d)); // w1
            for (int l = 0; l < layers; l++) t.put(TensorNames.down(l), c.next(TensorNames.down(l), d, hid)); // w2
            for (int l = 0; l < layers; l++) t.put(TensorNames.up(l), c.next(TensorNames.up(l), hid, d)); // w3
            t.put(TensorNames.FINAL_NORM, c.next(TensorNames.FINAL_NORM, d));
            c.skip((long) h.seqLen() * headSize * 4); // freq_cis_real and freq_cis_imag: rope is recomputed
            if (!h.sharedClassifier()) t.put(TensorNames.LM_HEAD, c.next(TensorNames.LM_HEAD, v, d));
            return new ModelWeights(config, ordered(config, t), file.toString()).validate();
        } catch (NoSuchFileException e) {
            throw new CllmException(CllmException.Status.IO, file + ": no such file", e);
        } catch (IOException e) {
            throw new CllmException(CllmException.Status.IO, file + ": cannot read: " + e, e);
        }
    }

    /**
     * A mapped tensor read into memory with plain file reads ({@link FileRegion#readInto}), so that the
     * permutation never touches a mapping whose file might have been cut short since it was checked.
     */
    private static Map<String, Tensor> ordered(LlamaConfig config, Map<String, Tensor> t) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : ModelWeights.expectedShapes(config)) out.put(e.getKey(), t.get(e.getKey()));
        return out;
    }

    /** Maps consecutive fp32 tensors of the file. */
    private static final class Cursor {
        private final FileChannel channel;
        private final Path file;
        private final Object fileKey;
        private long position = HEADER_BYTES;

        Cursor(FileChannel channel, Path file) {
            this.channel = channel;
            this.file = file;
            this.fileKey = FileRegion.fileKey(file);
        }

        Tensor next(String name, long... shape) throws IOException {
            long bytes = Tensor.elementCount(shape) * 4;
            if (bytes > SafetensorsFile.MAX_TENSOR_BYTES) {
                throw new CllmException(
                        CllmException.Status.UNSUPPORTED,
                        file + ": tensor " + name + " is " + bytes + " bytes; tensors over 2 GiB are not supported");
            }
            // The file's size was checked against the header before the first map.
            ByteBuffer data = channel.map(FileChannel.MapMode.READ_ONLY, position, bytes);
            Tensor t = new Tensor(
                    name,
                    DType.F32,
                    shape,
                    data.order(ByteOrder.LITTLE_ENDIAN),
                    new FileRegion(file, fileKey, position, bytes));
            position += bytes;
            return t;
        }

        void skip(long bytes) {
            position += bytes;
        }
    }
}
