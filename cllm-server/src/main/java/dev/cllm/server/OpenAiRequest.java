package dev.cllm.server;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.cllm.Sampling;
import dev.cllm.tokenizer.Tokenizer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * A parsed /v1/completions or /v1/chat/completions body: the generation it asks for and how to answer.
 * Every field is checked here, so a bad request gets a 400 naming the field before anything runs.
 *
 * <p>Fields read: model, prompt (a string, one string in a list, or token ids) or messages, max_tokens
 * (chat also max_completion_tokens), temperature (default 1, as OpenAI), top_p, presence_penalty,
 * frequency_penalty, seed (default: a random one), stop, n (1 only), stream, stream_options.include_usage;
 * and cllm's own: top_k, min_p, repetition_penalty, block_size (1: AR; default: the server's),
 * ignore_eos (generate max_tokens tokens whatever the model says, for benchmarks). Fields
 * cllm cannot honour (logprobs, echo, best_of > 1, suffix, logit_bias, tools) are refused, not ignored.
 */
record OpenAiRequest(Kind kind, GenerationRequest generation, boolean stream, boolean includeUsage, String promptText) {
    enum Kind {
        COMPLETION,
        CHAT
    }

    private static final SecureRandom SEEDS = new SecureRandom();

    /** The server-side context a request is checked against. */
    record Limits(String modelId, int context, ServerSettings settings, Tokenizer tokenizer, ChatTemplate chat) {}

    static OpenAiRequest parse(Kind kind, String body, Limits limits) {
        JsonObject o;
        try {
            JsonElement root = JsonParser.parseString(body);
            if (!root.isJsonObject()) throw ApiError.invalid(null, "the request body must be a JSON object");
            o = root.getAsJsonObject();
        } catch (JsonParseException e) {
            throw ApiError.invalid(null, "the request body is not valid JSON: " + e.getMessage());
        }
        String model = string(o, "model");
        if (model == null)
            throw ApiError.invalid("model", "model is required (this server serves '" + limits.modelId() + "')");
        if (!model.equals(limits.modelId())) {
            throw ApiError.notFound(
                    "the model '" + model + "' does not exist here; this server serves '" + limits.modelId() + "'");
        }
        refuse(o, "logprobs", "top_logprobs", "echo", "suffix", "logit_bias", "tools", "functions", "response_format");
        Integer n = integer(o, "n");
        if (n != null && n != 1) throw ApiError.invalid("n", "n must be 1: one choice per request");
        Integer bestOf = integer(o, "best_of");
        if (bestOf != null && bestOf != 1) throw ApiError.invalid("best_of", "best_of must be 1");

        String promptText;
        int[] ids;
        if (kind == Kind.CHAT) {
            if (limits.chat() == null) {
                throw ApiError.invalid("messages", "this model has no chat template; use /v1/completions");
            }
            promptText = limits.chat().render(messages(o));
            ids = encode(limits.tokenizer(), promptText);
        } else {
            JsonElement p = o.get("prompt");
            if (p == null || p.isJsonNull()) throw ApiError.invalid("prompt", "prompt is required");
            if (p.isJsonArray()
                    && p.getAsJsonArray().size() > 0
                    && isNumber(p.getAsJsonArray().get(0))) {
                ids = tokenIds(p.getAsJsonArray(), limits.tokenizer().vocabSize());
                promptText = null;
            } else {
                promptText = singlePrompt(p);
                ids = encode(limits.tokenizer(), promptText);
            }
        }
        if (ids.length == 0) throw ApiError.invalid("prompt", "the prompt encodes to no tokens");
        if (ids.length >= limits.context()) {
            throw ApiError.invalid(
                    kind == Kind.CHAT ? "messages" : "prompt",
                    "the prompt has " + ids.length + " tokens; the context holds " + limits.context()
                            + " (prompt and output)");
        }

        ServerSettings s = limits.settings();
        Integer maxTokens = integer(
                o, kind == Kind.CHAT && o.has("max_completion_tokens") ? "max_completion_tokens" : "max_tokens");
        int max = maxTokens == null ? s.defaultMaxTokens() : maxTokens;
        if (max < 1 || max > s.maxTokensLimit()) {
            throw ApiError.invalid("max_tokens", "max_tokens must be in [1, " + s.maxTokensLimit() + "], got " + max);
        }
        Sampling sampling = sampling(o);
        List<String> stop = stop(o, s.maxStopStrings());
        Integer block = integer(o, "block_size");
        int blockSize = block == null ? s.blockSize() : block;
        if (blockSize < 1 || blockSize > s.maxBlockSize()) {
            throw ApiError.invalid(
                    "block_size", "block_size must be in [1, " + s.maxBlockSize() + "] (1: AR), got " + blockSize);
        }
        Boolean ignoreEos = bool(o, "ignore_eos");
        Boolean stream = bool(o, "stream");
        boolean includeUsage = false;
        JsonElement options = o.get("stream_options");
        if (options != null && options.isJsonObject()) {
            Boolean u = bool(options.getAsJsonObject(), "include_usage");
            includeUsage = u != null && u;
        }
        return new OpenAiRequest(
                kind,
                new GenerationRequest(ids, max, sampling, stop, blockSize, ignoreEos != null && ignoreEos),
                stream != null && stream,
                includeUsage,
                promptText);
    }

    private static Sampling sampling(JsonObject o) {
        double temperature = number(o, "temperature", 1.0);
        if (!(temperature >= 0 && temperature <= 2))
            throw ApiError.invalid("temperature", "temperature must be in [0, 2]");
        double topP = number(o, "top_p", 1.0);
        if (!(topP > 0 && topP <= 1)) throw ApiError.invalid("top_p", "top_p must be in (0, 1]");
        Integer topK = integer(o, "top_k");
        if (topK != null && topK < 0 && topK != -1)
            throw ApiError.invalid("top_k", "top_k must be >= 0 (0 or -1: off)");
        double minP = number(o, "min_p", 0);
        if (!(minP >= 0 && minP <= 1)) throw ApiError.invalid("min_p", "min_p must be in [0, 1]");
        double presence = number(o, "presence_penalty", 0);
        if (!(presence >= -2 && presence <= 2))
            throw ApiError.invalid("presence_penalty", "presence_penalty must be in [-2, 2]");
        double frequency = number(o, "frequency_penalty", 0);
        if (!(frequency >= -2 && frequency <= 2)) {
            throw ApiError.invalid("frequency_penalty", "frequency_penalty must be in [-2, 2]");
        }
        double repetition = number(o, "repetition_penalty", 1);
        if (!(repetition > 0 && repetition <= 10)) {
            throw ApiError.invalid("repetition_penalty", "repetition_penalty must be in (0, 10]");
        }
        JsonElement seedElement = o.get("seed");
        long seed;
        if (seedElement == null || seedElement.isJsonNull()) {
            seed = SEEDS.nextLong();
        } else {
            try {
                seed = seedElement.getAsLong();
            } catch (RuntimeException e) {
                throw ApiError.invalid("seed", "seed must be an integer");
            }
        }
        return new Sampling(
                temperature,
                topK == null || topK < 0 ? 0 : topK,
                topP,
                minP,
                repetition,
                presence,
                frequency,
                false,
                seed);
    }

    private static List<ChatTemplate.ChatMessage> messages(JsonObject o) {
        JsonElement m = o.get("messages");
        if (m == null || !m.isJsonArray() || m.getAsJsonArray().isEmpty()) {
            throw ApiError.invalid("messages", "messages must be a non-empty list");
        }
        List<ChatTemplate.ChatMessage> out = new ArrayList<>();
        for (JsonElement e : m.getAsJsonArray()) {
            if (!e.isJsonObject()) throw ApiError.invalid("messages", "each message must be an object");
            JsonObject msg = e.getAsJsonObject();
            String role = string(msg, "role");
            if (role == null) throw ApiError.invalid("messages", "each message needs a role");
            out.add(new ChatTemplate.ChatMessage(role, content(msg.get("content"))));
        }
        return out;
    }

    /** A message's content: a string, or a list of text parts. */
    private static String content(JsonElement c) {
        if (c == null || c.isJsonNull()) return "";
        if (c.isJsonPrimitive()) return c.getAsString();
        if (c.isJsonArray()) {
            StringBuilder b = new StringBuilder();
            for (JsonElement part : c.getAsJsonArray()) {
                JsonObject p = part.isJsonObject() ? part.getAsJsonObject() : null;
                if (p == null || !"text".equals(string(p, "type"))) {
                    throw ApiError.invalid("messages", "only text content parts are supported");
                }
                b.append(string(p, "text"));
            }
            return b.toString();
        }
        throw ApiError.invalid("messages", "a message's content must be a string or a list of text parts");
    }

    private static String singlePrompt(JsonElement p) {
        if (p.isJsonPrimitive() && p.getAsJsonPrimitive().isString()) return p.getAsString();
        if (p.isJsonArray()) {
            JsonArray a = p.getAsJsonArray();
            if (a.size() == 1
                    && a.get(0).isJsonPrimitive()
                    && a.get(0).getAsJsonPrimitive().isString()) {
                return a.get(0).getAsString();
            }
            throw ApiError.invalid("prompt", "one prompt per request (a string, a list of one string, or token ids)");
        }
        throw ApiError.invalid("prompt", "prompt must be a string or a list of token ids");
    }

    private static int[] tokenIds(JsonArray a, int vocab) {
        int[] ids = new int[a.size()];
        for (int i = 0; i < ids.length; i++) {
            JsonElement e = a.get(i);
            if (!isNumber(e)) throw ApiError.invalid("prompt", "prompt token ids must all be integers");
            ids[i] = e.getAsInt();
            if (ids[i] < 0 || ids[i] >= vocab) {
                throw ApiError.invalid(
                        "prompt",
                        "prompt token " + i + " = " + ids[i] + " is outside the vocabulary [0, " + vocab + ")");
            }
        }
        return ids;
    }

    private static int[] encode(Tokenizer tokenizer, String text) {
        if (!tokenizer.canEncode()) {
            throw ApiError.invalid("prompt", "this model has no tokenizer: send the prompt as token ids");
        }
        return tokenizer.encode(text);
    }

    private static List<String> stop(JsonObject o, int maxStops) {
        JsonElement e = o.get("stop");
        List<String> out = new ArrayList<>();
        if (e == null || e.isJsonNull()) return out;
        if (e.isJsonPrimitive()) {
            out.add(e.getAsString());
        } else if (e.isJsonArray()) {
            for (JsonElement s : e.getAsJsonArray()) {
                if (!s.isJsonPrimitive()) throw ApiError.invalid("stop", "stop must be a string or a list of strings");
                out.add(s.getAsString());
            }
        } else {
            throw ApiError.invalid("stop", "stop must be a string or a list of strings");
        }
        if (out.size() > maxStops) throw ApiError.invalid("stop", "at most " + maxStops + " stop strings");
        for (String s : out) {
            if (s.isEmpty() || s.length() > 256)
                throw ApiError.invalid("stop", "stop strings must have 1 to 256 characters");
        }
        return out;
    }

    private static void refuse(JsonObject o, String... fields) {
        for (String f : fields) {
            JsonElement e = o.get(f);
            if (e == null || e.isJsonNull()) continue;
            boolean off = (e.isJsonPrimitive() && e.getAsJsonPrimitive().isBoolean() && !e.getAsBoolean())
                    || (e.isJsonObject() && e.getAsJsonObject().isEmpty())
                    || (e.isJsonArray() && e.getAsJsonArray().isEmpty());
            if (!off) throw ApiError.invalid(f, f + " is not supported by this server");
        }
    }

    private static boolean isNumber(JsonElement e) {
        return e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber();
    }

    private static String string(JsonObject o, String field) {
        JsonElement e = o.get(field);
        if (e == null || e.isJsonNull()) return null;
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString())
            throw ApiError.invalid(field, field + " must be a string");
        return e.getAsString();
    }

    private static Integer integer(JsonObject o, String field) {
        JsonElement e = o.get(field);
        if (e == null || e.isJsonNull()) return null;
        if (!isNumber(e)) throw ApiError.invalid(field, field + " must be an integer");
        double d = e.getAsDouble();
        if (d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE)
            throw ApiError.invalid(field, field + " must be an integer");
        return (int) d;
    }

    private static double number(JsonObject o, String field, double fallback) {
        JsonElement e = o.get(field);
        if (e == null || e.isJsonNull()) return fallback;
        if (!isNumber(e)) throw ApiError.invalid(field, field + " must be a number");
        return e.getAsDouble();
    }

    private static Boolean bool(JsonObject o, String field) {
        JsonElement e = o.get(field);
        if (e == null || e.isJsonNull()) return null;
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean())
            throw ApiError.invalid(field, field + " must be true or false");
        return e.getAsBoolean();
    }
}
