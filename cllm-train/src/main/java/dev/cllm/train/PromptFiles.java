package dev.cllm.train;

import dev.cllm.CllmException;
import dev.cllm.model.JsonFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads the prompt file of {@code cllm trajectories}: JSONL, one {@link PromptText} per non-blank line. */
public final class PromptFiles {
    private PromptFiles() {}

    /** The prompts of file in order, ids 0, 1, ...; {@code limit > 0} keeps only the first limit prompts. */
    public static List<PromptText> readJsonl(Path file, int limit) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("prompt file not found: " + file);
        }
        List<PromptText> out = new ArrayList<>();
        for (int i = 0; i < lines.size() && (limit <= 0 || out.size() < limit); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) continue;
            try {
                out.add(PromptText.fromJson(JsonFiles.parseObjectLine(line, file, i + 1), out.size()));
            } catch (IllegalArgumentException e) {
                throw CllmException.badFormat(file, "line " + (i + 1) + " " + e.getMessage());
            }
        }
        if (out.isEmpty()) throw new IllegalArgumentException("prompt file " + file + " holds no prompts");
        return out;
    }
}
