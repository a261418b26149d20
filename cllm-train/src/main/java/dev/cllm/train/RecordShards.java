package dev.cllm.train;

import dev.cllm.CllmException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Finds the shards of a trajectory data set: one file, or every shard file in a directory (not its
 * subdirectories), sorted by name. Shard files end in .jsonl or .json (what Spark's JSON writer names
 * its parts), optionally .gz. Hidden files, names starting with '_' (Spark's _SUCCESS) and
 * {@code *.manifest.json} are skipped; any other file is refused, so a typo cannot silently drop data.
 */
public final class RecordShards {
    private RecordShards() {}

    public static List<RecordShard> find(Path path) {
        if (Files.isRegularFile(path)) {
            refuseParquet(path);
            return List.of(new JsonlShard(path));
        }
        if (!Files.isDirectory(path))
            throw new CllmException(CllmException.Status.IO, "trajectory data not found: " + path);
        List<RecordShard> shards = new ArrayList<>();
        try (Stream<Path> children = Files.list(path)) {
            for (Path p : children.sorted(
                            Comparator.comparing(c -> c.getFileName().toString()))
                    .toList()) {
                String name = p.getFileName().toString();
                if (name.startsWith(".") || name.startsWith("_") || name.endsWith(".manifest.json")) continue;
                if (Files.isDirectory(p)) continue;
                refuseParquet(p);
                if (!isJsonl(name)) {
                    throw CllmException.badFormat(
                            p,
                            "not a trajectory shard (expected a name ending in .jsonl, .jsonl.gz, "
                                    + ".json or .json.gz)");
                }
                shards.add(new JsonlShard(p));
            }
        } catch (IOException e) {
            throw new CllmException(CllmException.Status.IO, "cannot list " + path + ": " + e.getMessage(), e);
        }
        if (shards.isEmpty())
            throw CllmException.badFormat(path, "the directory holds no trajectory shards (.jsonl, .jsonl.gz)");
        return shards;
    }

    static boolean isJsonl(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".jsonl") || n.endsWith(".jsonl.gz") || n.endsWith(".json") || n.endsWith(".json.gz");
    }

    private static void refuseParquet(Path p) {
        if (p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".parquet")) {
            throw new CllmException(
                    CllmException.Status.UNSUPPORTED,
                    p + ": Parquet trajectory shards are not " + "supported yet; write JSONL (.jsonl or .jsonl.gz)");
        }
    }
}
