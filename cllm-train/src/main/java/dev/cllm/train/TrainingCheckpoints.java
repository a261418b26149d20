package dev.cllm.train;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.cllm.CllmException;
import dev.cllm.model.CheckpointWriter;
import dev.cllm.model.DType;
import dev.cllm.model.ModelWeights;
import dev.cllm.model.SafetensorsFile;
import dev.cllm.util.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * The checkpoints of a training run, {@code OUT/checkpoints/step-NNNNNN/}: the model (F32, so resuming is
 * exact), {@code optimizer.safetensors} and {@code trainer.json}. trainer.json is written last, through
 * a temporary file that is synced and renamed, and lists every other file with its size and CRC32C: a
 * checkpoint is complete exactly when its trainer.json parses and the files match it. A run killed while
 * writing one leaves an incomplete checkpoint, which resuming reports and passes over for the newest
 * complete one.
 */
final class TrainingCheckpoints {
    static final String STATE = "trainer.json";
    static final String OPTIMIZER = "optimizer.safetensors";
    private static final List<String> CHECKED = List.of("model.safetensors", "config.json", OPTIMIZER);
    private static final String PREFIX = "step-";

    /** A complete checkpoint: its folder and its trainer.json. */
    record Found(Path dir, JsonObject state) {
        int step() {
            return state.get("step").getAsInt();
        }
    }

    private final Path root;

    TrainingCheckpoints(Path out) {
        this.root = out.resolve(OutputFolder.CHECKPOINTS);
    }

    Path dir(int step) {
        return root.resolve(String.format(Locale.ROOT, PREFIX + "%06d", step));
    }

    /**
     * Writes a checkpoint. state: trainer.json's content without the file list, which is added here.
     * savePoint is told "checkpoint-model" and "checkpoint-optimizer" after those files (a test hook).
     */
    void write(
            int step,
            ModelWeights weights,
            Path tokenizer,
            AdamW optimizer,
            JsonObject state,
            Trainer.SavePoint savePoint) {
        Path dir = dir(step);
        try {
            Files.createDirectories(dir);
            AtomicFiles.syncDirectory(root);
            // An older checkpoint of this step (a run resumed from before it) stops counting as complete
            // before any of its files changes.
            if (Files.deleteIfExists(dir.resolve(STATE))) AtomicFiles.syncDirectory(dir);
            CheckpointWriter.write(weights, dir, DType.F32, tokenizer);
            savePoint.reached("checkpoint-model");
            optimizer.save(dir.resolve(OPTIMIZER));
            savePoint.reached("checkpoint-optimizer");
            JsonObject files = new JsonObject();
            for (String name : CHECKED) files.add(name, describe(dir.resolve(name)));
            JsonObject full = state.deepCopy();
            full.add("files", files);
            AtomicFiles.write(
                    dir.resolve(STATE),
                    (new GsonBuilder().setPrettyPrinting().create().toJson(full) + "\n")
                            .getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new CllmException(
                    CllmException.Status.IO, "cannot write checkpoint " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Checkpoint folders, highest step first. */
    List<Path> newestFirst() {
        if (!Files.isDirectory(root)) return List.of();
        try (Stream<Path> children = Files.list(root)) {
            return children.filter(p -> stepOf(p) >= 0)
                    .sorted(Comparator.comparingLong(TrainingCheckpoints::stepOf)
                            .reversed())
                    .toList();
        } catch (IOException e) {
            throw new CllmException(CllmException.Status.IO, "cannot list " + root + ": " + e.getMessage(), e);
        }
    }

    /** The complete checkpoint with the highest step; incomplete or damaged ones are reported on stderr. */
    Optional<Found> newestComplete() {
        for (Path dir : newestFirst()) {
            List<String> problems = new ArrayList<>();
            JsonObject state = check(dir, problems);
            if (state != null) return Optional.of(new Found(dir, state));
            System.err.println("resume: passing over " + dir + ": " + String.join("; ", problems));
        }
        return Optional.empty();
    }

    /** trainer.json of dir when the checkpoint is complete; else null, and problems says why. */
    static JsonObject check(Path dir, List<String> problems) {
        JsonObject state;
        try {
            JsonElement parsed = JsonParser.parseString(Files.readString(dir.resolve(STATE)));
            if (!parsed.isJsonObject() || !parsed.getAsJsonObject().has("step")) {
                problems.add(STATE + " holds no step");
                return null;
            }
            state = parsed.getAsJsonObject();
            state.get("step").getAsInt();
        } catch (java.nio.file.NoSuchFileException e) {
            problems.add("no " + STATE + " (the run stopped while writing this checkpoint)");
            return null;
        } catch (IOException | RuntimeException e) {
            problems.add(STATE + " is damaged: " + e.getMessage());
            return null;
        }
        if (!state.has("files")) { // written before checkpoints listed their files: check what can be checked
            for (String name : List.of("model.safetensors", OPTIMIZER)) {
                try {
                    SafetensorsFile.open(dir.resolve(name));
                } catch (CllmException e) {
                    problems.add(e.getMessage());
                }
            }
            return problems.isEmpty() ? state : null;
        }
        JsonObject files = state.getAsJsonObject("files");
        for (Map.Entry<String, JsonElement> e : files.entrySet()) {
            Path file = dir.resolve(e.getKey());
            try {
                JsonObject actual = describe(file);
                if (!actual.equals(e.getValue())) {
                    problems.add(e.getKey() + " does not match " + STATE + " (" + actual + " instead of " + e.getValue()
                            + ")");
                }
            } catch (IOException ex) {
                problems.add(e.getKey() + " is missing or unreadable: " + ex.getMessage());
            }
        }
        return problems.isEmpty() ? state : null;
    }

    /** Size and CRC32C of a file. */
    static JsonObject describe(Path file) throws IOException {
        CRC32C crc = new CRC32C();
        long size = 0;
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
            while (in.read(buffer) >= 0) {
                buffer.flip();
                size += buffer.remaining();
                crc.update(buffer);
                buffer.clear();
            }
        }
        JsonObject o = new JsonObject();
        o.addProperty("bytes", size);
        o.addProperty("crc32c", String.format(Locale.ROOT, "%08x", crc.getValue()));
        return o;
    }

    private static long stepOf(Path dir) {
        String name = dir.getFileName().toString();
        if (!name.startsWith(PREFIX) || !Files.isDirectory(dir)) return -1;
        try {
            return Long.parseLong(name.substring(PREFIX.length()));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
