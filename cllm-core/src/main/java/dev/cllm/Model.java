package dev.cllm;

import dev.cllm.engine.NativeModel;
import dev.cllm.model.LlamaConfig;
import dev.cllm.tokenizer.Tokenizer;

/**
 * A model loaded onto a device, with its tokenizer. Sessions hold the per-sequence state; several
 * sessions may generate on different threads at once (one thread per session).
 *
 * <p>{@link #close()} is safe from any thread at any time: it closes the model's sessions first (a
 * generation running on one of them ends at its next native call with a {@link CllmException} of
 * status STATE, "session is closed"), then frees the weights and the tokenizer. Every later call
 * ({@code newSession}, {@code generate}) throws a {@link CllmException} of status STATE.
 */
public final class Model implements AutoCloseable {
    private final NativeModel engine;
    private final Tokenizer tokenizer;
    private final String name;

    Model(NativeModel engine, Tokenizer tokenizer, String name) {
        this.engine = engine;
        this.tokenizer = tokenizer;
        this.name = name;
    }

    /** A session whose context is the model's whole context ({@code config().maxSeqLen()} positions). */
    public Session newSession() {
        return newSession(engine.config().maxSeqLen());
    }

    /**
     * A session whose KV cache holds capacity positions (prompt plus output), 1 to
     * {@code config().maxSeqLen()}; {@link #newSession()} takes them all.
     */
    public Session newSession(int capacity) {
        checkOpen();
        return new Session(this, engine.newSession(capacity));
    }

    public LlamaConfig config() {
        return engine.config();
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public Device device() {
        return engine.device();
    }

    /** The type the engine stores the matrices in. */
    public WeightType weightType() {
        return engine.weightType();
    }

    /** Where the model came from (a path, or an embedded model's name). */
    public String name() {
        return name;
    }

    /** The end-of-sequence id: the tokenizer's, else the config's, else -1. */
    public int eosId() {
        return tokenizer.eosId() >= 0 ? tokenizer.eosId() : engine.config().eosTokenId();
    }

    /** The native engine underneath, for the lower-level API (decoders, benchmarks). */
    public NativeModel engine() {
        return engine;
    }

    /** Whether {@link #close()} was called (by any thread). */
    public boolean isClosed() {
        return engine.isClosed();
    }

    void checkOpen() {
        if (engine.isClosed()) throw new CllmException(CllmException.Status.STATE, "model " + name + " is closed");
    }

    /**
     * Closes the sessions (stopping their generations), then frees the weights and the tokenizer. Safe
     * from any thread at any time; closing twice is harmless.
     */
    @Override
    public void close() {
        engine.close();
        tokenizer.close();
    }
}
