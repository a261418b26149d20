package dev.cllm.train;

import dev.cllm.CllmException;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.stream.Stream;

/**
 * The training output folder: what a trainer writes there, and the rule that a run never silently mixes
 * with what an earlier run left: a fresh run needs an empty (or absent) folder, {@code --resume}
 * continues the run in it, {@code --overwrite} deletes the trainer's files first (and nothing else).
 */
final class OutputFolder {
    static final String LOG = "train-log.csv", PLOT = "loss.png", SUMMARY = "summary.json", CHECKPOINTS = "checkpoints";

    /** Files and folders a trainer writes (a model's files as CheckpointWriter names them). */
    private static final List<String> OWN = List.of(
            CHECKPOINTS,
            "model.safetensors",
            "config.json",
            "tokenizer.json",
            "tokenizer_config.json",
            "special_tokens_map.json",
            LOG,
            PLOT,
            SUMMARY);

    private OutputFolder() {}

    static void prepare(Path out, Trainer.Start start) {
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new IllegalArgumentException("--out " + out + " is a file, not a folder");
        }
        switch (start) {
            case FRESH -> {
                List<String> present = entries(out);
                if (!present.isEmpty()) {
                    throw new IllegalArgumentException("--out " + out + " is not empty ("
                            + String.join(", ", present.subList(0, Math.min(3, present.size())))
                            + (present.size() > 3 ? ", ..." : "") + "): pass --resume to "
                            + "continue the run in it, or --overwrite to replace it");
                }
            }
            case OVERWRITE -> {
                for (String name : OWN) {
                    delete(out.resolve(name));
                    delete(out.resolve(name + ".tmp"));
                }
            }
            case RESUME -> {}
        }
    }

    private static List<String> entries(Path out) {
        if (!Files.isDirectory(out)) return List.of();
        try (Stream<Path> children = Files.list(out)) {
            return children.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new CllmException(CllmException.Status.IO, "cannot list " + out + ": " + e.getMessage(), e);
        }
    }

    private static void delete(Path path) {
        if (!Files.exists(path)) return;
        try {
            Files.walkFileTree(path, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    if (e != null) throw e;
                    Files.delete(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new CllmException(CllmException.Status.IO, "cannot delete " + path + ": " + e.getMessage(), e);
        }
    }
}
