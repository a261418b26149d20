package dev.cllm.tokenizer;

import dev.cllm.CllmException;
import dev.cllm.model.GgufFile;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * A GGUF "llama" vocabulary: SentencePiece-style BPE over token scores, as Llama 1/2, Mistral and
 * TinyLlama use. Encoding: BOS when the file says so; the text split at special tokens (control,
 * user-defined, unknown: matched whole); each stretch of text gets a leading space when
 * {@code add_space_prefix} is set (at the start and after each special token, as llama.cpp and Hugging
 * Face's legacy Llama tokenizer do), spaces become '▁' (U+2581), and then:
 * <ol>
 *   <li>every character is a symbol;</li>
 *   <li>of all adjacent pairs whose concatenation is a token, the one whose token has the highest score
 *       is merged (ties: the leftmost), until no pair is a token;</li>
 *   <li>a symbol that is no token (a character outside the vocabulary) becomes its UTF-8 bytes as the
 *       byte tokens {@code <0xNN>} (byte fallback), or the unknown token when those are missing.</li>
 * </ol>
 * Decoding skips control and unknown tokens, turns byte tokens into bytes and '▁' into spaces, and
 * drops the leading space that {@code add_space_prefix} put there. Thread-safe.
 */
public final class SentencePieceTokenizer implements Tokenizer {
    static final char SPACE = '\u2581';

    private final GgufVocabulary vocab;
    /** Token ids that merges may produce and plain symbols may map to (not control, unknown or byte tokens). */
    private final Map<String, Integer> pieces;

    private final int[] byteIds = new int[256];
    private final int[] byteOfId;
    private final SpecialTokenMatcher specials;

    SentencePieceTokenizer(GgufVocabulary vocab, Object source) {
        this.vocab = vocab;
        if (vocab.scores() == null)
            throw CllmException.badFormat(source, "llama tokenizer without tokenizer.ggml.scores");
        String[] tokens = vocab.tokens();
        pieces = new HashMap<>(tokens.length * 2);
        byteOfId = new int[tokens.length];
        Arrays.fill(byteOfId, -1);
        Arrays.fill(byteIds, -1);
        List<Integer> special = new ArrayList<>();
        for (int i = 0; i < tokens.length; i++) {
            int type = vocab.type(i);
            int b = byteValue(tokens[i]);
            if (type == GgufVocabulary.BYTE || (vocab.types() == null && b >= 0)) {
                if (b < 0)
                    throw CllmException.badFormat(
                            source, "byte token " + i + " '" + GgufFile.printable(tokens[i]) + "' is not <0xNN>");
                byteOfId[i] = b;
                if (byteIds[b] < 0) byteIds[b] = i;
            } else if (type == GgufVocabulary.CONTROL || type == GgufVocabulary.UNKNOWN) {
                special.add(i);
            } else {
                if (type == GgufVocabulary.USER_DEFINED) special.add(i);
                pieces.putIfAbsent(tokens[i], i);
            }
        }
        specials = new SpecialTokenMatcher(tokens, special);
    }

    /** The byte of a "<0xNN>" token text, or -1. */
    static int byteValue(String token) {
        if (token.length() != 6 || !token.startsWith("<0x") || token.charAt(5) != '>') return -1;
        int hi = Character.digit(token.charAt(3), 16), lo = Character.digit(token.charAt(4), 16);
        return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
    }

    @Override
    public int[] encode(String text) {
        if (text == null) throw new IllegalArgumentException("text must not be null");
        ByteBpeTokenizer.IntList out = new ByteBpeTokenizer.IntList(text.length() / 2 + 4);
        if (vocab.addBos() && vocab.bosId() >= 0) out.add(vocab.bosId());
        specials.split(
                text,
                stretch -> {
                    String normalized = (vocab.addSpacePrefix() ? " " + stretch : stretch).replace(' ', SPACE);
                    encodeStretch(normalized, out);
                },
                out::add);
        if (vocab.addEos() && vocab.eosId() >= 0) out.add(vocab.eosId());
        return out.toArray();
    }

    /** A candidate merge of symbols left and right, whose concatenation (length chars) is a token of score. */
    private record Bigram(int left, int right, float score, int length) {}

    private void encodeStretch(String s, ByteBpeTokenizer.IntList out) {
        int n = s.codePointCount(0, s.length());
        int[] start = new int[n], length = new int[n], prev = new int[n], next = new int[n];
        for (int i = 0, at = 0; i < n; i++) {
            start[i] = at;
            length[i] = Character.charCount(s.codePointAt(at));
            at += length[i];
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        PriorityQueue<Bigram> queue = new PriorityQueue<>(
                (a, b) -> a.score != b.score ? Float.compare(b.score, a.score) : Integer.compare(a.left, b.left));
        for (int i = 0; i + 1 < n; i++) offer(queue, s, start, length, i, i + 1);
        while (!queue.isEmpty()) {
            Bigram g = queue.poll();
            if (length[g.left] == 0 || length[g.right] == 0 || length[g.left] + length[g.right] != g.length) continue;
            length[g.left] += length[g.right];
            length[g.right] = 0;
            next[g.left] = next[g.right];
            if (next[g.right] >= 0) prev[next[g.right]] = g.left;
            if (prev[g.left] >= 0) offer(queue, s, start, length, prev[g.left], g.left);
            if (next[g.left] >= 0) offer(queue, s, start, length, g.left, next[g.left]);
        }
        for (int i = n > 0 ? 0 : -1; i >= 0; i = next[i]) {
            String symbol = s.substring(start[i], start[i] + length[i]);
            Integer id = pieces.get(symbol);
            if (id != null) {
                out.add(id);
                continue;
            }
            for (byte b : symbol.getBytes(StandardCharsets.UTF_8)) {
                int byteId = byteIds[b & 0xff];
                if (byteId >= 0) out.add(byteId);
                else if (vocab.unkId() >= 0) out.add(vocab.unkId());
            }
        }
    }

    private void offer(PriorityQueue<Bigram> queue, String s, int[] start, int[] length, int left, int right) {
        int len = length[left] + length[right];
        Integer id = pieces.get(s.substring(start[left], start[left] + len));
        if (id != null) queue.add(new Bigram(left, right, vocab.scores()[id], len));
    }

    @Override
    public String decode(int[] ids) {
        if (ids == null) throw new IllegalArgumentException("ids must not be null");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(ids.length * 4);
        String[] tokens = vocab.tokens();
        for (int id : ids) {
            if (id < 0 || id >= tokens.length) continue;
            int type = vocab.type(id);
            if (type == GgufVocabulary.CONTROL || type == GgufVocabulary.UNKNOWN) continue;
            if (byteOfId[id] >= 0) bytes.write(byteOfId[id]);
            else bytes.writeBytes(tokens[id].replace(SPACE, ' ').getBytes(StandardCharsets.UTF_8));
        }
        String text = bytes.toString(StandardCharsets.UTF_8);
        return vocab.addSpacePrefix() && text.startsWith(" ") ? text.substring(1) : text;
    }

    @Override
    public int vocabSize() {
        return vocab.size();
    }

    @Override
    public int bosId() {
        return vocab.bosId();
    }

    @Override
    public int eosId() {
        return vocab.eosId();
    }

    public GgufVocabulary vocabulary() {
        return vocab;
    }
}
