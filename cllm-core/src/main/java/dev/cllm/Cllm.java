package dev.cllm;

import dev.cllm.engine.NativeModel;
import dev.cllm.model.Checkpoints;
import dev.cllm.model.ModelWeights;
import dev.cllm.tokenizer.Tokenizer;
import dev.cllm.tokenizer.Tokenizers;

import java.nio.file.Path;

/**
 * The entry point: load a model onto a device.
 *
 * <pre>{@code
 * try (Model model = Cllm.load(Path.of("model-dir"), Device.auto());
 *      Session session = model.newSession()) {
 *     Generation g = session.generate("Question: ...", Decoding.jacobi(16).withMaxNewTokens(256),
 *                                     token -> System.out.print(token.text()));
 *     System.out.println(g.stats().tokensPerIteration());
 * }
 * }</pre>
 */
public final class Cllm {
    private Cllm() {}

    /**
     * Loads a checkpoint (HF directory or llama2.c .bin, see {@link Checkpoints}) and its tokenizer onto
     * device ({@link Device#auto()} is resolved now; {@link Model#device()} tells the result).
     */
    public static Model load(Path path, Device device) {
        if (path == null) throw new IllegalArgumentException("path must not be null");
        if (device == null) throw new IllegalArgumentException("device must not be null");
        ModelWeights weights = Checkpoints.load(path);
        Tokenizer tokenizer = Tokenizers.forCheckpoint(path, weights.config());
        return fromWeights(weights, tokenizer, device, path.toString());
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
