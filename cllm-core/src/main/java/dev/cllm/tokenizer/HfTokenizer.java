package dev.cllm.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.cllm.engine.HandleGuard;
import java.nio.file.Path;

/**
 * A Hugging Face {@code tokenizer.json} through DJL's tokenizers binding (the Rust library). Built without
 * truncation or padding; {@link #encode} adds special tokens exactly as the tokenizer's post-processor
 * says; {@link #decode} skips special tokens (ids outside the vocabulary are ignored). Create it with
 * {@link Tokenizers#load}. Thread-safe; close it to free the native tokenizer. Closing is safe from any
 * thread at any time (it waits for encodings in flight); use after close throws
 * {@link dev.cllm.CllmException} (STATE, "tokenizer is closed").
 */
public final class HfTokenizer implements Tokenizer {
    private final HuggingFaceTokenizer tokenizer;
    private final Path file;
    private final int vocabSize;
    private final int bosId;
    private final int eosId;
    private final String bosToken;
    private final String eosToken;
    private final HandleGuard guard = HandleGuard.shared("tokenizer");

    HfTokenizer(
            HuggingFaceTokenizer tokenizer,
            Path file,
            int vocabSize,
            int bosId,
            String bosToken,
            int eosId,
            String eosToken) {
        this.tokenizer = tokenizer;
        this.file = file;
        this.vocabSize = vocabSize;
        this.bosId = bosId;
        this.eosId = eosId;
        this.bosToken = bosToken;
        this.eosToken = eosToken;
    }

    @Override
    public int[] encode(String text) {
        if (text == null) throw new IllegalArgumentException("text must not be null");
        long[] ids = encodeIds(text, true);
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) out[i] = Math.toIntExact(ids[i]);
        return out;
    }

    /** Encodes without the post-processor's special tokens (no BOS). */
    public int[] encodeWithoutSpecialTokens(String text) {
        if (text == null) throw new IllegalArgumentException("text must not be null");
        long[] ids = encodeIds(text, false);
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) out[i] = Math.toIntExact(ids[i]);
        return out;
    }

    @Override
    public String decode(int[] ids) {
        if (ids == null) throw new IllegalArgumentException("ids must not be null");
        long[] in = new long[ids.length];
        int n = 0;
        for (int id : ids) {
            if (id >= 0 && id < vocabSize) in[n++] = id;
        }
        guard.enter();
        try {
            return tokenizer.decode(n == in.length ? in : java.util.Arrays.copyOf(in, n), true);
        } finally {
            guard.leave();
        }
    }

    private long[] encodeIds(String text, boolean specialTokens) {
        guard.enter();
        try {
            return tokenizer.encode(text, specialTokens, false).getIds();
        } finally {
            guard.leave();
        }
    }

    @Override
    public int vocabSize() {
        return vocabSize;
    }

    @Override
    public int bosId() {
        return bosId;
    }

    @Override
    public int eosId() {
        return eosId;
    }

    /** The BOS token's text, or null. */
    public String bosToken() {
        return bosToken;
    }

    /** The EOS token's text, or null. */
    public String eosToken() {
        return eosToken;
    }

    /** The tokenizer.json this was loaded from. */
    public Path file() {
        return file;
    }

    @Override
    public void close() {
        guard.close(tokenizer::close);
    }

    @Override
    public String toString() {
        return "HfTokenizer[" + file + ", vocab " + vocabSize + ", bos " + bosId + ", eos " + eosId + "]";
    }
}
