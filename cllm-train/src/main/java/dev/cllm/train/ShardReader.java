package dev.cllm.train;

/** Reads one {@link RecordShard} in order. */
public interface ShardReader extends AutoCloseable {
    /**
     * The next record, or null after the last. Malformed content: {@link dev.cllm.CllmException} BAD_FORMAT
     * naming the shard and the record.
     */
    TrajectoryRecord next();

    /**
     * Moves past the next record without decoding it where the format allows (a resumed run passes over
     * the records it already trained on this way); false after the last.
     */
    default boolean skip() {
        return next() != null;
    }

    @Override
    void close();
}
