package dev.cllm.cli;

import dev.cllm.Cllm;
import dev.cllm.Device;
import dev.cllm.Model;
import dev.cllm.WeightType;
import dev.cllm.model.LoadedCheckpoint;
import dev.cllm.models.EmbeddedModels;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * What a model option names: a checkpoint on disk, or {@code embedded:NAME} for a model shipped in the jar
 * ({@code embedded:cllm}, {@code embedded:teacher}). Parsing checks the name; the embedded files are
 * extracted only when the model is used.
 */
record ModelLocation(String text, String embeddedName, Path file) {
    static final String PREFIX = "embedded:";
    /** Short names for the embedded models; their full names are accepted too. */
    private static final Map<String, String> SHORT_NAMES =
            Map.of("cllm", EmbeddedModels.CLLM, "teacher", EmbeddedModels.TEACHER);

    static final ModelLocation EMBEDDED_CLLM = parse(PREFIX + "cllm");
    static final ModelLocation EMBEDDED_TEACHER = parse(PREFIX + "teacher");

    /** A path, or embedded:cllm / embedded:teacher; IllegalArgumentException for an unknown embedded name. */
    static ModelLocation parse(String text) {
        if (!text.toLowerCase(Locale.ROOT).startsWith(PREFIX)) return new ModelLocation(text, null, Path.of(text));
        String name = text.substring(PREFIX.length()).toLowerCase(Locale.ROOT);
        String embedded = SHORT_NAMES.getOrDefault(name, name);
        if (!EmbeddedModels.names().contains(embedded)) {
            throw new IllegalArgumentException(
                    "unknown embedded model '" + name + "'; known: embedded:cllm, embedded:teacher");
        }
        return new ModelLocation(text, embedded, null);
    }

    /** The checkpoint's path on disk (an embedded model is extracted on first use). */
    Path path() {
        return embeddedName != null ? EmbeddedModels.path(embeddedName) : file;
    }

    /** Reads weights and tokenizer into memory, named as the user named them. */
    LoadedCheckpoint load() {
        LoadedCheckpoint checkpoint = LoadedCheckpoint.load(path());
        return new LoadedCheckpoint(checkpoint.weights(), checkpoint.tokenizer(), text);
    }

    /** Loads the model onto a device. */
    Model open(Device device) {
        return open(device, null);
    }

    /** Loads the model onto a device with its matrices in a weight type (null: the checkpoint's own). */
    Model open(Device device, WeightType weights) {
        return Cllm.load(load(), device, weights);
    }

    @Override
    public String toString() {
        return text;
    }
}
