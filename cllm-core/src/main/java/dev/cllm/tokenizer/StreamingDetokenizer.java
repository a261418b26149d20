package dev.cllm.tokenizer;

import java.util.Arrays;

/**
 * Turns generated ids, fed one at a time, into the text to print. The ids so far are decoded and the new
 * suffix is emitted; while the text ends with U+FFFD (a UTF-8 sequence split over byte tokens not yet
 * complete) nothing is emitted. To keep each step cheap, only a window is decoded: the ids from the
 * token before the last emitted one onwards (so tokenizers that drop a leading space on the first token
 * of a decode still produce the space), which gives the same text as decoding everything.
 * Not thread-safe.
 */
public final class StreamingDetokenizer {
    /** Emit anyway once this many ids are pending: the U+FFFD is then a real one. */
    static final int MAX_PENDING = 8;

    private final Tokenizer tokenizer;
    private int[] ids = new int[64];
    private int count;
    private int prefixOffset; // start of the decode window
    private int readOffset; // ids before this have been emitted

    public StreamingDetokenizer(Tokenizer tokenizer) {
        if (tokenizer == null) throw new IllegalArgumentException("tokenizer must not be null");
        this.tokenizer = tokenizer;
    }

    /** Adds one id and returns the new text to print (possibly empty). */
    public String accept(int id) {
        if (count == ids.length) ids = Arrays.copyOf(ids, count * 2);
        ids[count++] = id;
        return emit(false);
    }

    /** Returns whatever is still held back (call once at the end of generation). */
    public String flush() {
        return emit(true);
    }

    /** All ids fed so far. */
    public int[] ids() {
        return Arrays.copyOf(ids, count);
    }

    private String emit(boolean force) {
        if (readOffset == count) return "";
        int pending = count - readOffset;
        String prefix = tokenizer.decode(Arrays.copyOfRange(ids, prefixOffset, readOffset));
        String text = tokenizer.decode(Arrays.copyOfRange(ids, prefixOffset, count));
        boolean wait = !force && pending < MAX_PENDING;
        if (wait && text.endsWith("\uFFFD")) return "";
        if (text.length() <= prefix.length()) {
            // Nothing visible yet (e.g. a special token, skipped when decoding).
            if (!wait) advance();
            return "";
        }
        String delta = text.substring(prefix.length());
        advance();
        return delta;
    }

    private void advance() {
        prefixOffset = readOffset;
        readOffset = count;
    }
}
