package dev.cllm.train;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.cllm.CllmException;
import dev.cllm.model.JsonFiles;

/**
 * One prompt of a trajectory collection as text, before tokenization: its id and the fields of its input
 * line or row ({@code prompt}, and {@code answer} when the input gives one, else null).
 *
 * <p>The id is the prompt's position in its input (0, 1, ... over the non-blank lines of a JSONL file, or
 * the rows of Parquet files in name order) and becomes the records' {@code data_id}. Everything random about
 * a prompt's records is seeded from it, so they do not depend on how the prompts are split into shards,
 * partitions or tasks. Serializable, so that a cluster job (the Spark module) can ship prompts to its workers.
 */
public record PromptText(int dataId, String prompt, String answer) implements java.io.Serializable {
    public PromptText {
        if (dataId < 0) throw new IllegalArgumentException("prompt id must be >= 0, got " + dataId);
        if (prompt == null) throw new IllegalArgumentException("prompt " + dataId + " has no text");
    }

    /**
     * Parses one JSONL line: an object with a string field {@code prompt} and an optional string
     * {@code answer}. Throws IllegalArgumentException saying what is wrong (the caller names the file and line).
     */
    public static PromptText fromJson(String line, int dataId) {
        JsonElement parsed;
        try {
            parsed = JsonFiles.parse(line, "the line");
        } catch (CllmException e) {
            throw new IllegalArgumentException("is not valid JSON (" + e.getMessage() + ")");
        }
        if (!parsed.isJsonObject()) throw new IllegalArgumentException("is not a JSON object");
        return fromJson(parsed.getAsJsonObject(), dataId);
    }

    /** The same from a parsed line; IllegalArgumentException saying what the object lacks. */
    public static PromptText fromJson(JsonObject o, int dataId) {
        JsonElement prompt = o.get("prompt");
        if (prompt == null || !prompt.isJsonPrimitive()) {
            throw new IllegalArgumentException("has no string field \"prompt\"");
        }
        JsonElement answer = o.get("answer");
        if (answer != null && !answer.isJsonNull() && !answer.isJsonPrimitive()) {
            throw new IllegalArgumentException("has a field \"answer\" that is not a string");
        }
        return new PromptText(
                dataId, prompt.getAsString(), answer == null || answer.isJsonNull() ? null : answer.getAsString());
    }
}
