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
 *         Session session = model.newSession()) {
 *     Generation g = session.generate(
 *             args[1], Decoding.jacobi().withMaxNewTokens(256), token -> System.out.print(token.text()));
 *     System.out.println(g.stats().tokensPerIteration());
 * }
 * }</pre>
 */
public final class Cllm {
    private Cllm() {}

    /**
     * Loads a checkpoint (HF directory, llama2.c .bin or GGUF file, see {@link Checkpoints}) and its tokenizer
     * onto device ({@link Device#auto()} is resolved now; {@link Model#device()} tells the result), keeping the
     * checkpoint's own weight type ({@link WeightType#ofCheckpoint}).
     */
    public static Model load(Path path, Device device) {
        return load(path, device, null);
    }

    /**
     * Loads a checkpoint with its matrices converted to a weight type (null: the checkpoint's own), e.g.
     * {@code Cllm.load(dir, Device.cpu(), WeightType.Q8_0)} for 8-bit weights.
     */
    public static Model load(Path path, Device device, WeightType weights) {
        if (path == null) throw new IllegalArgumentException("path must not be null");
        if (device == null) throw new IllegalArgumentException("device must not be null");
        return load(LoadedCheckpoint.load(path), device, weights);
    }

    /** Puts a checkpoint already read into memory onto a device; the model takes over its tokenizer. */
    public static Model load(LoadedCheckpoint checkpoint, Device device) {
        return load(checkpoint, device, null);
    }

    /** The same with the matrices converted to a weight type (null: the checkpoint's own). */
    public static Model load(LoadedCheckpoint checkpoint, Device device, WeightType weights) {
        if (checkpoint == null) throw new IllegalArgumentException("checkpoint must not be null");
        if (device == null) throw new IllegalArgumentException("device must not be null");
        return fromWeights(checkpoint.weights(), checkpoint.tokenizer(), device, checkpoint.name(), weights);
    }

    /** Loads onto {@link Device#auto()}. */
    public static Model load(Path path) {
        return load(path, Device.auto());
    }

    /** A model from weights already in memory (random, converted, freshly trained), in their own weight type. */
    public static Model fromWeights(ModelWeights weights, Tokenizer tokenizer, Device device, String name) {
        return fromWeights(weights, tokenizer, device, name, null);
    }

    /** The same with the matrices converted to weightType (null: the weights' own type). */
    public static Model fromWeights(
            ModelWeights weights, Tokenizer tokenizer, Device device, String name, WeightType weightType) {
        if (weights == null || tokenizer == null || device == null) {
            throw new IllegalArgumentException("weights, tokenizer and device must not be null");
        }
        NativeModel engine = NativeModel.load(weights, device, weightType);
        return new Model(engine, tokenizer, name);
    }
}
