package dev.cllm.tokenizer;

/**
 * Text to token ids and back. Implementations: the Hugging Face tokenizer.json loader (DJL), and
 * {@link #none(int)} for checkpoints without a tokenizer (ids only).
 */
public interface Tokenizer extends AutoCloseable {
    /** Encodes with the tokenizer's own post-processor (which adds BOS where the tokenizer says so). */
    int[] encode(String text);

    /** Decodes ids to text, skipping special tokens such as BOS and EOS. */
    String decode(int[] ids);

    /** Number of ids the tokenizer knows (may be below the model's vocabulary size). */
    int vocabSize();

    /** The begin-of-sequence id, or -1. */
    int bosId();

    /** The end-of-sequence id, or -1. */
    int eosId();

    /** Whether text can be encoded; false for {@link #none(int)}. */
    default boolean canEncode() {
        return true;
    }

    @Override
    default void close() {}

    /** A tokenizer that knows no text: encode fails with a clear message, decode prints the ids. */
    static Tokenizer none(int vocabSize) {
        return new Tokenizer() {
            @Override
            public int[] encode(String text) {
                throw new IllegalArgumentException("this model has no tokenizer.json: pass token ids (--prompt-ids)");
            }

            @Override
            public String decode(int[] ids) {
                StringBuilder sb = new StringBuilder();
                for (int id : ids) sb.append(sb.length() == 0 ? "" : " ").append(id);
                return sb.toString();
            }

            @Override
            public int vocabSize() {
                return vocabSize;
            }

            @Override
            public int bosId() {
                return -1;
            }

            @Override
            public int eosId() {
                return -1;
            }

            @Override
            public boolean canEncode() {
                return false;
            }
        };
    }
}
