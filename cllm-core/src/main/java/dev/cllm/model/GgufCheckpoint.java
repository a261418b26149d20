package dev.cllm.model;

import dev.cllm.CllmException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Loads a Llama-architecture GGUF file (llama.cpp's names and keys, {@link GgufNames}) into
 * {@link ModelWeights}: the {@code llama.*} metadata becomes the {@link LlamaConfig} (vocabulary size from
 * {@code token_embd.weight}, tied embeddings when {@code output.weight} is absent, BOS/EOS from the
 * tokenizer metadata), tensors are renamed to Hugging Face names and kept or dequantised as
 * {@link GgufTensorLoader} says, and Q/K rows go from llama.cpp's interleaved rotary layout to
 * rotate_half ({@link RotaryLayout}).
 *
 * <p>UNSUPPORTED, with the reason: other architectures, mixtures of experts, rope scaling, partial
 * rotary dimensions, bias tensors, {@code rope_freqs.weight}, tensor types without a decoder.
 * BAD_FORMAT: missing keys or tensors, shapes that contradict the metadata, blocks beyond
 * {@code llama.block_count}.
 */
public final class GgufCheckpoint {
    private GgufCheckpoint() {}

    /** Opens, validates and loads a GGUF file. */
    public static ModelWeights load(Path file) {
        return load(GgufFile.open(file));
    }

    /** Loads the weights of an opened file. */
    public static ModelWeights load(GgufFile file) {
        LlamaConfig c = config(file);
        Path source = file.path();
        checkExtraTensors(file, c);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : ModelWeights.expectedShapes(c)) {
            String hf = e.getKey(), gguf = GgufNames.toGguf(hf);
            GgufTensorInfo info = file.tensors().get(gguf);
            if (info == null) throw CllmException.badFormat(source, "missing tensor " + gguf);
            if (!Arrays.equals(info.shape(), e.getValue())) {
                throw CllmException.badFormat(
                        source,
                        "tensor " + gguf + " has shape " + Arrays.toString(info.shape())
                                + " (ggml dims " + Arrays.toString(info.dims()) + ") but the metadata needs "
                                + Arrays.toString(e.getValue()));
            }
            Tensor t = GgufTensorLoader.load(hf, info, file.data(gguf), file.region(gguf), source);
            if (isQueryOrKey(hf, c)) t = RotaryLayout.toRotateHalf(t.inMemory(), c.headDim());
            tensors.put(hf, t);
        }
        return new ModelWeights(c, tensors, source.toString()).validate();
    }

    static boolean isQueryOrKey(String hfName, LlamaConfig c) {
        for (int l = 0; l < c.nLayers(); l++) {
            if (hfName.equals(TensorNames.wq(l)) || hfName.equals(TensorNames.wk(l))) return true;
        }
        return false;
    }

    /** The model shape the metadata describes. */
    public static LlamaConfig config(GgufFile file) {
        Path source = file.path();
        GgufMetadata m = new GgufMetadata(file.metadata(), source);
        String arch = m.string(GgufNames.ARCHITECTURE, null);
        if (arch == null) throw m.missing(GgufNames.ARCHITECTURE);
        if (!arch.equals(GgufNames.LLAMA)) {
            throw unsupported(source, "architecture '" + GgufFile.printable(arch) + "' is not supported (only llama)");
        }
        if (m.count(GgufNames.EXPERT_COUNT, 0) > 0) {
            throw unsupported(
                    source,
                    "mixture-of-experts models (" + GgufNames.EXPERT_COUNT + " " + m.count(GgufNames.EXPERT_COUNT, 0)
                            + ") are not supported");
        }
        String scaling = m.string(GgufNames.ROPE_SCALING_TYPE, "none");
        float factor = m.floatValue(GgufNames.ROPE_SCALING_FACTOR, 1f);
        if (!scaling.equals("none") && !(scaling.equals("linear") && factor == 1f)) {
            throw unsupported(
                    source,
                    "rope scaling '" + GgufFile.printable(scaling) + "' (factor " + factor + ") is not supported");
        }
        int dim = m.requireCount(GgufNames.EMBEDDING_LENGTH);
        int hidden = m.requireCount(GgufNames.FEED_FORWARD_LENGTH);
        int layers = m.requireCount(GgufNames.BLOCK_COUNT);
        if (layers > file.tensors().size()) { // each block has 9 tensors; checked before anything loops over blocks
            throw CllmException.badFormat(
                    source,
                    GgufNames.BLOCK_COUNT + " " + layers + " but the file has only "
                            + file.tensors().size() + " tensors");
        }
        int heads = m.requireCount(GgufNames.HEAD_COUNT);
        int kvHeads = m.count(GgufNames.HEAD_COUNT_KV, heads);
        int headDim = m.count(GgufNames.KEY_LENGTH, heads > 0 && dim % heads == 0 ? dim / heads : 0);
        if (m.has(GgufNames.VALUE_LENGTH) && m.count(GgufNames.VALUE_LENGTH, 0) != headDim) {
            throw unsupported(
                    source,
                    GgufNames.VALUE_LENGTH + " " + m.count(GgufNames.VALUE_LENGTH, 0) + " differs from the key length "
                            + headDim);
        }
        if (m.has(GgufNames.ROPE_DIMENSIONS) && m.count(GgufNames.ROPE_DIMENSIONS, 0) != headDim) {
            throw unsupported(
                    source,
                    "partial rotary embedding (" + GgufNames.ROPE_DIMENSIONS + " "
                            + m.count(GgufNames.ROPE_DIMENSIONS, 0) + " of head dim " + headDim + ") is not supported");
        }
        int maxSeq = m.requireCount(GgufNames.CONTEXT_LENGTH);
        float theta = m.floatValue(GgufNames.ROPE_FREQ_BASE, 10000f);
        float eps = m.floatValue(GgufNames.RMS_EPS, 1e-5f);
        GgufTensorInfo embed = file.tensors().get(GgufNames.TOKEN_EMBD);
        if (embed == null) throw CllmException.badFormat(source, "missing tensor " + GgufNames.TOKEN_EMBD);
        long[] dims = embed.dims();
        if (dims.length != 2 || dims[1] > Integer.MAX_VALUE) {
            throw CllmException.badFormat(
                    source,
                    "tensor " + GgufNames.TOKEN_EMBD + " has ggml dims " + Arrays.toString(dims)
                            + " (expected [embedding_length, vocab])");
        }
        int vocab = (int) dims[1];
        if (m.has(GgufNames.VOCAB_SIZE) && m.count(GgufNames.VOCAB_SIZE, 0) != vocab) {
            throw CllmException.badFormat(
                    source,
                    GgufNames.VOCAB_SIZE + " " + m.count(GgufNames.VOCAB_SIZE, 0) + " contradicts "
                            + GgufNames.TOKEN_EMBD + " with " + vocab + " rows");
        }
        boolean tied = !file.tensors().containsKey(GgufNames.OUTPUT);
        int bos = m.has(GgufNames.BOS_ID) ? m.count(GgufNames.BOS_ID, -1) : -1;
        int eos = m.has(GgufNames.EOS_ID) ? m.count(GgufNames.EOS_ID, -1) : -1;
        LlamaConfig config = new LlamaConfig(
                dim, hidden, layers, heads, kvHeads, headDim, vocab, maxSeq, theta, eps, tied, bos, eos);
        try {
            return config.validate();
        } catch (IllegalArgumentException e) {
            throw CllmException.badFormat(source, "invalid llama metadata: " + e.getMessage());
        }
    }

    private static void checkExtraTensors(GgufFile file, LlamaConfig c) {
        for (String name : file.tensors().keySet()) {
            long block = GgufNames.blockOf(name);
            if (block >= c.nLayers()) {
                throw CllmException.badFormat(
                        file.path(),
                        "tensor " + GgufFile.printable(name) + " belongs to block " + block + " but "
                                + GgufNames.BLOCK_COUNT + " is " + c.nLayers());
            }
            if (name.endsWith(".bias") && GgufNames.toHf(name.substring(0, name.length() - 5) + ".weight") != null) {
                throw unsupported(
                        file.path(), "tensor " + GgufFile.printable(name) + ": bias tensors are not supported");
            }
            if (name.equals("rope_freqs.weight")) {
                throw unsupported(file.path(), "tensor rope_freqs.weight (Llama 3.1 rope scaling) is not supported");
            }
            if (GgufNames.suffix(name).contains("_exps.")
                    || GgufNames.suffix(name).startsWith("ffn_gate_inp")) {
                throw unsupported(
                        file.path(),
                        "tensor " + GgufFile.printable(name) + ": mixture-of-experts models are not supported");
            }
        }
    }

    private static CllmException unsupported(Path source, String why) {
        return new CllmException(CllmException.Status.UNSUPPORTED, source + ": " + why);
    }
}
