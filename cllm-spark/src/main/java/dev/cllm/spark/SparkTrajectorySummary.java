package dev.cllm.spark;

/**
 * What a Spark collection did, from the job's accumulators (successful task attempts only).
 *
 * @param prompts prompts in the input (after --limit)
 * @param promptsDone prompts collected
 * @param records records written
 * @param dropped records dropped as repetitive
 * @param augmentedTokens tokens changed by augmentation
 * @param teacherTokens tokens the teacher generated
 * @param taskSeconds time the tasks spent collecting, summed over tasks
 * @param seconds wall-clock time of the collection (reading prompts, collecting, writing every output)
 * @param partitions collection tasks
 * @param threads CPU threads of the engine per executor (0: the engine's default)
 */
public record SparkTrajectorySummary(
        long prompts,
        long promptsDone,
        long records,
        long dropped,
        long augmentedTokens,
        long teacherTokens,
        double taskSeconds,
        double seconds,
        int partitions,
        int threads) {

    public double recordsPerSecond() {
        return seconds == 0 ? 0 : records / seconds;
    }

    /** Teacher tokens per wall-clock second, over the whole application. */
    public double teacherTokensPerSecond() {
        return seconds == 0 ? 0 : teacherTokens / seconds;
    }

    /** Teacher tokens per second of one task. */
    public double teacherTokensPerTaskSecond() {
        return taskSeconds == 0 ? 0 : teacherTokens / taskSeconds;
    }
}
