package dev.cllm.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.cllm.CllmException;
import dev.cllm.model.Checkpoints;
import dev.cllm.model.GgufFile;
import dev.cllm.model.GgufMetadata;
import dev.cllm.model.JsonErrors;
import dev.cllm.model.JsonFiles;
import dev.cllm.model.LlamaConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Loads tokenizers. BOS and EOS ids come from, in order: {@code tokenizer_config.json} beside the
 * tokenizer.json ({@code bos_token} / {@code eos_token}); for BOS, the special token the post-processor
 * puts first; well-known added tokens ({@code <s>}, {@code <|begin_of_text|>}, {@code <bos>} /
 * {@code </s>}, {@code <|end_of_text|>}, {@code <|endoftext|>}, {@code <eos>}); and last the model
 * config's ids when one is given. DJL's usage tracking is switched off (system property
 * {@code OPT_OUT_TRACKING=true}) unless the application set that switch itself.
 */
public final class Tokenizers {
    private static final List<String> BOS_NAMES = List.of("<s>", "<|begin_of_text|>", "<bos>", "<|startoftext|>");
    private static final List<String> EOS_NAMES = List.of("</s>", "<|end_of_text|>", "<|endoftext|>", "<eos>");

    static {
        // DJL "calls home" (EC2 metadata and usage tracking) on first use unless told not to; this library
        // never wants network traffic for tokenizing. Users who set the switch themselves are left alone.
        if (System.getProperty("OPT_OUT_TRACKING") == null && System.getenv("OPT_OUT_TRACKING") == null) {
            System.setProperty("OPT_OUT_TRACKING", "true");
        }
    }

    private Tokenizers() {}

    /** Loads a tokenizer.json. IO when missing, BAD_FORMAT when malformed (the message names the file). */
    public static HfTokenizer load(Path tokenizerJson) {
        return load(tokenizerJson, null);
    }

    /** Loads a tokenizer.json; config (may be null) supplies BOS/EOS ids the tokenizer files do not name. */
    public static HfTokenizer load(Path tokenizerJson, LlamaConfig config) {
        if (tokenizerJson == null) throw new IllegalArgumentException("tokenizer path must not be null");
        if (Files.isDirectory(tokenizerJson)) tokenizerJson = tokenizerJson.resolve(Checkpoints.TOKENIZER_FILE);
        JsonObject json = JsonFiles.readObject(tokenizerJson);
        JsonElement model = json.get("model");
        if (model == null || !model.isJsonObject()) {
            throw CllmException.badFormat(tokenizerJson, "not a Hugging Face tokenizer.json: no \"model\" object");
        }
        int vocabSize = vocabSize(json, tokenizerJson);
        HuggingFaceTokenizer djl;
        try {
            djl = HuggingFaceTokenizer.builder()
                    .optTokenizerPath(tokenizerJson)
                    .optTruncation(false)
                    .optPadding(false)
                    .optAddSpecialTokens(true)
                    .build();
        } catch (IOException e) {
            throw new CllmException(CllmException.Status.IO, tokenizerJson + ": cannot read: " + e.getMessage(), e);
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            throw new CllmException(
                    CllmException.Status.UNSUPPORTED,
                    "cannot load the DJL tokenizers native library: " + e.getMessage(),
                    e);
        } catch (RuntimeException e) {
            throw CllmException.badFormat(tokenizerJson, "invalid tokenizer: " + JsonErrors.oneLine(e.getMessage()));
        }
        try {
            JsonObject tokenizerConfig = readTokenizerConfig(tokenizerJson);
            String bos = declared(tokenizerConfig, "bos_token");
            if (bos == null) bos = leadingSpecialToken(json);
            if (bos == null || idOf(json, bos) < 0) bos = firstKnown(json, BOS_NAMES);
            String eos = declared(tokenizerConfig, "eos_token");
            if (eos == null || idOf(json, eos) < 0) eos = firstKnown(json, EOS_NAMES);
            int bosId = bos == null ? -1 : idOf(json, bos);
            int eosId = eos == null ? -1 : idOf(json, eos);
            if (bosId < 0 && config != null && config.bosTokenId() >= 0) {
                bosId = config.bosTokenId();
                bos = null;
            }
            if (eosId < 0 && config != null && config.eosTokenId() >= 0) {
                eosId = config.eosTokenId();
                eos = null;
            }
            return new HfTokenizer(
                    djl, tokenizerJson, vocabSize, bosId, bosId < 0 ? null : bos, eosId, eosId < 0 ? null : eos);
        } catch (RuntimeException e) {
            djl.close();
            throw e;
        }
    }

    /**
     * The tokenizer of a checkpoint: a GGUF file's own vocabulary ({@link GgufVocabulary}), else its
     * tokenizer.json when there is one ({@link Checkpoints#tokenizerFile}), else {@link Tokenizer#none}
     * (token ids only).
     */
    public static Tokenizer forCheckpoint(Path checkpoint, LlamaConfig config) {
        if (Files.isRegularFile(checkpoint) && Checkpoints.detect(checkpoint) == Checkpoints.Format.GGUF) {
            Optional<GgufVocabulary> vocab = ggufVocabulary(checkpoint);
            if (vocab.isPresent()) return vocab.get().tokenizer(checkpoint);
        }
        Optional<Path> file = Checkpoints.tokenizerFile(checkpoint);
        return file.isPresent() ? load(file.get(), config) : Tokenizer.none(config.vocabSize());
    }

    /** The vocabulary in a GGUF file's metadata, when it has one (tensors are not mapped). */
    public static Optional<GgufVocabulary> ggufVocabulary(Path ggufFile) {
        GgufFile file = GgufFile.readHeader(ggufFile);
        return GgufVocabulary.read(new GgufMetadata(file.metadata(), ggufFile), ggufFile);
    }

    /** One more than the largest id in the model vocabulary or the added tokens. */
    private static int vocabSize(JsonObject json, Path file) {
        long max = -1;
        JsonElement vocab = json.getAsJsonObject("model").get("vocab");
        if (vocab != null && vocab.isJsonObject()) {
            for (var e : vocab.getAsJsonObject().entrySet()) max = Math.max(max, intOr(e.getValue(), -1));
        } else if (vocab != null && vocab.isJsonArray()) {
            max = vocab.getAsJsonArray().size() - 1L; // Unigram: [[piece, score], ...]
        }
        JsonElement added = json.get("added_tokens");
        if (added != null && added.isJsonArray()) {
            for (JsonElement a : added.getAsJsonArray()) {
                if (a.isJsonObject())
                    max = Math.max(max, intOr(a.getAsJsonObject().get("id"), -1));
            }
        }
        if (max < 0 || max >= Integer.MAX_VALUE) {
            throw CllmException.badFormat(file, "tokenizer has no vocabulary (model.vocab / added_tokens)");
        }
        return (int) max + 1;
    }

    private static JsonObject readTokenizerConfig(Path tokenizerJson) {
        Path dir = tokenizerJson.toAbsolutePath().getParent();
        Path file = dir == null ? null : dir.resolve("tokenizer_config.json");
        if (file == null || !Files.isRegularFile(file)) return null;
        return JsonFiles.readObject(file);
    }

    /** bos_token / eos_token of tokenizer_config.json: a string or {"content": ...}. */
    private static String declared(JsonObject tokenizerConfig, String key) {
        if (tokenizerConfig == null) return null;
        JsonElement e = tokenizerConfig.get(key);
        if (e == null || e.isJsonNull()) return null;
        if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isString()) return e.getAsString();
        if (e.isJsonObject()) {
            JsonElement content = e.getAsJsonObject().get("content");
            if (content != null && content.isJsonPrimitive()) return content.getAsString();
        }
        return null;
    }

    /** The special token a TemplateProcessing post-processor puts before the sequence, if any. */
    private static String leadingSpecialToken(JsonObject json) {
        JsonElement pp = json.get("post_processor");
        if (pp == null || !pp.isJsonObject()) return null;
        JsonObject p = pp.getAsJsonObject();
        if (p.has("processors") && p.get("processors").isJsonArray()) { // Sequence of processors
            for (JsonElement sub : p.getAsJsonArray("processors")) {
                if (sub.isJsonObject()) {
                    JsonObject wrapper = new JsonObject();
                    wrapper.add("post_processor", sub);
                    String s = leadingSpecialToken(wrapper);
                    if (s != null) return s;
                }
            }
            return null;
        }
        JsonElement single = p.get("single");
        if (single == null || !single.isJsonArray()) return null;
        JsonArray pieces = single.getAsJsonArray();
        if (pieces.isEmpty() || !pieces.get(0).isJsonObject()) return null;
        JsonElement special = pieces.get(0).getAsJsonObject().get("SpecialToken");
        if (special == null || !special.isJsonObject()) return null;
        JsonElement id = special.getAsJsonObject().get("id");
        return id != null && id.isJsonPrimitive() ? id.getAsString() : null;
    }

    private static String firstKnown(JsonObject json, List<String> names) {
        for (String name : names) {
            if (idOf(json, name) >= 0) return name;
        }
        return null;
    }

    /** The id of a token text in added_tokens or the model vocabulary, or -1. */
    private static int idOf(JsonObject json, String token) {
        JsonElement added = json.get("added_tokens");
        if (added != null && added.isJsonArray()) {
            for (JsonElement a : added.getAsJsonArray()) {
                if (!a.isJsonObject()) continue;
                JsonElement content = a.getAsJsonObject().get("content");
                if (content != null
                        && content.isJsonPrimitive()
                        && content.getAsString().equals(token)) {
                    return intOr(a.getAsJsonObject().get("id"), -1);
                }
            }
        }
        JsonElement vocab = json.getAsJsonObject("model").get("vocab");
        if (vocab != null && vocab.isJsonObject()) {
            return intOr(vocab.getAsJsonObject().get(token), -1);
        }
        return -1;
    }

    private static int intOr(JsonElement e, int fallback) {
        if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) return fallback;
        try {
            return new java.math.BigDecimal(e.getAsString()).intValueExact();
        } catch (ArithmeticException | NumberFormatException x) {
            return fallback;
        }
    }
}
