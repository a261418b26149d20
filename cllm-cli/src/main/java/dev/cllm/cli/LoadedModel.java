package dev.cllm.cli;

import dev.cllm.model.Checkpoints;
import dev.cllm.model.LlamaConfig;
import dev.cllm.model.ModelWeights;
import dev.cllm.model.RandomWeights;
import dev.cllm.tokenizer.Tokenizer;
import dev.cllm.tokenizer.Tokenizers;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** A model's weights and tokenizer as the commands load them (a checkpoint, or seeded random weights). */
record LoadedModel(ModelWeights weights, Tokenizer tokenizer, String description) {
    static LoadedModel random(LlamaConfig config, long seed) {
        return new LoadedModel(RandomWeights.create(config, seed), Tokenizer.none(config.vocabSize()),
                "random model (seed " + seed + ")");
    }

    static LoadedModel load(Path path) {
        ModelWeights weights = Checkpoints.load(path);
        return new LoadedModel(weights, Tokenizers.forCheckpoint(path, weights.config()), path.toString());
    }

    /** The end-of-sequence id: the tokenizer's, else the config's, else -1. */
    int eos() {
        return tokenizer.eosId() >= 0 ? tokenizer.eosId() : weights.config().eosTokenId();
    }

    List<int[]> encodePrompts(Path file) throws IOException {
        return PromptFile.read(file).stream().map(tokenizer::encode).toList();
    }
}
