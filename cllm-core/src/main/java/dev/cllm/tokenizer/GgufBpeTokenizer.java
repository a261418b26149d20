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
import java.util.concurrent.ConcurrentHashMap;

/**
 * A GGUF "gpt2" vocabulary: byte-level BPE (GPT-2's byte-to-character mapping, {@link ByteLevel}) with
 * ranked merges, whatever the vocabulary layout. Encoding: BOS when the file says so, then the text split
 * at special tokens (control, user-defined, unknown: matched whole, longest first), each stretch split by
 * the file's pre-tokenizer ({@link BpePreTokenizers}), each piece turned into one symbol per byte and
 * merged by rank (lowest first, leftmost first) until no merge applies. Decoding skips control and
 * unknown tokens, writes user-defined tokens as their text and maps the rest back to bytes.
 * Thread-safe.
 */
public final class GgufBpeTokenizer implements Tokenizer {
    private final GgufVocabulary vocab;
    private final Map<String, Integer> ids;
    private final int[] byteIds = new int[256];
    private final HashMap<Long, Long> mergeRankAndId;
    private final SpecialTokenMatcher specials;
    private final BpePreTokenizers.Splitter splitter;
    private final Map<String, int[]> cache = new ConcurrentHashMap<>();

    GgufBpeTokenizer(GgufVocabulary vocab, Object source) {
        this.vocab = vocab;
        String[] tokens = vocab.tokens();
        ids = new HashMap<>(tokens.length * 2);
        List<Integer> special = new ArrayList<>();
        for (int i = 0; i < tokens.length; i++) {
            ids.putIfAbsent(tokens[i], i);
            int type = vocab.type(i);
            if (type == GgufVocabulary.CONTROL
                    || type == GgufVocabulary.USER_DEFINED
                    || type == GgufVocabulary.UNKNOWN) {
                special.add(i);
            }
        }
        Arrays.fill(byteIds, -1);
        for (int b = 0; b < 256; b++) {
            Integer id = ids.get(String.valueOf(ByteLevel.charOf(b)));
            if (id != null) byteIds[b] = id;
        }
        String[] merges = vocab.merges();
        mergeRankAndId = new HashMap<>(merges.length * 2);
        for (int r = 0; r < merges.length; r++) {
            long[] pairAndResult = parseMerge(merges[r]);
            if (pairAndResult == null) {
                throw CllmException.badFormat(
                        source,
                        "tokenizer merge " + r + " '" + GgufFile.printable(merges[r])
                                + "' is not two tokens whose concatenation is a token");
            }
            mergeRankAndId.putIfAbsent(pairAndResult[0], ((long) r << 32) | pairAndResult[1]);
        }
        specials = new SpecialTokenMatcher(tokens, special);
        splitter = BpePreTokenizers.forName(vocab.pre(), source);
    }

    /** {pair key, result id} for "left right", trying each space as the separator; null when none fits. */
    private long[] parseMerge(String merge) {
        for (int p = merge.indexOf(' '); p >= 0; p = merge.indexOf(' ', p + 1)) {
            Integer left = ids.get(merge.substring(0, p)), right = ids.get(merge.substring(p + 1));
            if (left == null || right == null) continue;
            Integer result = ids.get(merge.substring(0, p) + merge.substring(p + 1));
            if (result != null) return new long[] {((long) left << 32) | right, result};
        }
        return null;
    }

    @Override
    public int[] encode(String text) {
        if (text == null) throw new IllegalArgumentException("text must not be null");
        ByteBpeTokenizer.IntList out = new ByteBpeTokenizer.IntList(text.length() / 2 + 4);
        if (vocab.addBos() && vocab.bosId() >= 0) out.add(vocab.bosId());
        specials.split(text, stretch -> splitter.split(stretch, piece -> out.addAll(cached(piece))), out::add);
        if (vocab.addEos() && vocab.eosId() >= 0) out.add(vocab.eosId());
        return out.toArray();
    }

    private int[] cached(String piece) {
        int[] t = cache.get(piece);
        if (t == null) {
            t = bpe(piece);
            if (cache.size() > 200_000) cache.clear();
            cache.put(piece, t);
        }
        return t;
    }

    /** BPE of one piece: its bytes as symbols, then the lowest-ranked merge (leftmost first) until none applies. */
    int[] bpe(String piece) {
        byte[] bytes = piece.getBytes(StandardCharsets.UTF_8);
        int[] sym = new int[bytes.length];
        int len = 0;
        for (byte value : bytes) {
            int id = byteIds[value & 0xff];
            if (id < 0) id = vocab.unkId();
            if (id >= 0) sym[len++] = id;
        }
        while (len > 1) {
            long bestRank = Long.MAX_VALUE;
            int bestAt = -1, bestId = -1;
            for (int i = 0; i + 1 < len; i++) {
                Long v = mergeRankAndId.get(((long) sym[i] << 32) | (sym[i + 1] & 0xffffffffL));
                if (v != null && (v >>> 32) < bestRank) {
                    bestRank = v >>> 32;
                    bestAt = i;
                    bestId = (int) (long) v;
                }
            }
            if (bestAt < 0) break;
            int a = sym[bestAt], b = sym[bestAt + 1];
            int w = bestAt;
            for (int i = bestAt; i < len; i++) {
                if (i + 1 < len && sym[i] == a && sym[i + 1] == b) {
                    sym[w++] = bestId;
                    i++;
                } else {
                    sym[w++] = sym[i];
                }
            }
            len = w;
        }
        return Arrays.copyOf(sym, len);
    }

    @Override
    public String decode(int[] tokenIds) {
        if (tokenIds == null) throw new IllegalArgumentException("ids must not be null");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(tokenIds.length * 4);
        String[] tokens = vocab.tokens();
        for (int id : tokenIds) {
            if (id < 0 || id >= tokens.length) continue;
            int type = vocab.type(id);
            if (type == GgufVocabulary.CONTROL || type == GgufVocabulary.UNKNOWN) continue;
            String t = tokens[id];
            if (type == GgufVocabulary.USER_DEFINED) {
                bytes.writeBytes(t.getBytes(StandardCharsets.UTF_8));
                continue;
            }
            for (int k = 0; k < t.length(); k++) {
                int b = ByteLevel.byteOf(t.charAt(k));
                if (b >= 0) bytes.write(b);
                else bytes.writeBytes(String.valueOf(t.charAt(k)).getBytes(StandardCharsets.UTF_8));
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
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
