package dev.cllm;

import dev.cllm.model.LlamaConfig;
import dev.cllm.model.ModelWeights;
import dev.cllm.model.RandomWeights;
import dev.cllm.tokenizer.Tokenizer;

/** Tiny random models behind the public API (ids only: no tokenizer), for the threading tests. */
final class TinyModels {
    private TinyModels() {}

    /** dim 64, 2 layers, vocabulary 50, context 512: a forward takes microseconds. */
    static final LlamaConfig CONFIG = LlamaConfig.of(64, 96, 2, 4, 2, 50, 512, false);

    static Model load(long seed) {
        return load(RandomWeights.create(CONFIG, seed), "tiny-" + seed);
    }

    static Model load(ModelWeights weights, String name) {
        return Cllm.fromWeights(weights, Tokenizer.none(CONFIG.vocabSize()), Device.cpu(), name);
    }

    /** A long greedy run that ignores end-of-sequence, so only the token limit (or a stop) ends it. */
    static Decoding.Jacobi jacobi(int maxNewTokens) {
        return Decoding.jacobi(8).withMaxNewTokens(maxNewTokens).withStopAtEos(false);
    }

    static Decoding.Ar ar(int maxNewTokens) {
        return Decoding.ar().withMaxNewTokens(maxNewTokens).withStopAtEos(false);
    }

    static final int[] PROMPT = {1, 2, 3, 4};
}
