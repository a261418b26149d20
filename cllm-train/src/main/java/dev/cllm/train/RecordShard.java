package dev.cllm.train;

/**
 * One unit of trajectory records that is read from its first record to its last: a JSONL file
 * ({@link JsonlShard}), a list in memory, and later a Parquet file. The trainer sees only this interface
 * (through {@link ShuffledRecordStream}), so a new format plugs in without touching it.
 */
public interface RecordShard {
    /** The shard's name within its data set (its file name); shards are sorted by it. */
    String name();

    /** A reader at the shard's first record; the caller closes it. */
    ShardReader open();

    /** A shard of records already in memory (small data sets, tests). */
    static RecordShard of(String name, java.util.List<TrajectoryRecord> records) {
        java.util.List<TrajectoryRecord> copy = java.util.List.copyOf(records);
        return new RecordShard() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public ShardReader open() {
                java.util.Iterator<TrajectoryRecord> it = copy.iterator();
                return new ShardReader() {
                    @Override
                    public TrajectoryRecord next() {
                        return it.hasNext() ? it.next() : null;
                    }

                    @Override
                    public void close() {}
                };
            }
        };
    }
}
