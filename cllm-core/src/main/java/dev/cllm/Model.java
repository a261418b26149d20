package dev.cllm;

import dev.cllm.engine.NativeModel;
import dev.cllm.model.LlamaConfig;
import dev.cllm.model.LoadedCheckpoint;
import dev.cllm.tokenizer.Tokenizer;

/**
 * A model loaded onto a device, with its tokenizer. Sessions hold the per-sequence state; several
 * sessions may generate on different threads at once. Closing the model closes its sessions.
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

    /** A session whose context holds the model's whole max_seq_len. */
    public Session newSession() {
        return newSession(engine.config().maxSeqLen());
    }

    /** A session whose KV cache holds capacity positions (prompt plus output). */
    public Session newSession(int capacity) {
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

    /** Where the model came from (a path, or an embedded model's name). */
    public String name() {
        return name;
    }

    /** The end-of-sequence id: the tokenizer's, else the config's, else -1 ({@link LoadedCheckpoint#eosId}). */
    public int eosId() {
        return LoadedCheckpoint.eosId(tokenizer, engine.config());
    }

    /** The native engine underneath, for the lower-level API (decoders, benchmarks). */
    public NativeModel engine() {
        return engine;
    }

    @Override
    public void close() {
        engine.close();
        tokenizer.close();
    }
}
