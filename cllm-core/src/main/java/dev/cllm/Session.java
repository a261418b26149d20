package dev.cllm;

import dev.cllm.decode.DecodeResult;
import dev.cllm.decode.IterationListener;
import dev.cllm.engine.NativeSession;
import dev.cllm.tokenizer.StreamingDetokenizer;

/**
 * One conversation's state on a model: its KV cache. Each {@code generate} starts from an empty cache.
 * Not thread-safe; use one session per thread.
 */
public final class Session implements AutoCloseable {
    private final Model model;
    private final NativeSession engine;

    Session(Model model, NativeSession engine) {
        this.model = model;
        this.engine = engine;
    }

    /** Encodes prompt with the model's tokenizer (adding BOS where it says so) and generates. */
    public Generation generate(String prompt, Decoding decoding, TokenListener listener) {
        if (prompt == null) throw new IllegalArgumentException("prompt must not be null");
        return generate(model.tokenizer().encode(prompt), decoding, listener, null);
    }

    public Generation generate(int[] promptIds, Decoding decoding, TokenListener listener) {
        return generate(promptIds, decoding, listener, null);
    }

    /** Generates from token ids; iterations (may be null) observes each Jacobi iteration. */
    public Generation generate(int[] promptIds, Decoding decoding, TokenListener listener, IterationListener iterations) {
        if (promptIds == null) throw new IllegalArgumentException("promptIds must not be null");
        if (decoding == null) throw new IllegalArgumentException("decoding must not be null");
        StreamingDetokenizer text = new StreamingDetokenizer(model.tokenizer());
        StringBuilder out = new StringBuilder();
        DecodeResult r = decoding.decoder(iterations).decode(engine, promptIds, decoding.stopAtEos() ? model.eosId() : -1,
                id -> {
                    String piece = text.accept(id);
                    out.append(piece);
                    if (listener != null) listener.onToken(new Token(id, piece));
                });
        String rest = text.flush();
        out.append(rest);
        if (!rest.isEmpty() && listener != null) listener.onToken(new Token(-1, rest));
        return new Generation(out.toString(), r.tokens(), r.stopReason(), r.stats());
    }

    /** The low-level session, for decoders and benchmarks. */
    public NativeSession engine() {
        return engine;
    }

    public Model model() {
        return model;
    }

    @Override
    public void close() {
        engine.close();
    }
}
