package dev.cllm.model;

import dev.cllm.CllmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Llama model's config and tensors under their Hugging Face names ({@link TensorNames}), from any
 * checkpoint format. {@code source} names where they came from, for error messages.
 */
public record ModelWeights(LlamaConfig config, Map<String, Tensor> tensors, String source) {
    public ModelWeights {
        tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
    }

    /** The tensor, or a BAD_FORMAT error naming the source and the tensor. */
    public Tensor require(String name) {
        Tensor t = tensors.get(name);
        if (t == null) throw CllmException.badFormat(source, "missing tensor " + name);
        return t;
    }

    /** Every tensor the config needs, with its expected shape, in upload order. */
    public static List<Map.Entry<String, long[]>> expectedShapes(LlamaConfig c) {
        List<Map.Entry<String, long[]>> out = new ArrayList<>();
        out.add(Map.entry(TensorNames.EMBED, new long[] {c.vocabSize(), c.dim()}));
        for (int l = 0; l < c.nLayers(); l++) {
            out.add(Map.entry(TensorNames.attnNorm(l), new long[] {c.dim()}));
            out.add(Map.entry(TensorNames.wq(l), new long[] {c.qDim(), c.dim()}));
            out.add(Map.entry(TensorNames.wk(l), new long[] {c.kvDim(), c.dim()}));
            out.add(Map.entry(TensorNames.wv(l), new long[] {c.kvDim(), c.dim()}));
            out.add(Map.entry(TensorNames.wo(l), new long[] {c.dim(), c.qDim()}));
            out.add(Map.entry(TensorNames.ffnNorm(l), new long[] {c.dim()}));
            out.add(Map.entry(TensorNames.gate(l), new long[] {c.hiddenDim(), c.dim()}));
            out.add(Map.entry(TensorNames.up(l), new long[] {c.hiddenDim(), c.dim()}));
            out.add(Map.entry(TensorNames.down(l), new long[] {c.dim(), c.hiddenDim()}));
        }
        out.add(Map.entry(TensorNames.FINAL_NORM, new long[] {c.dim()}));
        if (!c.tiedEmbeddings()) out.add(Map.entry(TensorNames.LM_HEAD, new long[] {c.vocabSize(), c.dim()}));
        return out;
    }

    /**
     * Checks that every tensor the config needs is present with the right shape, so that a config that
     * contradicts the weights fails here with a message naming the tensor, before any native call.
     */
    public ModelWeights validate() {
        try {
            config.validate();
        } catch (IllegalArgumentException e) {
            throw CllmException.badFormat(source, "invalid config: " + e.getMessage());
        }
        for (Map.Entry<String, long[]> e : expectedShapes(config)) {
            Tensor t = require(e.getKey());
            if (!Arrays.equals(t.shape(), e.getValue())) {
                throw CllmException.badFormat(
                        source,
                        "tensor " + e.getKey() + " has shape " + Arrays.toString(t.shape()) + " but the config needs "
                                + Arrays.toString(e.getValue()));
            }
        }
        return this;
    }
}
