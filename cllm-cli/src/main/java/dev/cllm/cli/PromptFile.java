package dev.cllm.cli;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.cllm.CllmException;
import dev.cllm.model.JsonFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads prompts: JSONL objects with a "prompt" field, or plain text with one prompt per line. */
final class PromptFile {
    private PromptFile() {}

    static List<String> read(Path file) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("prompt file not found: " + file);
        }
        List<String> prompts = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) continue;
            if (line.startsWith("{")) {
                JsonObject o = JsonFiles.parseObjectLine(line, file, i + 1);
                JsonElement p = o.get("prompt");
                if (p == null || !p.isJsonPrimitive()) {
                    throw CllmException.badFormat(file, "line " + (i + 1) + " has no string field \"prompt\"");
                }
                prompts.add(p.getAsString());
            } else {
                prompts.add(line);
            }
        }
        if (prompts.isEmpty()) throw new IllegalArgumentException("prompt file " + file + " holds no prompts");
        return prompts;
    }
}
