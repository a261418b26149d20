package dev.cllm.server;

import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The JSON the OpenAI API answers with, for one request: whole responses, stream chunks, usage (with
 * cllm's decoding statistics as extra fields), errors, and the model list.
 */
final class OpenAiResponse {
    private static final SecureRandom IDS = new SecureRandom();

    private final OpenAiRequest.Kind kind;
    private final String id;
    private final long created = System.currentTimeMillis() / 1000;
    private final String model;

    OpenAiResponse(OpenAiRequest.Kind kind, String model) {
        this.kind = kind;
        byte[] random = new byte[12];
        IDS.nextBytes(random);
        this.id = (kind == OpenAiRequest.Kind.CHAT ? "chatcmpl-" : "cmpl-")
                + HexFormat.of().formatHex(random);
        this.model = model;
    }

    /** The whole (non-streamed) response. */
    JsonObject complete(String text, FinishReason reason, Usage usage) {
        JsonObject choice = new JsonObject();
        choice.addProperty("index", 0);
        if (kind == OpenAiRequest.Kind.CHAT) {
            JsonObject message = new JsonObject();
            message.addProperty("role", "assistant");
            message.addProperty("content", text);
            choice.add("message", message);
        } else {
            choice.addProperty("text", text);
        }
        choice.add("logprobs", JsonNull.INSTANCE);
        choice.addProperty("finish_reason", reason.wire);
        JsonObject o = header(kind == OpenAiRequest.Kind.CHAT ? "chat.completion" : "text_completion");
        o.add("choices", array(choice));
        o.add("usage", usage(usage));
        return o;
    }

    /** A streamed chunk carrying text (the first chat chunk also carries the role). */
    JsonObject chunk(String text, boolean first) {
        JsonObject choice = new JsonObject();
        choice.addProperty("index", 0);
        if (kind == OpenAiRequest.Kind.CHAT) {
            JsonObject delta = new JsonObject();
            if (first) delta.addProperty("role", "assistant");
            delta.addProperty("content", text);
            choice.add("delta", delta);
        } else {
            choice.addProperty("text", text);
        }
        choice.add("logprobs", JsonNull.INSTANCE);
        choice.add("finish_reason", JsonNull.INSTANCE);
        JsonObject o = streamHeader();
        o.add("choices", array(choice));
        return o;
    }

    /** The chunk that ends a stream's choice. */
    JsonObject finalChunk(FinishReason reason) {
        JsonObject choice = new JsonObject();
        choice.addProperty("index", 0);
        if (kind == OpenAiRequest.Kind.CHAT) {
            choice.add("delta", new JsonObject());
        } else {
            choice.addProperty("text", "");
        }
        choice.add("logprobs", JsonNull.INSTANCE);
        choice.addProperty("finish_reason", reason.wire);
        JsonObject o = streamHeader();
        o.add("choices", array(choice));
        return o;
    }

    /** The usage chunk of stream_options.include_usage: no choices. */
    JsonObject usageChunk(Usage usage) {
        JsonObject o = streamHeader();
        o.add("choices", new JsonArray());
        o.add("usage", usage(usage));
        return o;
    }

    static JsonObject usage(Usage u) {
        JsonObject o = new JsonObject();
        o.addProperty("prompt_tokens", u.promptTokens());
        o.addProperty("completion_tokens", u.completionTokens());
        o.addProperty("total_tokens", u.promptTokens() + u.completionTokens());
        // cllm's decoding statistics, as extra fields (clients ignore what they do not know).
        o.addProperty("iterations", u.iterations());
        o.addProperty("tokens_per_iteration", Math.round(u.tokensPerIteration() * 1000) / 1000.0);
        o.addProperty("fast_forwarded_tokens", u.fastForwarded());
        o.addProperty("stationary_tokens", u.stationary());
        o.addProperty("block_size", u.blockSize());
        o.addProperty("decoding", u.blockSize() == 1 ? "ar" : "jacobi");
        return o;
    }

    static JsonObject error(ApiError e) {
        JsonObject error = new JsonObject();
        error.addProperty("message", e.getMessage());
        error.addProperty("type", e.type);
        if (e.param != null) error.addProperty("param", e.param);
        else error.add("param", JsonNull.INSTANCE);
        if (e.code != null) error.addProperty("code", e.code);
        else error.add("code", JsonNull.INSTANCE);
        JsonObject o = new JsonObject();
        o.add("error", error);
        return o;
    }

    static JsonObject models(String modelId, long created) {
        JsonObject m = new JsonObject();
        m.addProperty("id", modelId);
        m.addProperty("object", "model");
        m.addProperty("created", created);
        m.addProperty("owned_by", "cllm");
        JsonObject o = new JsonObject();
        o.addProperty("object", "list");
        o.add("data", array(m));
        return o;
    }

    private JsonObject streamHeader() {
        return header(kind == OpenAiRequest.Kind.CHAT ? "chat.completion.chunk" : "text_completion");
    }

    private JsonObject header(String object) {
        JsonObject o = new JsonObject();
        o.addProperty("id", id);
        o.addProperty("object", object);
        o.addProperty("created", created);
        o.addProperty("model", model);
        o.addProperty("system_fingerprint", "cllm");
        return o;
    }

    private static JsonArray array(JsonObject element) {
        JsonArray a = new JsonArray();
        a.add(element);
        return a;
    }
}
