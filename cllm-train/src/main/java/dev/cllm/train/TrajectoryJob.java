package dev.cllm.train;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import dev.cllm.CllmException;
import dev.cllm.engine.NativeSession;
import dev.cllm.util.ProgressBar;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A trajectory collection run over a prompt file: sharding (every N-th prompt), resuming (prompts whose
 * records are already in the output are skipped; a prompt's records are written together, so a prompt
 * is either fully there or absent), a progress bar, and a manifest beside the output
 * ({@code OUT.manifest.json}). Each prompt goes through {@link PromptTrajectories#collect} (collection,
 * cleaning, augmentation), the same step the Spark job runs.
 */
public final class TrajectoryJob {
    /** One prompt of the input: its id (index in the file), its token ids, and optional label ids. */
    public record Prompt(int dataId, int[] ids, int[] labels) {}

    /** Settings beyond the collector's: shard i of N, augmentation, the repetition filter. */
    public record Settings(
            TrajectoryCollector.Settings collector,
            int shardIndex,
            int shardCount,
            boolean augment,
            int repeatLimit,
            boolean progress) {
        public Settings {
            if (shardCount < 1 || shardIndex < 0 || shardIndex >= shardCount) {
                throw new IllegalArgumentException(
                        "shard must be i/N with 0 <= i < N, got " + shardIndex + "/" + shardCount);
            }
        }

        /** What decides a prompt's records (the shard and the progress bar do not). */
        public PromptTrajectories.Settings perPrompt() {
            return new PromptTrajectories.Settings(collector, augment, repeatLimit);
        }
    }

    /** What a run did; also written to the manifest. */
    public record Summary(
            int promptsTotal,
            int promptsInShard,
            int promptsSkipped,
            int promptsDone,
            long records,
            long droppedRepetitive,
            long augmentedTokens,
            long tokens,
            double seconds) {
        public double recordsPerSecond() {
            return seconds == 0 ? 0 : records / seconds;
        }
    }

    private TrajectoryJob() {}

    public static Summary run(
            NativeSession session, List<Prompt> prompts, Path out, Settings s, JsonObject manifestInfo) {
        Set<Integer> done = resume(out);
        List<Prompt> mine = prompts.stream()
                .filter(p -> p.dataId() % s.shardCount() == s.shardIndex())
                .toList();
        List<Prompt> todo =
                mine.stream().filter(p -> !done.contains(p.dataId())).toList();
        PromptTrajectories.Settings perPrompt = s.perPrompt();
        long records = 0, dropped = 0, augmented = 0, tokens = 0;
        long start = System.nanoTime();
        try (Writer writer = TrajectoryFiles.openForAppend(out);
                ProgressBar bar = s.progress() ? new ProgressBar("trajectories", todo.size()) : null) {
            int finished = 0;
            for (Prompt p : todo) {
                PromptTrajectories.Result result = PromptTrajectories.collect(session, p, perPrompt);
                for (TrajectoryRecord r : result.records()) TrajectoryFiles.write(writer, r);
                records += result.records().size();
                dropped += result.dropped();
                augmented += result.augmentedTokens();
                tokens += result.teacherTokens();
                writer.flush();
                finished++;
                if (bar != null) {
                    double seconds = (System.nanoTime() - start) / 1e9;
                    bar.update(
                            finished, String.format(Locale.ROOT, "%.0f tok/s %d records", tokens / seconds, records));
                }
            }
        } catch (IOException e) {
            throw new CllmException(CllmException.Status.IO, "cannot write " + out + ": " + e.getMessage(), e);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Summary summary = new Summary(
                prompts.size(),
                mine.size(),
                mine.size() - todo.size(),
                todo.size(),
                records,
                dropped,
                augmented,
                tokens,
                seconds);
        writeManifest(out, s, summary, manifestInfo);
        return summary;
    }

    /**
     * The data ids already complete in out. A file cut off by a killed run is rewritten without its
     * broken tail (and without the records of its last, possibly incomplete, prompt).
     */
    static Set<Integer> resume(Path out) {
        Set<Integer> ids = new HashSet<>();
        if (!Files.exists(out)) return ids;
        List<TrajectoryRecord> kept = new java.util.ArrayList<>();
        TrajectoryFiles.forEach(out, true, kept::add);
        int lastId = kept.isEmpty() ? -1 : kept.get(kept.size() - 1).dataId();
        try {
            // Rewrite: drops a broken tail and the last prompt, which may lack its final blocks.
            // The temporary name keeps out's suffix: TrajectoryFiles compresses by name, and a ".tmp" suffix
            // once wrote plain JSONL that then replaced a .gz file.
            Path tmp = out.resolveSibling(".resume-" + out.getFileName());
            Files.deleteIfExists(tmp);
            try (Writer w = TrajectoryFiles.openForAppend(tmp)) {
                for (TrajectoryRecord r : kept) {
                    if (r.dataId() == lastId) continue;
                    TrajectoryFiles.write(w, r);
                    ids.add(r.dataId());
                }
            }
            Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new CllmException(CllmException.Status.IO, "cannot resume " + out + ": " + e.getMessage(), e);
        }
        return ids;
    }

    private static void writeManifest(Path out, Settings s, Summary summary, JsonObject info) {
        JsonObject m = info == null ? new JsonObject() : info.deepCopy();
        m.addProperty("output", out.getFileName().toString());
        m.addProperty("block_size", s.collector().blockSize());
        m.addProperty("max_new_tokens", s.collector().maxNewTokens());
        m.addProperty("eos_token_id", s.collector().eos());
        m.addProperty("seed", s.collector().seed());
        m.addProperty("shard", s.shardIndex() + "/" + s.shardCount());
        m.addProperty("augment", s.augment());
        m.addProperty("repeat_limit", s.repeatLimit());
        m.addProperty("prompts_total", summary.promptsTotal());
        m.addProperty("prompts_in_shard", summary.promptsInShard());
        m.addProperty("prompts_skipped_resumed", summary.promptsSkipped());
        m.addProperty("prompts_done", summary.promptsDone());
        m.addProperty("records_written", summary.records());
        m.addProperty("records_dropped_repetitive", summary.droppedRepetitive());
        m.addProperty("tokens_augmented", summary.augmentedTokens());
        m.addProperty("teacher_tokens", summary.tokens());
        m.addProperty("seconds", summary.seconds());
        m.addProperty("records_per_second", summary.recordsPerSecond());
        try {
            Files.writeString(
                    manifestPath(out),
                    new GsonBuilder().setPrettyPrinting().create().toJson(m) + "\n");
        } catch (IOException e) {
            throw new CllmException(
                    CllmException.Status.IO, "cannot write the manifest of " + out + ": " + e.getMessage(), e);
        }
    }

    public static Path manifestPath(Path out) {
        return out.resolveSibling(out.getFileName() + ".manifest.json");
    }

    /** Joins shard files into one, ordered by (data_id, block_id); fails on a duplicate prompt. */
    public static long merge(List<Path> shards, Path out) {
        List<TrajectoryRecord> all = new java.util.ArrayList<>();
        java.util.Map<Integer, Path> owner = new java.util.HashMap<>();
        for (Path shard : shards) {
            Set<Integer> seen = new HashSet<>();
            TrajectoryFiles.forEach(shard, false, r -> {
                if (seen.add(r.dataId())) {
                    Path previous = owner.putIfAbsent(r.dataId(), shard);
                    if (previous != null) {
                        throw CllmException.badFormat(shard, "prompt " + r.dataId() + " is also in " + previous);
                    }
                }
                all.add(r);
            });
        }
        all.sort(java.util.Comparator.comparingInt(TrajectoryRecord::dataId)
                .thenComparingInt(TrajectoryRecord::blockId));
        try {
            Files.deleteIfExists(out);
            try (Writer w = TrajectoryFiles.openForAppend(out)) {
                for (TrajectoryRecord r : all) TrajectoryFiles.write(w, r);
            }
        } catch (IOException e) {
            throw new CllmException(CllmException.Status.IO, "cannot write " + out + ": " + e.getMessage(), e);
        }
        return all.size();
    }
}
