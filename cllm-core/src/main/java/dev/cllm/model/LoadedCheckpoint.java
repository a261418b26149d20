package dev.cllm.model;

import dev.cllm.tokenizer.Tokenizer;
import dev.cllm.tokenizer.Tokenizers;
import java.nio.file.Path;

/**
 * A checkpoint's weights and tokenizer in memory, not yet on a device: what {@code Cllm.load} reads
 * before it hands both to the engine, and what the command line loads when it drives the engine
 * itself (benchmarks, trajectory collection). Passing one to {@code Cllm.load(LoadedCheckpoint, Device)}
 * hands the tokenizer to the model, which closes it.
 *
 * @param weights the model's tensors and config
 * @param tokenizer its tokenizer ({@link Tokenizer#none(int)} when the checkpoint has none)
 * @param name where it came from: a path, or a description such as "random model (seed 1)"
 */
public record LoadedCheckpoint(ModelWeights weights, Tokenizer tokenizer, String name) {
    public LoadedCheckpoint {
        if (weights == null) throw new IllegalArgumentException("weights must not be null");
        if (tokenizer == null) throw new IllegalArgumentException("tokenizer must not be null");
        if (name == null) throw new IllegalArgumentException("name must not be null");
    }

    /**
     * Reads a checkpoint (see {@link Checkpoints#load(Path)}) and the tokenizer beside it.
     *
     * @param path a Hugging Face directory, a .safetensors file, or a llama2.c .bin file
     * @return the weights, the tokenizer and the path as the name
     */
    public static LoadedCheckpoint load(Path path) {
        if (path == null) throw new IllegalArgumentException("path must not be null");
        ModelWeights weights = Checkpoints.load(path);
        return new LoadedCheckpoint(weights, Tokenizers.forCheckpoint(path, weights.config()), path.toString());
    }

    /**
     * Seeded random weights of a shape, with no tokenizer (token ids only).
     *
     * @param config the shape
     * @param seed the seed of the weights
     * @return the random model
     */
    public static LoadedCheckpoint random(LlamaConfig config, long seed) {
        return new LoadedCheckpoint(
                RandomWeights.create(config, seed),
                Tokenizer.none(config.vocabSize()),
                "random model (seed " + seed + ")");
    }

    /**
     * The id that ends generation.
     *
     * @return the end-of-sequence id (see {@link #eosId(Tokenizer, LlamaConfig)})
     */
    public int eosId() {
        return eosId(tokenizer, weights.config());
    }

    /**
     * The one rule for the end-of-sequence id: the tokenizer's, else the config's, else -1 (none).
     *
     * @param tokenizer the model's tokenizer
     * @param config the model's config
     * @return the id, or -1 when neither names one
     */
    public static int eosId(Tokenizer tokenizer, LlamaConfig config) {
        return tokenizer.eosId() >= 0 ? tokenizer.eosId() : config.eosTokenId();
    }
}
