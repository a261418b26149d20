package dev.cllm.train;

import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.zip.CRC32;

/**
 * An endless, seeded stream of trajectory records read from shards, holding at most {@code bufferSize}
 * records in memory whatever the size of the data.
 *
 * <p>Epoch e reads the shards one after another in an order shuffled with (seed, e). Records pass through
 * a shuffle buffer: it is filled with the first bufferSize records; each draw takes a slot chosen at
 * random (seeded with (seed, e)) and refills it with the next record read. When the shards are used up the
 * buffer drains, so every record is drawn exactly once per epoch, and an epoch ends before the next
 * begins. How far a record can move from its place in the shard order is bounded by the buffer, so data
 * written as many shards mixes better than one big file.
 *
 * <p>The stream's {@link Position} (epoch, records drawn in it) is enough to continue exactly:
 * {@link #seek} replays the epoch's draws without decoding records. A first pass over the epoch's records
 * skips them while it replays which record sits in which slot; a second pass decodes only the records the
 * buffer holds at the position. Seeking reads up to drawn + bufferSize records twice and decodes at most
 * bufferSize of them.
 */
public final class ShuffledRecordStream implements AutoCloseable {
    /** The default buffer: 10,000 records of a few KB each. */
    public static final int DEFAULT_BUFFER = 10_000;

    /** Where the stream stands: the epoch and how many records were drawn in it. */
    public record Position(int epoch, long drawn) {
        public Position {
            if (epoch < 0 || drawn < 0)
                throw new IllegalArgumentException("bad stream position " + epoch + "/" + drawn);
        }
    }

    private final List<RecordShard> shards;
    private final int bufferSize;
    private final long seed;
    private TrajectoryRecord[] buffer = new TrajectoryRecord[0];
    private int size;
    private int epoch;
    private long drawn;
    private boolean started;
    private SplittableRandom draws;
    private Walker walker;

    public ShuffledRecordStream(List<RecordShard> shards, int bufferSize, long seed) {
        if (shards.isEmpty()) throw new IllegalArgumentException("the trajectory data holds no shards");
        if (bufferSize < 1) throw new IllegalArgumentException("--shuffle-buffer must be >= 1, got " + bufferSize);
        List<RecordShard> sorted = new ArrayList<>(shards);
        sorted.sort(Comparator.comparing(RecordShard::name));
        this.shards = List.copyOf(sorted);
        this.bufferSize = bufferSize;
        this.seed = seed;
    }

    /** The shards, sorted by name. */
    public List<RecordShard> shards() {
        return shards;
    }

    public int bufferSize() {
        return bufferSize;
    }

    /** Records held in memory now (at most bufferSize). */
    public int bufferedRecords() {
        return size;
    }

    public Position position() {
        return started ? new Position(epoch, drawn) : new Position(0, 0);
    }

    /** The next record; a new epoch begins when the last one ended. */
    public TrajectoryRecord next() {
        if (!started || size == 0) {
            startEpoch(started ? epoch + 1 : 0);
            if (size == 0)
                throw new IllegalArgumentException("the trajectory data (" + describe() + ") holds no records");
        }
        int slot = draws.nextInt(size);
        TrajectoryRecord out = buffer[slot];
        TrajectoryRecord in = walker.next();
        if (in != null) {
            buffer[slot] = in;
        } else {
            size--;
            buffer[slot] = buffer[size];
            buffer[size] = null;
        }
        drawn++;
        return out;
    }

    private void startEpoch(int e) {
        closeWalker();
        Arrays.fill(buffer, null);
        SplittableRandom epochRandom = epochRandom(e);
        walker = new Walker(shuffledShards(epochRandom.split()));
        draws = epochRandom.split();
        size = 0;
        for (TrajectoryRecord r; size < bufferSize && (r = walker.next()) != null; size++) {
            ensureCapacity(size + 1);
            buffer[size] = r;
        }
        epoch = e;
        drawn = 0;
        started = true;
    }

    /** Moves to position, as if the stream had been drawn from up to it. */
    public void seek(Position position) {
        closeWalker();
        Arrays.fill(buffer, null);
        size = 0;
        started = false;
        SplittableRandom epochRandom = epochRandom(position.epoch());
        List<RecordShard> order = shuffledShards(epochRandom.split());
        SplittableRandom replay = epochRandom.split();
        // Pass 1: replay the draws with record numbers (in reading order) in the slots instead of records.
        long[] slots = new long[Math.min(bufferSize, 1024)];
        int n = 0;
        long read = 0;
        try (Walker w = new Walker(order)) {
            while (n < bufferSize && w.skip()) {
                if (n == slots.length) slots = Arrays.copyOf(slots, Math.min(bufferSize, 2 * n));
                slots[n++] = read++;
            }
            for (long d = 0; d < position.drawn(); d++) {
                if (n == 0) throw changedData(position, d);
                int slot = replay.nextInt(n);
                if (w.skip()) {
                    slots[slot] = read++;
                } else {
                    slots[slot] = slots[--n];
                }
            }
        }
        // Pass 2: read the epoch again up to the same record, decoding only what the buffer holds.
        Map<Long, Integer> wanted = new HashMap<>();
        for (int i = 0; i < n; i++) wanted.put(slots[i], i);
        ensureCapacity(n);
        Walker w = new Walker(order);
        try {
            for (long k = 0; k < read; k++) {
                Integer slot = wanted.get(k);
                if (slot == null) {
                    if (!w.skip()) throw changedData(position, k);
                } else {
                    TrajectoryRecord r = w.next();
                    if (r == null) throw changedData(position, k);
                    buffer[slot] = r;
                }
            }
        } catch (RuntimeException e) {
            w.close();
            Arrays.fill(buffer, null);
            throw e;
        }
        walker = w;
        draws = replay;
        size = n;
        epoch = position.epoch();
        drawn = position.drawn();
        started = true;
    }

    private IllegalArgumentException changedData(Position position, long records) {
        return new IllegalArgumentException("cannot continue at record " + position.drawn() + " of epoch "
                + position.epoch() + ": the epoch holds only " + records + " records now; the trajectory data ("
                + describe() + ") changed since the checkpoint");
    }

    /** The state a checkpoint keeps: the position and what it depends on (buffer size, seed, shard names). */
    public JsonObject state() {
        Position p = position();
        JsonObject o = new JsonObject();
        o.addProperty("epoch", p.epoch());
        o.addProperty("drawn", p.drawn());
        o.addProperty("shuffle_buffer", bufferSize);
        o.addProperty("seed", seed);
        o.addProperty("shards", shards.size());
        o.addProperty("shard_names_crc32", shardNamesCrc());
        return o;
    }

    /** Seeks to a saved state; refuses one saved with another buffer size, seed or set of shards. */
    public void restore(JsonObject state) {
        long savedBuffer = state.get("shuffle_buffer").getAsLong();
        if (savedBuffer != bufferSize) {
            throw new IllegalArgumentException(
                    "the checkpoint was trained with --shuffle-buffer " + savedBuffer + ", this run asks for "
                            + bufferSize + "; the record order would differ: resume with the same value");
        }
        if (state.get("seed").getAsLong() != seed) {
            throw new IllegalArgumentException("the checkpoint's data order was seeded with "
                    + state.get("seed").getAsLong() + ", this run with " + seed);
        }
        if (state.get("shards").getAsInt() != shards.size()
                || state.get("shard_names_crc32").getAsLong() != shardNamesCrc()) {
            throw new IllegalArgumentException("the trajectory data differs from the checkpoint's: "
                    + state.get("shards") + " shard(s) then, " + describe() + " now; resume with the same data");
        }
        seek(new Position(state.get("epoch").getAsInt(), state.get("drawn").getAsLong()));
    }

    private long shardNamesCrc() {
        CRC32 crc = new CRC32();
        for (RecordShard s : shards) crc.update((s.name() + "\n").getBytes(StandardCharsets.UTF_8));
        return crc.getValue();
    }

    private String describe() {
        return shards.size() == 1
                ? shards.get(0).name()
                : shards.size() + " shards, " + shards.get(0).name() + " ...";
    }

    private SplittableRandom epochRandom(int e) {
        return new SplittableRandom(seed * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L * (e + 1L));
    }

    private List<RecordShard> shuffledShards(SplittableRandom random) {
        List<RecordShard> order = new ArrayList<>(shards);
        for (int i = order.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            RecordShard t = order.get(i);
            order.set(i, order.get(j));
            order.set(j, t);
        }
        return order;
    }

    private void ensureCapacity(int n) {
        if (n > buffer.length) buffer = Arrays.copyOf(buffer, Math.min(bufferSize, Math.max(n, 2 * buffer.length)));
    }

    private void closeWalker() {
        if (walker != null) walker.close();
        walker = null;
    }

    @Override
    public void close() {
        closeWalker();
        Arrays.fill(buffer, null);
        size = 0;
        started = false;
    }

    /** Reads an epoch's shards one after another, one open at a time. */
    private static final class Walker implements AutoCloseable {
        private final List<RecordShard> order;
        private int nextShard;
        private ShardReader reader;

        Walker(List<RecordShard> order) {
            this.order = order;
        }

        TrajectoryRecord next() {
            while (advance()) {
                TrajectoryRecord r = reader.next();
                if (r != null) return r;
                closeReader();
            }
            return null;
        }

        boolean skip() {
            while (advance()) {
                if (reader.skip()) return true;
                closeReader();
            }
            return false;
        }

        /** Opens the next shard when none is open; false when all are read. */
        private boolean advance() {
            if (reader != null) return true;
            if (nextShard == order.size()) return false;
            reader = order.get(nextShard++).open();
            return true;
        }

        private void closeReader() {
            reader.close();
            reader = null;
        }

        @Override
        public void close() {
            if (reader != null) closeReader();
        }
    }
}
