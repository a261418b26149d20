package dev.cllm.model;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import dev.cllm.CllmException;
import java.math.BigDecimal;
import java.nio.file.Path;

/**
 * A Hugging Face {@code config.json} of a {@code LlamaForCausalLM} model, read into a {@link LlamaConfig}
 * (with transformers' defaults for the optional fields), and written back as a config transformers loads.
 * Features this engine does not implement (rope scaling, biases, other activations, other model types)
 * are rejected with UNSUPPORTED naming the field; malformed values, and sizes beyond {@link ModelLimits},
 * are BAD_FORMAT naming the field, before any tensor is looked at.
 *
 * @param config the model shape
 * @param torchDtype the checkpoint's declared dtype ({@code torch_dtype} or {@code dtype}), or null
 */
public record HfConfig(LlamaConfig config, String torchDtype) {
    public static final String FILE_NAME = "config.json";

    /** Reads and checks a config.json. */
    public static HfConfig read(Path file) {
        return parse(JsonFiles.readObject(file), file);
    }

    /** Checks a parsed config.json; source names it in messages. */
    public static HfConfig parse(JsonObject json, Object source) {
        Reader r = new Reader(json, source);
        String modelType = r.string("model_type", null);
        JsonElement architectures = json.get("architectures");
        boolean llamaArchitecture = false;
        if (architectures != null && architectures.isJsonArray()) {
            for (JsonElement a : architectures.getAsJsonArray()) {
                if (a.isJsonPrimitive() && a.getAsString().equals("LlamaForCausalLM")) llamaArchitecture = true;
            }
        }
        if (modelType == null ? !llamaArchitecture : !modelType.equals("llama")) {
            throw unsupported(
                    source,
                    "model_type " + (modelType == null ? "(absent)" : "'" + modelType + "'")
                            + " with architectures " + architectures + ": only Llama models (model_type \"llama\", "
                            + "LlamaForCausalLM) are supported");
        }
        if (architectures != null
                && architectures.isJsonArray()
                && architectures.getAsJsonArray().size() > 0
                && !llamaArchitecture) {
            throw unsupported(source, "architectures " + architectures + ": only LlamaForCausalLM is supported");
        }
        JsonElement ropeScaling = json.get("rope_scaling");
        if (ropeScaling != null && !ropeScaling.isJsonNull()) {
            throw unsupported(source, "rope_scaling " + ropeScaling + " is not supported (only null)");
        }
        if (r.bool("attention_bias", false)) throw unsupported(source, "attention_bias true is not supported");
        if (r.bool("mlp_bias", false)) throw unsupported(source, "mlp_bias true is not supported");
        String act = r.string("hidden_act", "silu");
        if (!act.equals("silu")) throw unsupported(source, "hidden_act '" + act + "' is not supported (only silu)");

        int dim = r.requiredInt("hidden_size");
        int hidden = r.requiredInt("intermediate_size");
        int layers = r.requiredInt("num_hidden_layers");
        int heads = r.requiredInt("num_attention_heads");
        int kvHeads = r.optionalInt("num_key_value_heads", heads);
        int vocab = r.requiredInt("vocab_size");
        int headDim;
        if (r.has("head_dim")) {
            headDim = r.requiredInt("head_dim");
        } else {
            if (heads > 0 && dim % heads != 0) {
                throw CllmException.badFormat(
                        source,
                        "hidden_size " + dim + " is not a multiple of num_attention_heads " + heads
                                + " and head_dim is absent");
            }
            headDim = heads > 0 ? dim / heads : 0; // a non-positive head count is reported by validate below
        }
        int maxSeq = r.optionalInt("max_position_embeddings", 2048);
        float theta = r.optionalFloat("rope_theta", 10000f);
        float eps = r.optionalFloat("rms_norm_eps", 1e-6f);
        boolean tied = r.bool("tie_word_embeddings", false);
        int bos = r.tokenId("bos_token_id");
        int eos = r.tokenId("eos_token_id");
        String dtype = r.string("torch_dtype", r.string("dtype", null));
        LlamaConfig config = new LlamaConfig(
                dim, hidden, layers, heads, kvHeads, headDim, vocab, maxSeq, theta, eps, tied, bos, eos);
        try {
            config.validate(ConfigFieldNames.HUGGING_FACE); // bounded sizes before anything is built per layer
        } catch (IllegalArgumentException e) {
            throw CllmException.badFormat(source, "invalid config: " + e.getMessage());
        }
        return new HfConfig(config, dtype);
    }

    /** The transformers name of a dtype ("float32", "bfloat16", "float16"; Q8_0 is written as float32). */
    public static String torchName(DType dtype) {
        return switch (dtype) {
            case F32, Q8_0 -> "float32";
            case BF16 -> "bfloat16";
            case F16 -> "float16";
        };
    }

    /** A config.json for transformers' LlamaForCausalLM; dtype names torch_dtype (null: float32). */
    public static JsonObject toJson(LlamaConfig c, DType dtype) {
        JsonObject o = new JsonObject();
        JsonArray arch = new JsonArray();
        arch.add("LlamaForCausalLM");
        o.add("architectures", arch);
        o.addProperty("model_type", "llama");
        o.addProperty("hidden_size", c.dim());
        o.addProperty("intermediate_size", c.hiddenDim());
        o.addProperty("num_hidden_layers", c.nLayers());
        o.addProperty("num_attention_heads", c.nHeads());
        o.addProperty("num_key_value_heads", c.nKvHeads());
        o.addProperty("head_dim", c.headDim());
        o.addProperty("vocab_size", c.vocabSize());
        o.addProperty("max_position_embeddings", c.maxSeqLen());
        o.add("rope_theta", floatJson(c.ropeTheta()));
        o.add("rms_norm_eps", floatJson(c.normEps()));
        o.add("rope_scaling", com.google.gson.JsonNull.INSTANCE);
        o.addProperty("tie_word_embeddings", c.tiedEmbeddings());
        o.add(
                "bos_token_id",
                c.bosTokenId() >= 0 ? new JsonPrimitive(c.bosTokenId()) : com.google.gson.JsonNull.INSTANCE);
        o.add(
                "eos_token_id",
                c.eosTokenId() >= 0 ? new JsonPrimitive(c.eosTokenId()) : com.google.gson.JsonNull.INSTANCE);
        o.addProperty("hidden_act", "silu");
        o.addProperty("attention_bias", false);
        o.addProperty("attention_dropout", 0.0);
        o.addProperty("mlp_bias", false);
        o.addProperty("initializer_range", 0.02);
        o.addProperty("pretraining_tp", 1);
        o.addProperty("use_cache", true);
        o.addProperty("torch_dtype", torchName(dtype == null ? DType.F32 : dtype));
        o.addProperty("transformers_version", "4.46.0");
        return o;
    }

    /** The shortest decimal that reads back as exactly this float. */
    private static JsonPrimitive floatJson(float f) {
        // A double with at most 9 significant digits prints as the same decimal, which parses back to f.
        return new JsonPrimitive(Double.parseDouble(Float.toString(f)));
    }

    private static CllmException unsupported(Object source, String message) {
        return new CllmException(CllmException.Status.UNSUPPORTED, source + ": " + message);
    }

    /** Typed field access with messages naming the field. */
    private record Reader(JsonObject json, Object source) {
        boolean has(String key) {
            JsonElement e = json.get(key);
            return e != null && !e.isJsonNull();
        }

        private JsonPrimitive number(String key) {
            JsonElement e = json.get(key);
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
                throw CllmException.badFormat(source, key + " must be a number, got " + e);
            }
            return e.getAsJsonPrimitive();
        }

        int requiredInt(String key) {
            if (!has(key)) throw CllmException.badFormat(source, "missing " + key);
            return asInt(key, number(key));
        }

        int optionalInt(String key, int fallback) {
            return has(key) ? asInt(key, number(key)) : fallback;
        }

        private int asInt(String key, JsonPrimitive p) {
            try {
                return new BigDecimal(p.getAsString()).intValueExact();
            } catch (ArithmeticException | NumberFormatException e) {
                throw CllmException.badFormat(source, key + " must be a 32-bit integer, got " + p);
            }
        }

        float optionalFloat(String key, float fallback) {
            if (!has(key)) return fallback;
            float f = Float.parseFloat(number(key).getAsString());
            if (Float.isNaN(f) || Float.isInfinite(f)) {
                throw CllmException.badFormat(source, key + " is out of range: " + json.get(key));
            }
            return f;
        }

        boolean bool(String key, boolean fallback) {
            if (!has(key)) return fallback;
            JsonElement e = json.get(key);
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
                throw CllmException.badFormat(source, key + " must be true or false, got " + e);
            }
            return e.getAsBoolean();
        }

        String string(String key, String fallback) {
            if (!has(key)) return fallback;
            JsonElement e = json.get(key);
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
                throw CllmException.badFormat(source, key + " must be a string, got " + e);
            }
            return e.getAsString();
        }

        /** A token id: absent/null -> -1, an int, or a list (the first entry). */
        int tokenId(String key) {
            if (!has(key)) return -1;
            JsonElement e = json.get(key);
            if (e.isJsonArray()) {
                JsonArray a = e.getAsJsonArray();
                if (a.isEmpty()) return -1;
                e = a.get(0);
                if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
                    throw CllmException.badFormat(source, key + " must hold integers, got " + json.get(key));
                }
            } else if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
                throw CllmException.badFormat(source, key + " must be an integer or a list of integers, got " + e);
            }
            int id = asInt(key, e.getAsJsonPrimitive());
            if (id < 0) throw CllmException.badFormat(source, key + " must not be negative, got " + id);
            return id;
        }
    }
}
