package dev.cllm.server;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns chat messages into a prompt with a Jinja chat template, rendered by Jinjava with the settings
 * Hugging Face uses (trim_blocks, lstrip_blocks) and its variables: {@code messages} (role and content of
 * each), {@code add_generation_prompt} (true), {@code bos_token}, {@code eos_token}, and the function
 * {@code raise_exception(message)}, which a template calls to refuse a conversation (the client gets 400).
 *
 * <p>Templates come from a checkpoint's {@code tokenizer_config.json} ({@code chat_template}: a string,
 * or a list of named templates of which "default" is taken), or {@link #EMBEDDED} for the models shipped
 * with cllm, which were trained on "Question: ...\nAnswer:" prompts.
 */
public final class ChatTemplate {
    /** The built-in template of the embedded math models: system messages are ignored. */
    public static final String EMBEDDED = "{% for message in messages %}"
            + "{% if message['role'] == 'user' %}Question: {{ message['content'] }}\nAnswer:"
            + "{% elif message['role'] == 'assistant' %} {{ message['content'] }}{{ '\\n\\n' }}{% endif %}"
            + "{% endfor %}";

    private static final JinjavaConfig CONFIG = JinjavaConfig.newBuilder()
            .withTrimBlocks(true)
            .withLstripBlocks(true)
            .withMaxOutputSize(4L << 20)
            .withFailOnUnknownTokens(false)
            .build();

    private final String template;
    private final String bosToken;
    private final String eosToken;
    private final Jinjava jinjava;

    public ChatTemplate(String template, String bosToken, String eosToken) {
        this.template = template;
        this.bosToken = bosToken == null ? "" : bosToken;
        this.eosToken = eosToken == null ? "" : eosToken;
        this.jinjava = new Jinjava(CONFIG);
        jinjava.registerFunction(
                new ELFunctionDefinition("", "raise_exception", ChatTemplate.class, "raiseException", String.class));
    }

    /** The template of a checkpoint folder (or of the folder of a checkpoint file), if it has one. */
    public static Optional<ChatTemplate> fromCheckpoint(Path checkpoint) {
        Path dir = Files.isDirectory(checkpoint)
                ? checkpoint
                : checkpoint.toAbsolutePath().getParent();
        Path config = dir == null ? null : dir.resolve("tokenizer_config.json");
        if (config == null || !Files.isRegularFile(config)) return Optional.empty();
        try {
            return fromTokenizerConfig(Files.readString(config), config.toString());
        } catch (IOException e) {
            throw new IllegalArgumentException(config + ": " + e.getMessage(), e);
        }
    }

    /** The template of a tokenizer_config.json's text, if it has one. where: the file, for messages. */
    public static Optional<ChatTemplate> fromTokenizerConfig(String json, String where) {
        JsonObject root;
        try {
            root = JsonParser.parseString(json).getAsJsonObject();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(where + ": not a JSON object: " + e.getMessage(), e);
        }
        JsonElement t = root.get("chat_template");
        if (t == null || t.isJsonNull()) return Optional.empty();
        String template = null;
        if (t.isJsonPrimitive()) {
            template = t.getAsString();
        } else if (t.isJsonArray()) {
            for (JsonElement e : t.getAsJsonArray()) {
                JsonObject named = e.getAsJsonObject();
                if ("default".equals(named.get("name").getAsString()))
                    template = named.get("template").getAsString();
            }
            if (template == null)
                throw new IllegalArgumentException(where + ": chat_template lists no 'default' template");
        } else {
            throw new IllegalArgumentException(where + ": chat_template must be a string or a list of named templates");
        }
        return Optional.of(new ChatTemplate(template, token(root, "bos_token"), token(root, "eos_token")));
    }

    private static String token(JsonObject root, String name) {
        JsonElement e = root.get(name);
        if (e == null || e.isJsonNull()) return null;
        if (e.isJsonPrimitive()) return e.getAsString();
        JsonElement content = e.getAsJsonObject().get("content"); // {"content": "<s>", ...} in older configs
        return content == null ? null : content.getAsString();
    }

    /** The prompt for these messages, ending where the assistant's answer starts. Bad templates give 400. */
    public String render(List<ChatMessage> messages) {
        Map<String, Object> bindings = new HashMap<>();
        bindings.put(
                "messages",
                messages.stream()
                        .map(m -> Map.of("role", m.role(), "content", m.content()))
                        .toList());
        bindings.put("add_generation_prompt", true);
        bindings.put("bos_token", bosToken);
        bindings.put("eos_token", eosToken);
        RenderResult result = jinjava.renderForResult(template, bindings);
        for (TemplateError e : result.getErrors()) {
            if (e.getSeverity() != TemplateError.ErrorType.FATAL) continue;
            for (Throwable cause = e.getException(); cause != null; cause = cause.getCause()) {
                if (cause instanceof ApiError refused) throw refused; // raise_exception's own message
            }
            throw ApiError.invalid("messages", "the chat template failed on these messages: " + e.getMessage());
        }
        return result.getOutput();
    }

    /** raise_exception(message) in templates. */
    public static String raiseException(String message) {
        throw ApiError.invalid("messages", message);
    }

    /** One chat message. */
    public record ChatMessage(String role, String content) {}
}
