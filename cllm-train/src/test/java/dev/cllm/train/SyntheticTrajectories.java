package dev.cllm.train;

import dev.cllm.model.CheckpointWriter;
import dev.cllm.model.DType;
import dev.cllm.model.LlamaConfig;
import dev.cllm.model.RandomWeights;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Synthetic trajectory records for tests and memory measurements: record i belongs to prompt i / 3 and is
 * its block i % 3, with a 6-token prompt plus the earlier blocks, three states of a 4-token block, random
 * tokens below the vocabulary size. The same index always gives the same record.
 *
 * <p>As a program it writes a data set for measuring the trainer's memory:
 * {@code SyntheticTrajectories DIR RECORDS SHARDS} writes DIR/data/part-NNNNN.jsonl.gz (RECORDS records in
 * SHARDS shards) and DIR/model (a random model of {@link #MODEL}'s shape).
 */
final class SyntheticTrajectories {
    static final int BLOCK = 4, BLOCKS_PER_PROMPT = 3, PROMPT = 6;
    static final LlamaConfig MODEL = LlamaConfig.of(32, 64, 2, 4, 2, 40, 64, true);

    private SyntheticTrajectories() {}

    static TrajectoryRecord record(long index, int vocab) {
        int dataId = (int) (index / BLOCKS_PER_PROMPT), blockId = (int) (index % BLOCKS_PER_PROMPT);
        SplittableRandom prompt = new SplittableRandom(dataId * 31L + 5);
        int[] ids = prompt.ints(PROMPT + blockId * BLOCK, 1, vocab).toArray();
        SplittableRandom block = new SplittableRandom(index * 17L + 3);
        int[] fixed = block.ints(BLOCK, 1, vocab).toArray();
        int[][] states = new int[3][];
        states[0] = block.ints(BLOCK, 1, vocab).toArray();
        states[1] = states[0].clone();
        states[1][0] = fixed[0];
        states[1][1] = fixed[1];
        states[2] = fixed;
        return new TrajectoryRecord(dataId, blockId, ids, states, fixed.clone(), null);
    }

    /** Writes records [from, to) as one JSONL shard (gzip when the name ends in .gz). */
    static void writeShard(Path file, long from, long to, int vocab) throws IOException {
        Files.deleteIfExists(file);
        try (Writer w = TrajectoryFiles.openForAppend(file)) {
            for (long i = from; i < to; i++) TrajectoryFiles.write(w, record(i, vocab));
        }
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 3) throw new IllegalArgumentException("usage: SyntheticTrajectories DIR RECORDS SHARDS");
        Path dir = Path.of(args[0]);
        long records = Long.parseLong(args[1]);
        int shards = Integer.parseInt(args[2]);
        Path data = dir.resolve("data");
        Files.createDirectories(data);
        for (int s = 0; s < shards; s++) {
            writeShard(
                    data.resolve(String.format(Locale.ROOT, "part-%05d.jsonl.gz", s)),
                    records * s / shards,
                    records * (s + 1) / shards,
                    MODEL.vocabSize());
        }
        CheckpointWriter.write(RandomWeights.create(MODEL, 1), dir.resolve("model"), DType.F32, null);
        System.out.printf(
                Locale.ROOT,
                "%d records in %d shards under %s, model in %s%n",
                records,
                shards,
                data,
                dir.resolve("model"));
    }
}
