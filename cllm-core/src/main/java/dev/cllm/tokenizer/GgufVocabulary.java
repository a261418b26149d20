package dev.cllm.tokenizer;

import dev.cllm.CllmException;
import dev.cllm.model.GgufFile;
import dev.cllm.model.GgufMetadata;
import dev.cllm.model.GgufValue;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The tokenizer a GGUF file carries in its {@code tokenizer.ggml.*} metadata (llama.cpp's keys), and the
 * {@link Tokenizer} it makes: {@code model} "llama" is a SentencePiece-style BPE over scores
 * ({@link SentencePieceTokenizer}), "gpt2" a byte-level BPE over merges ({@link GgufBpeTokenizer}).
 *
 * @param model {@code tokenizer.ggml.model}: "llama" or "gpt2"
 * @param pre {@code tokenizer.ggml.pre}, the pre-tokenizer of a gpt2 vocabulary (null when absent)
 * @param tokens every token by id
 * @param scores per token (SentencePiece merge priorities), or null
 * @param types per token ({@link #NORMAL} ... {@link #BYTE}), or null (all normal)
 * @param merges gpt2 merges "left right" in rank order, or null
 * @param bosId BOS id or -1; likewise {@code eosId}, {@code unkId}, {@code padId}
 * @param addBos whether encoding starts with BOS; {@code addEos} whether it ends with EOS
 * @param addSpacePrefix SentencePiece: whether a space is put before the text (and removed on decode)
 */
public record GgufVocabulary(
        String model,
        String pre,
        String[] tokens,
        float[] scores,
        int[] types,
        String[] merges,
        int bosId,
        int eosId,
        int unkId,
        int padId,
        boolean addBos,
        boolean addEos,
        boolean addSpacePrefix) {
    public static final String LLAMA = "llama";
    public static final String GPT2 = "gpt2";
    /** Token types ({@code tokenizer.ggml.token_type}), as llama.cpp numbers them; 0 is "undefined". */
    public static final int NORMAL = 1, UNKNOWN = 2, CONTROL = 3, USER_DEFINED = 4, UNUSED = 5, BYTE = 6;
    /** The pre-tokenizer name our own byte-level BPE tokenizers are written with (digits alone, then GPT-2). */
    public static final String OUR_PRE = "refact";

    static final String MODEL = "tokenizer.ggml.model";
    static final String PRE = "tokenizer.ggml.pre";
    static final String TOKENS = "tokenizer.ggml.tokens";
    static final String SCORES = "tokenizer.ggml.scores";
    static final String TYPES = "tokenizer.ggml.token_type";
    static final String MERGES = "tokenizer.ggml.merges";
    static final String BOS = "tokenizer.ggml.bos_token_id";
    static final String EOS = "tokenizer.ggml.eos_token_id";
    static final String UNK = "tokenizer.ggml.unknown_token_id";
    static final String PAD = "tokenizer.ggml.padding_token_id";
    static final String ADD_BOS = "tokenizer.ggml.add_bos_token";
    static final String ADD_EOS = "tokenizer.ggml.add_eos_token";
    static final String ADD_SPACE_PREFIX = "tokenizer.ggml.add_space_prefix";

    /**
     * The vocabulary of a GGUF file's metadata; empty when the file has none ({@code tokenizer.ggml.model}
     * absent or "none"). BAD_FORMAT for inconsistent metadata, UNSUPPORTED for other tokenizer models.
     */
    public static Optional<GgufVocabulary> read(GgufMetadata m, Object source) {
        String model = m.string(MODEL, null);
        if (model == null || model.equals("none")) return Optional.empty();
        if (!model.equals(LLAMA) && !model.equals(GPT2)) {
            throw new CllmException(
                    CllmException.Status.UNSUPPORTED,
                    source + ": tokenizer model '" + GgufFile.printable(model)
                            + "' is not supported (only llama and gpt2)");
        }
        String[] tokens = m.strings(TOKENS);
        if (tokens == null || tokens.length == 0) throw CllmException.badFormat(source, "missing or empty " + TOKENS);
        float[] scores = m.floats(SCORES);
        if (scores != null && scores.length != tokens.length) {
            throw CllmException.badFormat(
                    source, SCORES + " has " + scores.length + " entries for " + tokens.length + " tokens");
        }
        int[] types = null;
        long[] rawTypes = m.integers(TYPES);
        if (rawTypes != null) {
            if (rawTypes.length != tokens.length) {
                throw CllmException.badFormat(
                        source, TYPES + " has " + rawTypes.length + " entries for " + tokens.length + " tokens");
            }
            types = new int[rawTypes.length];
            for (int i = 0; i < types.length; i++) {
                if (rawTypes[i] < 0 || rawTypes[i] > BYTE) {
                    throw CllmException.badFormat(source, TYPES + " of token " + i + " is " + rawTypes[i]);
                }
                types[i] = (int) rawTypes[i];
            }
        }
        String[] merges = m.strings(MERGES);
        if (model.equals(GPT2) && merges == null)
            throw CllmException.badFormat(source, "gpt2 tokenizer without " + MERGES);
        boolean llama = model.equals(LLAMA);
        return Optional.of(new GgufVocabulary(
                model,
                m.string(PRE, null),
                tokens,
                scores,
                types,
                merges,
                id(m, BOS, tokens.length, source),
                id(m, EOS, tokens.length, source),
                id(m, UNK, tokens.length, source),
                id(m, PAD, tokens.length, source),
                m.bool(ADD_BOS, llama),
                m.bool(ADD_EOS, false),
                m.bool(ADD_SPACE_PREFIX, llama)));
    }

    private static int id(GgufMetadata m, String key, int vocab, Object source) {
        if (!m.has(key)) return -1;
        int id = m.count(key, -1);
        if (id >= vocab) {
            throw CllmException.badFormat(
                    source, key + " " + id + " is outside the vocabulary of " + vocab + " tokens");
        }
        return id;
    }

    /** The {@code tokenizer.ggml.*} metadata for a GGUF file (the inverse of {@link #read}). */
    public Map<String, GgufValue> toMetadata() {
        Map<String, GgufValue> out = new LinkedHashMap<>();
        out.put(MODEL, GgufValue.string(model));
        if (pre != null) out.put(PRE, GgufValue.string(pre));
        out.put(TOKENS, GgufValue.strings(tokens));
        if (scores != null) out.put(SCORES, GgufValue.float32s(scores));
        if (types != null) out.put(TYPES, GgufValue.int32s(types));
        if (merges != null) out.put(MERGES, GgufValue.strings(merges));
        if (bosId >= 0) out.put(BOS, GgufValue.uint32(bosId));
        if (eosId >= 0) out.put(EOS, GgufValue.uint32(eosId));
        if (unkId >= 0) out.put(UNK, GgufValue.uint32(unkId));
        if (padId >= 0) out.put(PAD, GgufValue.uint32(padId));
        out.put(ADD_BOS, GgufValue.bool(addBos));
        out.put(ADD_EOS, GgufValue.bool(addEos));
        if (model.equals(LLAMA)) out.put(ADD_SPACE_PREFIX, GgufValue.bool(addSpacePrefix));
        return out;
    }

    /**
     * Our byte-level BPE tokenizer as a gpt2 vocabulary: the same ids and merges, {@code <s>}, {@code </s>},
     * {@code <pad>} as control tokens, pre-tokenizer {@value #OUR_PRE} (llama.cpp's name for "every digit
     * alone, then the GPT-2 regex"), BOS added, EOS not.
     */
    public static GgufVocabulary of(ByteBpeTokenizer t) {
        String[] tokens = new String[t.vocabSize()];
        int[] types = new int[tokens.length];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = t.token(i);
            types[i] = i < ByteBpeTokenizer.FIRST_BYTE_ID ? CONTROL : NORMAL;
        }
        String[] merges = new String[t.mergeCount()];
        for (int r = 0; r < merges.length; r++) merges[r] = t.merge(r);
        return new GgufVocabulary(
                GPT2, OUR_PRE, tokens, null, types, merges, t.bosId(), t.eosId(), -1, t.padId(), true, false, false);
    }

    /**
     * This vocabulary with unused placeholder tokens ({@code [PAD<id>]}) up to {@code size}, as llama.cpp's
     * converter pads models whose embedding has more rows than the tokenizer has tokens (llama.cpp wants
     * one token per row). Encoding never produces the placeholders.
     */
    public GgufVocabulary padTo(int size) {
        if (size <= tokens.length) return this;
        String[] t = java.util.Arrays.copyOf(tokens, size);
        int[] ty = types == null ? new int[size] : java.util.Arrays.copyOf(types, size);
        if (types == null) java.util.Arrays.fill(ty, 0, tokens.length, NORMAL);
        float[] sc = scores == null ? null : java.util.Arrays.copyOf(scores, size);
        for (int i = tokens.length; i < size; i++) {
            t[i] = "[PAD" + i + "]";
            ty[i] = UNUSED;
            if (sc != null) sc[i] = -Float.MAX_VALUE;
        }
        return new GgufVocabulary(
                model, pre, t, sc, ty, merges, bosId, eosId, unkId, padId, addBos, addEos, addSpacePrefix);
    }

    /** The type of token id (NORMAL when the file gives none, or gives 0). */
    public int type(int id) {
        return types == null || types[id] == 0 ? NORMAL : types[id];
    }

    /** The tokenizer this vocabulary describes; BAD_FORMAT naming source when it is inconsistent. */
    public Tokenizer tokenizer(Object source) {
        return model.equals(LLAMA) ? new SentencePieceTokenizer(this, source) : new GgufBpeTokenizer(this, source);
    }

    public int size() {
        return tokens.length;
    }
}
