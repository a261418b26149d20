package dev.cllm;

import dev.cllm.engine.NativeModel;
import dev.cllm.model.Checkpoints;
import dev.cllm.model.LoadedCheckpoint;
import dev.cllm.model.ModelWeights;
import dev.cllm.tokenizer.Tokenizer;

import java.nio.file.Path;

/**
 * The entry point: load a model onto a device. Loading the checkpoint named by {@code args[0]} and
 * continuing the prompt {@code args[1]} with Jacobi decoding (the example
 * {@code dev.cllm.examples.GenerateFromCheckpoint}, which the build compiles and runs):
 *
 * <pre>{@code
 * try (Model model = Cllm.load(Path.of(args[0]), Device.auto());
 *      Session session = model.newSession()) {
 *     Generation g = session.generate(args[1], Decoding.jacobi(16).maxNewTokens(256),
 *                                     token -> System.out.print(token.text()));
 *     System.out.println(g.stats().tokensPerIteration());
 * }
 * }</pre>
 */
public final class Cllm {
    private Cllm() {}

    /** Loads a checkpoint (HF directory or llama2.c .bin, see {@link Checkpoints}) and its tokenizer. */
    public static Model load(Path path, Device device) {
        if (path == null) throw new IllegalArgumentException("path must not be null");
        if (device == null) throw new IllegalArgumentException("device must not be null");
        return load(LoadedCheckpoint.load(path), device);
    }

    /** Puts a checkpoint already read into memory onto a device; the model takes over its tokenizer. */
    public static Model load(LoadedCheckpoint checkpoint, Device device) {
        if (checkpoint == null) throw new IllegalArgumentException("checkpoint must not be null");
        return fromWeights(checkpoint.weights(), checkpoint.tokenizer(), device, checkpoint.name());
    }

    /** Loads onto {@link Device#auto()}. */
    public static Model load(Path path) {
        return load(path, Device.auto());
    }

    /** A model from weights already in memory (random, converted, freshly trained). */
    public static Model fromWeights(ModelWeights weights, Tokenizer tokenizer, Device device, String name) {
        if (weights == null || tokenizer == null || device == null) {
            throw new IllegalArgumentException("weights, tokenizer and device must not be null");
        }
        NativeModel engine = NativeModel.load(weights, device);
        return new Model(engine, tokenizer, name);
    }
}
