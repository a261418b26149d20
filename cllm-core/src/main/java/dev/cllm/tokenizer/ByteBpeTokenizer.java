package dev.cllm.tokenizer;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import dev.cllm.CllmException;
import dev.cllm.model.JsonFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Our byte-level BPE tokenizer, in pure Java, and its Hugging Face {@code tokenizer.json} form.
 *
 * <p>Vocabulary layout (fixed): id 0 {@code <s>} (BOS), id 1 {@code </s>} (EOS), id 2 {@code <pad>}, ids 3 to
 * 258 the 256 single bytes in byte order (id = 3 + byte value, written with the GPT-2 byte-to-unicode
 * characters), then one id per learned merge in merge order. Pre-tokenization is {@link PreTokenizer}
 * (every digit alone, then the GPT-2 regex), so numbers are always one token per digit.
 *
 * <p>{@link #encode(String)} prepends BOS (the tokenizer.json post-processor does the same) and never
 * appends EOS; the special tokens' texts in the input ({@code "</s>"}) become their ids, as Hugging Face
 * does. {@link #decode(int[])} skips special tokens. The ids equal those of Hugging Face tokenizers (DJL)
 * loading the file from {@link #save(Path)}.
 */
public final class ByteBpeTokenizer implements Tokenizer {
    public static final int BOS_ID = 0;
    public static final int EOS_ID = 1;
    public static final int PAD_ID = 2;
    public static final String BOS = "<s>";
    public static final String EOS = "</s>";
    public static final String PAD = "<pad>";
    /** Id of the first byte token (byte 0); byte b has id {@code FIRST_BYTE_ID + b}. */
    public static final int FIRST_BYTE_ID = 3;
    /** Number of ids before the first merge. */
    public static final int BASE_VOCAB = FIRST_BYTE_ID + 256;

    static final String[] SPECIALS = {BOS, EOS, PAD};

    private final String[] tokens;
    private final Map<String, Integer> ids;
    private final long[] merges;
    private final HashMap<Long, Long> mergeRankAndId;
    private final Map<String, int[]> cache = new ConcurrentHashMap<>();

    /**
     * @param tokens every token by id (byte-level characters; specials as their text), laid out as the class
     *     comment says
     * @param merges the merges in rank order, each {@code ((long) leftId << 32) | rightId}
     */
    ByteBpeTokenizer(String[] tokens, long[] merges) {
        if (tokens.length < BASE_VOCAB) throw new IllegalArgumentException("vocabulary smaller than " + BASE_VOCAB);
        for (int i = 0; i < SPECIALS.length; i++) {
            if (!SPECIALS[i].equals(tokens[i]))
                throw new IllegalArgumentException("id " + i + " must be " + SPECIALS[i]);
        }
        for (int b = 0; b < 256; b++) {
            if (tokens[FIRST_BYTE_ID + b].length() != 1 || tokens[FIRST_BYTE_ID + b].charAt(0) != ByteLevel.charOf(b)) {
                throw new IllegalArgumentException("id " + (FIRST_BYTE_ID + b) + " must be byte " + b);
            }
        }
        this.tokens = tokens.clone();
        this.ids = new HashMap<>(tokens.length * 2);
        for (int i = 0; i < tokens.length; i++) {
            if (ids.put(tokens[i], i) != null)
                throw new IllegalArgumentException("duplicate token '" + tokens[i] + "'");
        }
        this.merges = merges.clone();
        this.mergeRankAndId = new HashMap<>(merges.length * 2);
        for (int r = 0; r < merges.length; r++) {
            int a = (int) (merges[r] >>> 32), b = (int) merges[r];
            if (a < FIRST_BYTE_ID || b < FIRST_BYTE_ID || a >= tokens.length || b >= tokens.length) {
                throw new IllegalArgumentException("merge " + r + " uses an unknown or special id");
            }
            Integer z = ids.get(tokens[a] + tokens[b]);
            if (z == null)
                throw new IllegalArgumentException(
                        "merge " + r + ": '" + tokens[a] + tokens[b] + "' not in vocabulary");
            mergeRankAndId.putIfAbsent(merges[r], ((long) r << 32) | z);
        }
    }

    // ---------------------------------------------------------------- Tokenizer

    @Override
    public int[] encode(String text) {
        return encode(text, true);
    }

    /** Encodes; with {@code addSpecialTokens} BOS is prepended (as the tokenizer.json post-processor does). */
    public int[] encode(String text, boolean addSpecialTokens) {
        if (text == null) throw new IllegalArgumentException("text must not be null");
        IntList out = new IntList(text.length() / 2 + 4);
        if (addSpecialTokens) out.add(BOS_ID);
        int start = 0;
        int i = 0;
        int n = text.length();
        while (i < n) {
            int special = text.charAt(i) == '<' ? specialAt(text, i) : -1;
            if (special < 0) {
                i++;
                continue;
            }
            if (start < i) encodeOrdinary(text.substring(start, i), out);
            out.add(special);
            i += SPECIALS[special].length();
            start = i;
        }
        if (start < n) encodeOrdinary(text.substring(start), out);
        return out.toArray();
    }

    /** The special token id whose text starts at {@code i} (longest match), or -1. */
    static int specialAt(CharSequence text, int i) {
        int best = -1;
        for (int s = 0; s < SPECIALS.length; s++) {
            String sp = SPECIALS[s];
            if (i + sp.length() <= text.length()
                    && (best < 0 || sp.length() > SPECIALS[best].length())
                    && regionMatches(text, i, sp)) {
                best = s;
            }
        }
        return best;
    }

    private static boolean regionMatches(CharSequence text, int i, String s) {
        for (int k = 0; k < s.length(); k++) {
            if (text.charAt(i + k) != s.charAt(k)) return false;
        }
        return true;
    }

    private void encodeOrdinary(String text, IntList out) {
        PreTokenizer.split(text, piece -> {
            int[] t = cache.get(piece);
            if (t == null) {
                t = bpe(piece);
                if (cache.size() > 200_000) cache.clear();
                cache.put(piece, t);
            }
            out.addAll(t);
        });
    }

    /** BPE of one pre-token: start from its bytes and apply the lowest-ranked merge until none applies. */
    int[] bpe(String piece) {
        byte[] bytes = piece.getBytes(StandardCharsets.UTF_8);
        int[] sym = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) sym[i] = FIRST_BYTE_ID + (bytes[i] & 0xFF);
        int len = sym.length;
        while (len > 1) {
            long bestRank = Long.MAX_VALUE;
            long bestPair = 0;
            int bestId = -1;
            for (int i = 0; i + 1 < len; i++) {
                long key = ((long) sym[i] << 32) | (sym[i + 1] & 0xFFFFFFFFL);
                Long v = mergeRankAndId.get(key);
                if (v != null && (v >>> 32) < bestRank) {
                    bestRank = v >>> 32;
                    bestPair = key;
                    bestId = (int) (long) v;
                }
            }
            if (bestId < 0) break;
            int a = (int) (bestPair >>> 32), b = (int) bestPair;
            int w = 0;
            for (int i = 0; i < len; i++) {
                if (i + 1 < len && sym[i] == a && sym[i + 1] == b) {
                    sym[w++] = bestId;
                    i++;
                } else {
                    sym[w++] = sym[i];
                }
            }
            len = w;
        }
        return len == sym.length ? sym : Arrays.copyOf(sym, len);
    }

    /** Decodes, skipping special tokens. */
    @Override
    public String decode(int[] ids) {
        return decode(ids, true);
    }

    /** Decodes; special tokens are skipped or written as their text. Invalid UTF-8 becomes U+FFFD. */
    public String decode(int[] ids, boolean skipSpecialTokens) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(ids.length * 3);
        for (int id : ids) {
            if (id < 0 || id >= tokens.length) {
                throw new IllegalArgumentException("token id " + id + " is outside [0, " + tokens.length + ")");
            }
            if (id < FIRST_BYTE_ID) {
                if (!skipSpecialTokens) bytes.writeBytes(tokens[id].getBytes(StandardCharsets.UTF_8));
                continue;
            }
            String t = tokens[id];
            for (int k = 0; k < t.length(); k++) bytes.write(ByteLevel.byteOf(t.charAt(k)));
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Override
    public int vocabSize() {
        return tokens.length;
    }

    @Override
    public int bosId() {
        return BOS_ID;
    }

    @Override
    public int eosId() {
        return EOS_ID;
    }

    public int padId() {
        return PAD_ID;
    }

    /** The token string of an id (byte-level characters, e.g. "Ġclips"; specials as their text). */
    public String token(int id) {
        return tokens[id];
    }

    /** The id of a token string, or -1. */
    public int id(String token) {
        Integer i = ids.get(token);
        return i == null ? -1 : i;
    }

    /** Number of merges. */
    public int mergeCount() {
        return merges.length;
    }

    /** Merge {@code rank} as "left right" (the two token strings), as tokenizer.json and GGUF write merges. */
    public String merge(int rank) {
        long pair = merges[rank];
        return tokens[(int) (pair >>> 32)] + " " + tokens[(int) pair];
    }

    /** The token strings of the encoding of {@code text} (without BOS), for inspection. */
    public List<String> tokenize(String text) {
        List<String> out = new ArrayList<>();
        for (int id : encode(text, false)) out.add(tokens[id]);
        return out;
    }

    // ---------------------------------------------------------------- tokenizer.json

    /** The Hugging Face tokenizer.json document. */
    public JsonObject toJson() {
        JsonObject root = new JsonObject();
        root.addProperty("version", "1.0");
        root.add("truncation", JsonNull.INSTANCE);
        root.add("padding", JsonNull.INSTANCE);
        JsonArray added = new JsonArray();
        for (int i = 0; i < SPECIALS.length; i++) {
            JsonObject t = new JsonObject();
            t.addProperty("id", i);
            t.addProperty("content", SPECIALS[i]);
            t.addProperty("single_word", false);
            t.addProperty("lstrip", false);
            t.addProperty("rstrip", false);
            t.addProperty("normalized", false);
            t.addProperty("special", true);
            added.add(t);
        }
        root.add("added_tokens", added);
        root.add("normalizer", JsonNull.INSTANCE);
        root.add("pre_tokenizer", preTokenizerJson());
        root.add("post_processor", postProcessorJson());
        root.add("decoder", byteLevelJson());

        JsonObject model = new JsonObject();
        model.addProperty("type", "BPE");
        model.add("dropout", JsonNull.INSTANCE);
        model.add("unk_token", JsonNull.INSTANCE);
        model.add("continuing_subword_prefix", JsonNull.INSTANCE);
        model.add("end_of_word_suffix", JsonNull.INSTANCE);
        model.addProperty("fuse_unk", false);
        model.addProperty("byte_fallback", false);
        model.addProperty("ignore_merges", false);
        JsonObject vocab = new JsonObject();
        for (int i = 0; i < tokens.length; i++) vocab.addProperty(tokens[i], i);
        model.add("vocab", vocab);
        JsonArray m = new JsonArray();
        for (int r = 0; r < merges.length; r++) m.add(merge(r));
        model.add("merges", m);
        root.add("model", model);
        return root;
    }

    static JsonObject preTokenizerJson() {
        JsonObject digits = new JsonObject();
        digits.addProperty("type", "Digits");
        digits.addProperty("individual_digits", true);
        JsonArray seq = new JsonArray();
        seq.add(digits);
        seq.add(byteLevelJson());
        JsonObject pre = new JsonObject();
        pre.addProperty("type", "Sequence");
        pre.add("pretokenizers", seq);
        return pre;
    }

    private static JsonObject byteLevelJson() {
        JsonObject bl = new JsonObject();
        bl.addProperty("type", "ByteLevel");
        bl.addProperty("add_prefix_space", false);
        bl.addProperty("trim_offsets", true);
        bl.addProperty("use_regex", true);
        return bl;
    }

    private static JsonObject postProcessorJson() {
        JsonObject pp = new JsonObject();
        pp.addProperty("type", "TemplateProcessing");
        JsonArray single = new JsonArray();
        single.add(specialPiece(BOS, 0));
        single.add(sequencePiece("A", 0));
        JsonArray pair = new JsonArray();
        pair.add(specialPiece(BOS, 0));
        pair.add(sequencePiece("A", 0));
        pair.add(specialPiece(BOS, 1));
        pair.add(sequencePiece("B", 1));
        pp.add("single", single);
        pp.add("pair", pair);
        JsonObject specials = new JsonObject();
        JsonObject bos = new JsonObject();
        bos.addProperty("id", BOS);
        JsonArray bosIds = new JsonArray();
        bosIds.add(BOS_ID);
        bos.add("ids", bosIds);
        JsonArray bosTokens = new JsonArray();
        bosTokens.add(BOS);
        bos.add("tokens", bosTokens);
        specials.add(BOS, bos);
        pp.add("special_tokens", specials);
        return pp;
    }

    private static JsonObject specialPiece(String id, int typeId) {
        JsonObject inner = new JsonObject();
        inner.addProperty("id", id);
        inner.addProperty("type_id", typeId);
        JsonObject o = new JsonObject();
        o.add("SpecialToken", inner);
        return o;
    }

    private static JsonObject sequencePiece(String id, int typeId) {
        JsonObject inner = new JsonObject();
        inner.addProperty("id", id);
        inner.addProperty("type_id", typeId);
        JsonObject o = new JsonObject();
        o.add("Sequence", inner);
        return o;
    }

    /** The tokenizer.json text. */
    public String toJsonString() {
        return new GsonBuilder()
                .disableHtmlEscaping()
                .setPrettyPrinting()
                .create()
                .toJson(toJson());
    }

    /** Writes tokenizer.json (UTF-8). */
    public void save(Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            Files.writeString(file, toJsonString(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CllmException(CllmException.Status.IO, "cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Loads a tokenizer.json written by {@link #save(Path)} (or any with the same layout, pre-tokenizer and
     * specials). Other tokenizer.json files are rejected with {@link CllmException.Status#UNSUPPORTED}.
     */
    public static ByteBpeTokenizer load(Path file) {
        JsonObject root = JsonFiles.readObject(file);
        try {
            if (!preTokenizerJson().equals(root.get("pre_tokenizer"))) {
                throw new CllmException(
                        CllmException.Status.UNSUPPORTED,
                        file
                                + ": pre_tokenizer is not Sequence[Digits(individual), ByteLevel]; use the Hugging Face loader");
            }
            JsonObject model = root.getAsJsonObject("model");
            if (model == null || !"BPE".equals(model.get("type").getAsString())) {
                throw new CllmException(CllmException.Status.UNSUPPORTED, file + ": model is not BPE");
            }
            JsonObject vocab = model.getAsJsonObject("vocab");
            String[] toks = new String[vocab.size()];
            for (Map.Entry<String, JsonElement> e : vocab.entrySet()) {
                int id = e.getValue().getAsInt();
                if (id < 0 || id >= toks.length || toks[id] != null)
                    throw CllmException.badFormat(file, "vocabulary ids are not 0.." + (toks.length - 1));
                toks[id] = e.getKey();
            }
            JsonArray ms = model.getAsJsonArray("merges");
            long[] merges = new long[ms.size()];
            Map<String, Integer> idOf = new HashMap<>();
            for (int i = 0; i < toks.length; i++) idOf.put(toks[i], i);
            for (int r = 0; r < merges.length; r++) {
                JsonElement e = ms.get(r);
                String a, b;
                if (e.isJsonArray()) {
                    a = e.getAsJsonArray().get(0).getAsString();
                    b = e.getAsJsonArray().get(1).getAsString();
                } else {
                    String s = e.getAsString();
                    int sp = s.indexOf(' ');
                    if (sp < 0) throw CllmException.badFormat(file, "merge " + r + " is not 'a b'");
                    a = s.substring(0, sp);
                    b = s.substring(sp + 1);
                }
                Integer ia = idOf.get(a), ib = idOf.get(b);
                if (ia == null || ib == null)
                    throw CllmException.badFormat(file, "merge " + r + " uses unknown tokens");
                merges[r] = ((long) ia << 32) | ib;
            }
            return new ByteBpeTokenizer(toks, merges);
        } catch (IllegalArgumentException | IllegalStateException | NullPointerException | ClassCastException e) {
            throw CllmException.badFormat(file, e.getMessage());
        }
    }

    /** A growable int array. */
    static final class IntList {
        int[] a;
        int n;

        IntList(int cap) {
            a = new int[Math.max(4, cap)];
        }

        void add(int v) {
            if (n == a.length) a = Arrays.copyOf(a, n * 2);
            a[n++] = v;
        }

        void addAll(int[] vs) {
            if (n + vs.length > a.length) a = Arrays.copyOf(a, Math.max(a.length * 2, n + vs.length));
            System.arraycopy(vs, 0, a, n, vs.length);
            n += vs.length;
        }

        int[] toArray() {
            return Arrays.copyOf(a, n);
        }
    }
}
