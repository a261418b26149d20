package dev.cllm.tokenizer;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.cllm.CllmException;
import dev.cllm.model.Checkpoints;
import dev.cllm.model.JsonFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The vocabulary a GGUF writer stores for a checkpoint: a GGUF file's own vocabulary as it is, or the
 * checkpoint's tokenizer.json converted. Byte-level BPE tokenizer.json files become gpt2 vocabularies when
 * their pre-tokenizer has a llama.cpp name: ours (Sequence[Digits(individual), ByteLevel],
 * {@value GgufVocabulary#OUR_PRE}), plain ByteLevel with the GPT-2 regex ("gpt-2"), Llama 3's Split +
 * ByteLevel ("llama-bpe"). Llama 2-style byte-fallback BPE (Hugging Face's legacy Llama normalizer)
 * becomes a "llama" (SentencePiece-style) vocabulary with scores from the merge ranks. Added tokens become
 * control tokens (special) or user-defined tokens; BOS/EOS and whether BOS is added come from loading the
 * file with {@link Tokenizers#load}. Other tokenizers are UNSUPPORTED, with the reason.
 */
public final class GgufTokenizerExport {
    private GgufTokenizerExport() {}

    /** The vocabulary to store for a checkpoint; empty when it has no tokenizer at all. */
    public static Optional<GgufVocabulary> forCheckpoint(Path checkpoint) {
        if (Files.isRegularFile(checkpoint) && Checkpoints.detect(checkpoint) == Checkpoints.Format.GGUF) {
            Optional<GgufVocabulary> own = Tokenizers.ggufVocabulary(checkpoint);
            if (own.isPresent()) return own;
        }
        Optional<Path> json = Checkpoints.tokenizerFile(checkpoint);
        return json.isPresent() ? Optional.of(fromTokenizerJson(json.get())) : Optional.empty();
    }

    /** A byte-level BPE tokenizer.json as a gpt2 vocabulary. */
    public static GgufVocabulary fromTokenizerJson(Path file) {
        JsonObject root = JsonFiles.readObject(file);
        JsonElement modelElement = root.get("model");
        if (modelElement == null || !modelElement.isJsonObject()) {
            throw CllmException.badFormat(file, "not a Hugging Face tokenizer.json: no \"model\" object");
        }
        JsonObject model = modelElement.getAsJsonObject();
        if (!"BPE".equals(string(model, "type")))
            throw unsupported(file, "model type " + model.get("type") + " (only BPE)");
        if (bool(model, "byte_fallback")) {
            if (!isLegacyLlamaNormalizer(root.get("normalizer")) || !isNull(root.get("pre_tokenizer"))) {
                throw unsupported(
                        file,
                        "byte-fallback BPE without Llama's Prepend(\u2581) + Replace(' ', \u2581) " + "normalizer");
            }
            try {
                return convertSentencePiece(root, model, file);
            } catch (IllegalStateException
                    | ClassCastException
                    | NullPointerException
                    | UnsupportedOperationException e) {
                throw CllmException.badFormat(file, "malformed BPE tokenizer: " + e.getMessage());
            }
        }
        if (root.has("normalizer") && !root.get("normalizer").isJsonNull()) {
            throw unsupported(file, "a normalizer (" + root.get("normalizer") + ")");
        }
        String pre = preTokenizerName(root.get("pre_tokenizer"));
        if (pre == null) throw unsupported(file, "pre_tokenizer " + root.get("pre_tokenizer"));
        try {
            return convert(root, model, pre, file);
        } catch (IllegalStateException | ClassCastException | NullPointerException | UnsupportedOperationException e) {
            throw CllmException.badFormat(file, "malformed BPE tokenizer: " + e.getMessage());
        }
    }

    private static GgufVocabulary convert(JsonObject root, JsonObject model, String pre, Path file) {
        Vocab v = vocab(root, model, file);
        int[] bosEosAddBos = specials(file);
        return new GgufVocabulary(
                GgufVocabulary.GPT2,
                pre,
                v.tokens,
                null,
                v.types,
                merges(model),
                bosEosAddBos[0],
                bosEosAddBos[1],
                -1,
                -1,
                bosEosAddBos[2] == 1,
                false,
                false);
    }

    /**
     * A Llama-style (SentencePiece converted) byte-fallback BPE as a "llama" vocabulary. The scores order
     * the merges as the merge list does: a token's score is minus the rank of the first merge that makes it
     * (tokens no merge makes get the lowest score). For tokenizer.json files converted from SentencePiece,
     * whose merges list every split of every piece, this encodes as the merge list does.
     */
    private static GgufVocabulary convertSentencePiece(JsonObject root, JsonObject model, Path file) {
        Vocab v = vocab(root, model, file);
        Map<String, Integer> ids = new HashMap<>();
        for (int i = 0; i < v.tokens.length; i++) ids.putIfAbsent(v.tokens[i], i);
        float[] scores = new float[v.tokens.length];
        java.util.Arrays.fill(scores, -Float.MAX_VALUE);
        String[] merges = merges(model);
        for (int r = merges.length - 1; r >= 0; r--) {
            Integer id = ids.get(merges[r].replace(" ", ""));
            if (id != null) scores[id] = -r;
        }
        String unk = model.has("unk_token") && model.get("unk_token").isJsonPrimitive()
                ? model.get("unk_token").getAsString()
                : null;
        int unkId = unk == null ? -1 : ids.getOrDefault(unk, -1);
        for (int i = 0; i < v.tokens.length; i++) {
            if (i == unkId) v.types[i] = GgufVocabulary.UNKNOWN;
            else if (v.types[i] == GgufVocabulary.NORMAL && SentencePieceTokenizer.byteValue(v.tokens[i]) >= 0) {
                v.types[i] = GgufVocabulary.BYTE;
            }
        }
        int[] bosEosAddBos = specials(file);
        return new GgufVocabulary(
                GgufVocabulary.LLAMA,
                null,
                v.tokens,
                scores,
                v.types,
                null,
                bosEosAddBos[0],
                bosEosAddBos[1],
                unkId,
                -1,
                bosEosAddBos[2] == 1,
                false,
                true);
    }

    /** Tokens by id and their types (added tokens: control when special, else user-defined). */
    private record Vocab(String[] tokens, int[] types) {}

    private static Vocab vocab(JsonObject root, JsonObject model, Path file) {
        Map<Integer, String> byId = new HashMap<>();
        Map<Integer, Integer> types = new HashMap<>();
        for (Map.Entry<String, JsonElement> e : model.getAsJsonObject("vocab").entrySet()) {
            byId.put(e.getValue().getAsInt(), e.getKey());
        }
        JsonElement added = root.get("added_tokens");
        if (added != null && added.isJsonArray()) {
            for (JsonElement a : added.getAsJsonArray()) {
                JsonObject t = a.getAsJsonObject();
                int id = t.get("id").getAsInt();
                byId.put(id, t.get("content").getAsString());
                boolean special = t.has("special") && t.get("special").getAsBoolean();
                types.put(id, special ? GgufVocabulary.CONTROL : GgufVocabulary.USER_DEFINED);
            }
        }
        int size = byId.keySet().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
        if (size <= 0 || byId.keySet().stream().anyMatch(id -> id < 0)) {
            throw CllmException.badFormat(file, "vocabulary ids are not 0..n-1");
        }
        String[] tokens = new String[size];
        int[] tokenTypes = new int[size];
        for (int i = 0; i < size; i++) {
            // llama.cpp's converter fills holes in the id range with unused placeholder tokens.
            tokens[i] = byId.getOrDefault(i, "[PAD" + i + "]");
            tokenTypes[i] = byId.containsKey(i) ? types.getOrDefault(i, GgufVocabulary.NORMAL) : GgufVocabulary.UNUSED;
        }
        return new Vocab(tokens, tokenTypes);
    }

    private static String[] merges(JsonObject model) {
        List<String> merges = new ArrayList<>();
        for (JsonElement m : model.getAsJsonArray("merges")) {
            if (m.isJsonArray()) {
                JsonArray pair = m.getAsJsonArray();
                merges.add(pair.get(0).getAsString() + " " + pair.get(1).getAsString());
            } else {
                merges.add(m.getAsString());
            }
        }
        return merges.toArray(new String[0]);
    }

    /** {BOS id, EOS id, 1 when encoding adds BOS}, as {@link Tokenizers#load} and the file's post-processor say. */
    private static int[] specials(Path file) {
        try (HfTokenizer hf = Tokenizers.load(file)) {
            int[] empty = hf.encode("");
            boolean addBos = hf.bosId() >= 0 && empty.length > 0 && empty[0] == hf.bosId();
            return new int[] {hf.bosId(), hf.eosId(), addBos ? 1 : 0};
        }
    }

    /** Hugging Face's legacy Llama normalizer: Sequence[Prepend("▁"), Replace(" ", "▁")]. */
    private static boolean isLegacyLlamaNormalizer(JsonElement n) {
        if (!(n instanceof JsonObject o)
                || !"Sequence".equals(string(o, "type"))
                || !(o.get("normalizers") instanceof JsonArray list)
                || list.size() != 2
                || !(list.get(0) instanceof JsonObject prepend)
                || !(list.get(1) instanceof JsonObject replace)) {
            return false;
        }
        String sp = String.valueOf(SentencePieceTokenizer.SPACE);
        return "Prepend".equals(string(prepend, "type"))
                && sp.equals(string(prepend, "prepend"))
                && "Replace".equals(string(replace, "type"))
                && sp.equals(string(replace, "content"))
                && replace.get("pattern") instanceof JsonObject pattern
                && " ".equals(string(pattern, "String"));
    }

    private static boolean isNull(JsonElement e) {
        return e == null || e.isJsonNull();
    }

    /** llama.cpp's name for a byte-level pre-tokenizer, or null when it has none. */
    static String preTokenizerName(JsonElement pre) {
        if (pre == null || !pre.isJsonObject()) return null;
        JsonObject p = pre.getAsJsonObject();
        if (p.equals(ByteBpeTokenizer.preTokenizerJson())) return GgufVocabulary.OUR_PRE;
        if ("ByteLevel".equals(string(p, "type")) && useRegex(p) && !bool(p, "add_prefix_space")) return "gpt-2";
        if ("Sequence".equals(string(p, "type"))
                && p.get("pretokenizers") instanceof JsonArray list
                && list.size() == 2
                && list.get(0).isJsonObject()
                && list.get(1).isJsonObject()) {
            JsonObject split = list.get(0).getAsJsonObject(),
                    byteLevel = list.get(1).getAsJsonObject();
            if ("Split".equals(string(split, "type"))
                    && "ByteLevel".equals(string(byteLevel, "type"))
                    && !useRegex(byteLevel)
                    && !bool(byteLevel, "add_prefix_space")
                    && split.get("pattern") instanceof JsonObject pattern
                    && BpePreTokenizers.LLAMA3_REGEX.equals(string(pattern, "Regex"))
                    && "Isolated".equals(string(split, "behavior"))
                    && !bool(split, "invert")) {
                return "llama-bpe";
            }
        }
        return null;
    }

    private static boolean useRegex(JsonObject byteLevel) {
        return !byteLevel.has("use_regex") || bool(byteLevel, "use_regex");
    }

    private static String string(JsonObject o, String key) {
        JsonElement e = o.get(key);
        return e != null && e.isJsonPrimitive() ? e.getAsString() : null;
    }

    private static boolean bool(JsonObject o, String key) {
        JsonElement e = o.get(key);
        return e != null && e.isJsonPrimitive() && e.getAsBoolean();
    }

    private static CllmException unsupported(Path file, String what) {
        return new CllmException(
                CllmException.Status.UNSUPPORTED,
                file + ": " + what
                        + " cannot be written as a GGUF vocabulary (supported: byte-level BPE with our, GPT-2's or Llama 3's"
                        + " pre-tokenizer)");
    }
}
