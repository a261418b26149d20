package dev.cllm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cllm.CllmException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShuffledRecordStreamTest {
    /**
     * Shards that make their records on the fly and count how many they have handed out decoded, so a
     * test can tell how many records the stream holds: decoded minus drawn.
     */
    private static final class CountingShards {
        long decoded;
        final List<RecordShard> shards = new ArrayList<>();

        CountingShards(int count, long recordsPerShard) {
            for (int s = 0; s < count; s++) {
                long from = s * recordsPerShard, to = from + recordsPerShard;
                shards.add(new RecordShard() {
                    @Override
                    public String name() {
                        return String.format("part-%05d", from / recordsPerShard);
                    }

                    @Override
                    public ShardReader open() {
                        return new ShardReader() {
                            long next = from;

                            @Override
                            public TrajectoryRecord next() {
                                if (next == to) return null;
                                decoded++;
                                return record(next++);
                            }

                            @Override
                            public boolean skip() {
                                if (next == to) return false;
                                next++;
                                return true;
                            }

                            @Override
                            public void close() {}
                        };
                    }
                });
            }
        }
    }

    /** A small record that carries its index in data_id. */
    private static TrajectoryRecord record(long index) {
        int[] block = {1, 2};
        return new TrajectoryRecord((int) index, 0, new int[] {1}, new int[][] {block}, block, null);
    }

    @Test
    void holdsAtMostTheBufferWhateverTheDataSize() {
        int buffer = 64;
        for (long perShard : new long[] {250, 25_000}) {
            CountingShards data = new CountingShards(8, perShard);
            long total = 8 * perShard;
            try (ShuffledRecordStream stream = new ShuffledRecordStream(data.shards, buffer, 1)) {
                long drawn = 0, mostHeld = 0;
                BitSet seen = new BitSet();
                for (int epoch = 0; epoch < 2; epoch++) {
                    seen.clear();
                    for (long i = 0; i < total; i++) {
                        TrajectoryRecord r = stream.next();
                        drawn++;
                        mostHeld = Math.max(mostHeld, data.decoded - drawn);
                        assertTrue(stream.bufferedRecords() <= buffer);
                        assertTrue(!seen.get(r.dataId()), "record " + r.dataId() + " drawn twice in epoch " + epoch);
                        seen.set(r.dataId());
                    }
                    assertEquals(total, seen.cardinality(), "every record once per epoch");
                    assertEquals(new ShuffledRecordStream.Position(epoch, total), stream.position());
                }
                assertTrue(
                        mostHeld <= buffer,
                        total + " records: the stream held " + mostHeld + " decoded records at once, "
                                + "more than its buffer of " + buffer);
                assertEquals(2 * total, data.decoded, "each record decoded once per epoch");
            }
        }
    }

    @Test
    void theOrderIsSeededAndShuffledAcrossShards() {
        List<Integer> a = draw(new ShuffledRecordStream(new CountingShards(5, 200).shards, 50, 3), 1000);
        List<Integer> again = draw(new ShuffledRecordStream(new CountingShards(5, 200).shards, 50, 3), 1000);
        List<Integer> other = draw(new ShuffledRecordStream(new CountingShards(5, 200).shards, 50, 4), 1000);
        assertEquals(a, again, "same seed, same order");
        assertNotEquals(a, other, "another seed, another order");
        // The first records drawn come from a shard other than the first one for some seed: shard order is shuffled.
        boolean shardOrderShuffled = false;
        for (long seed = 0; seed < 8 && !shardOrderShuffled; seed++) {
            shardOrderShuffled = draw(new ShuffledRecordStream(new CountingShards(5, 200).shards, 10, seed), 1)
                            .get(0)
                    >= 200;
        }
        assertTrue(shardOrderShuffled);
        // A buffer of one record reads in shard order; a buffer as big as the data shuffles it all.
        List<Integer> inOrder = draw(new ShuffledRecordStream(new CountingShards(1, 300).shards, 1, 3), 300);
        for (int i = 0; i < 300; i++) assertEquals(i, inOrder.get(i));
        List<Integer> full = draw(new ShuffledRecordStream(new CountingShards(1, 300).shards, 300, 3), 300);
        assertTrue(
                full.subList(0, 30).stream().anyMatch(i -> i >= 270),
                "a full buffer draws from the whole shard at once");
    }

    private static List<Integer> draw(ShuffledRecordStream stream, int n) {
        List<Integer> out = new ArrayList<>();
        try (stream) {
            for (int i = 0; i < n; i++) out.add(stream.next().dataId());
        }
        return out;
    }

    @Test
    void restoringASavedStateContinuesExactlyAndDecodesOnlyTheBuffer() {
        for (int drawnBefore : new int[] {0, 7, 130, 1000, 1234, 2999}) { // within, at the end of and across epochs
            CountingShards data = new CountingShards(4, 250);
            List<Integer> expected;
            com.google.gson.JsonObject state;
            try (ShuffledRecordStream stream = new ShuffledRecordStream(data.shards, 40, 9)) {
                for (int i = 0; i < drawnBefore; i++) stream.next();
                state = stream.state();
                expected = draw(stream, 600);
            }
            CountingShards again = new CountingShards(4, 250);
            try (ShuffledRecordStream resumed = new ShuffledRecordStream(again.shards, 40, 9)) {
                resumed.restore(state);
                assertTrue(
                        again.decoded <= 40, "restoring decoded " + again.decoded + " records, more than the buffer");
                assertEquals(expected, draw(resumed, 600), "after " + drawnBefore + " draws");
            }
        }
    }

    @Test
    void restoreRefusesAnotherBufferSeedOrData() {
        com.google.gson.JsonObject state;
        try (ShuffledRecordStream stream = new ShuffledRecordStream(new CountingShards(4, 10).shards, 8, 1)) {
            stream.next();
            state = stream.state();
        }
        IllegalArgumentException buffer = assertThrows(
                IllegalArgumentException.class,
                () -> new ShuffledRecordStream(new CountingShards(4, 10).shards, 9, 1).restore(state));
        assertTrue(buffer.getMessage().contains("--shuffle-buffer 8"), buffer.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> new ShuffledRecordStream(new CountingShards(4, 10).shards, 8, 2).restore(state));
        IllegalArgumentException shards = assertThrows(
                IllegalArgumentException.class,
                () -> new ShuffledRecordStream(new CountingShards(5, 10).shards, 8, 1).restore(state));
        assertTrue(shards.getMessage().contains("differs"), shards.getMessage());
    }

    @Test
    void aDirectoryOfJsonlShardsIsReadWhole(@TempDir Path dir) throws IOException {
        SyntheticTrajectories.writeShard(dir.resolve("part-0.jsonl"), 0, 40, 50);
        SyntheticTrajectories.writeShard(dir.resolve("part-1.jsonl.gz"), 40, 100, 50);
        SyntheticTrajectories.writeShard(dir.resolve("part-2-c000.json.gz"), 100, 101, 50);
        Files.writeString(dir.resolve("_SUCCESS"), "");
        Files.writeString(dir.resolve(".part-0.jsonl.crc"), "x");
        Files.writeString(dir.resolve("all.jsonl.gz.manifest.json"), "{}");
        List<RecordShard> shards = RecordShards.find(dir);
        assertEquals(
                List.of("part-0.jsonl", "part-1.jsonl.gz", "part-2-c000.json.gz"),
                shards.stream().map(RecordShard::name).toList());
        try (ShuffledRecordStream stream = new ShuffledRecordStream(shards, 16, 5)) {
            List<String> drawn = new ArrayList<>();
            for (int i = 0; i < 101; i++) drawn.add(stream.next().toJson().toString());
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 101; i++)
                expected.add(SyntheticTrajectories.record(i, 50).toJson().toString());
            assertEquals(
                    expected.stream().sorted().toList(), drawn.stream().sorted().toList());
        }
        assertEquals(4, ConsistencyTask.probeBlockWidth(shards), "block size found from the records");
    }

    @Test
    void badShardsAreNamed(@TempDir Path dir) throws IOException {
        SyntheticTrajectories.writeShard(dir.resolve("a.jsonl"), 0, 3, 50);
        Files.writeString(
                dir.resolve("b.jsonl"),
                SyntheticTrajectories.record(3, 50).toJson() + "\n{\"data_id\": 1}\n",
                StandardCharsets.UTF_8);
        CllmException bad = assertThrows(CllmException.class, () -> {
            try (ShuffledRecordStream stream = new ShuffledRecordStream(RecordShards.find(dir), 100, 1)) {
                stream.next();
            }
        });
        assertTrue(bad.getMessage().contains("b.jsonl") && bad.getMessage().contains("line 2"), bad.getMessage());

        Files.writeString(dir.resolve("c.parquet"), "");
        CllmException parquet = assertThrows(CllmException.class, () -> RecordShards.find(dir));
        assertEquals(CllmException.Status.UNSUPPORTED, parquet.status());
        Files.delete(dir.resolve("c.parquet"));
        Files.writeString(dir.resolve("notes.txt"), "");
        CllmException other = assertThrows(CllmException.class, () -> RecordShards.find(dir));
        assertTrue(other.getMessage().contains("notes.txt"), other.getMessage());

        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertThrows(CllmException.class, () -> RecordShards.find(empty));
        Files.writeString(empty.resolve("x.jsonl"), "\n");
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> {
            try (ShuffledRecordStream stream = new ShuffledRecordStream(RecordShards.find(empty), 10, 1)) {
                stream.next();
            }
        });
        assertTrue(none.getMessage().contains("no records"), none.getMessage());
    }
}
