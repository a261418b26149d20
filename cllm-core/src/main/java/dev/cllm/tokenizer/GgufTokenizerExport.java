package dev.cllm.tokenizer;

import dev.cllm.CllmException;
import dev.cllm.model.Checkpoints;
import dev.cllm.model.JsonFiles;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The vocabulary a GGUF writer stores for a checkpoint: a GGUF file's own vocabulary as it is, or the
 * checkpoint's tokenizer.json converted to a gpt2 (byte-level BPE) vocabulary. Byte-level BPE
 * tokenizer.json files convert when their pre-tokenizer has a llama.cpp name: ours
 * (Sequence[Digits(individual), ByteLevel], {@value GgufVocabulary#OUR_PRE}), plain ByteLevel with the
 * GPT-2 regex ("gpt-2"), Llama 3's Split + ByteLevel ("llama-bpe"). Added tokens become control tokens
 * (special) or user-defined tokens; BOS/EOS and whether BOS is added come from loading the file with
 * {@link Tokenizers#load}. Other tokenizers are UNSUPPORTED, with the reason.
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
        if (!"BPE".equals(string(model, "type"))) throw unsupported(file, "model type " + model.get("type") + " (only BPE)");
        if (model.has("byte_fallback") && model.get("byte_fallback").isJsonPrimitive()
                && model.get("byte_fallback").getAsBoolean()) {
            throw unsupported(file, "byte-fallback (SentencePiece-style) BPE");
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
        List<String> merges = new ArrayList<>();
        for (JsonElement m : model.getAsJsonArray("merges")) {
            if (m.isJsonArray()) {
                JsonArray pair = m.getAsJsonArray();
                merges.add(pair.get(0).getAsString() + " " + pair.get(1).getAsString());
            } else {
                merges.add(m.getAsString());
            }
        }
        int bos, eos;
        boolean addBos;
        try (HfTokenizer hf = Tokenizers.load(file)) {
            bos = hf.bosId();
            eos = hf.eosId();
            int[] empty = hf.encode("");
            addBos = bos >= 0 && empty.length > 0 && empty[0] == bos;
        }
        return new GgufVocabulary(GgufVocabulary.GPT2, pre, tokens, null, tokenTypes, merges.toArray(new String[0]),
                bos, eos, -1, -1, addBos, false, false);
    }

    /** llama.cpp's name for a byte-level pre-tokenizer, or null when it has none. */
    static String preTokenizerName(JsonElement pre) {
        if (pre == null || !pre.isJsonObject()) return null;
        JsonObject p = pre.getAsJsonObject();
        if (p.equals(ByteBpeTokenizer.preTokenizerJson())) return GgufVocabulary.OUR_PRE;
        if ("ByteLevel".equals(string(p, "type")) && useRegex(p) && !bool(p, "add_prefix_space")) return "gpt-2";
        if ("Sequence".equals(string(p, "type")) && p.get("pretokenizers") instanceof JsonArray list && list.size() == 2
                && list.get(0).isJsonObject() && list.get(1).isJsonObject()) {
            JsonObject split = list.get(0).getAsJsonObject(), byteLevel = list.get(1).getAsJsonObject();
            if ("Split".equals(string(split, "type")) && "ByteLevel".equals(string(byteLevel, "type")) && !useRegex(byteLevel)
                    && !bool(byteLevel, "add_prefix_space")
                    && split.get("pattern") instanceof JsonObject pattern
                    && BpePreTokenizers.LLAMA3_REGEX.equals(string(pattern, "Regex"))
                    && "Isolated".equals(string(split, "behavior")) && !bool(split, "invert")) {
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
        return new CllmException(CllmException.Status.UNSUPPORTED, file + ": " + what
                + " cannot be written as a GGUF vocabulary (supported: byte-level BPE with our, GPT-2's or Llama 3's"
                + " pre-tokenizer)");
    }
}
