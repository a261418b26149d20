package dev.cllm.spark;

import dev.cllm.Device;
import java.io.Serializable;

/**
 * What the Spark job does; the options of {@code cllm trajectories} plus where the output goes and how the
 * work is split. {@link SparkTrajectoriesCommand#parseOptions} builds one from command-line arguments.
 *
 * @param model the teacher checkpoint, as a path every executor can read (a shared file system, or a
 *     relative path to what {@code spark-submit --archives} unpacked)
 * @param prompts JSONL or Parquet prompts: a file or a directory of files (any Hadoop file system)
 * @param promptsFormat JSONL, PARQUET, or AUTO (Parquet when every file ends in .parquet)
 * @param parquetOut directory for the records as Parquet, or null
 * @param jsonlOut directory for the records as JSONL part files ({@code cllm train --data} reads it), or null
 * @param gzipJsonl whether the JSONL part files are gzip-compressed ({@code part-*.json.gz})
 * @param blockSize Jacobi block size n
 * @param maxNewTokens tokens per prompt
 * @param augment the reference's augmentation of intermediate states
 * @param repeatLimit records whose output repeats one token this many times in a row are dropped
 * @param seed seed of the initial guesses and of the augmentation (each prompt's from it and its id)
 * @param device auto, cpu, cuda (the GPU Spark assigns to each task) or cuda:N
 * @param limit only the first limit prompts (0: all)
 * @param partitions collection tasks (0: four per core of the application, at most one per prompt)
 * @param threads CPU threads of the engine per executor (0: the executor's cores)
 * @param overwrite replace existing output directories instead of failing
 */
public record SparkTrajectoryOptions(
        String model,
        String prompts,
        PromptFormat promptsFormat,
        String parquetOut,
        String jsonlOut,
        boolean gzipJsonl,
        int blockSize,
        int maxNewTokens,
        boolean augment,
        int repeatLimit,
        long seed,
        String device,
        int limit,
        int partitions,
        int threads,
        boolean overwrite)
        implements Serializable {

    public SparkTrajectoryOptions {
        if (model == null || model.isBlank()) throw new IllegalArgumentException("--model is required");
        if (prompts == null || prompts.isBlank()) throw new IllegalArgumentException("--prompts is required");
        if (promptsFormat == null) throw new IllegalArgumentException("--prompts-format must not be null");
        if (parquetOut == null && jsonlOut == null) {
            throw new IllegalArgumentException("give --parquet DIR, --jsonl DIR, or both");
        }
        if (parquetOut != null && parquetOut.equals(jsonlOut)) {
            throw new IllegalArgumentException("--parquet and --jsonl must be different directories");
        }
        if (blockSize < 1) throw new IllegalArgumentException("--block must be >= 1, got " + blockSize);
        if (maxNewTokens < 1) throw new IllegalArgumentException("--max-new-tokens must be >= 1, got " + maxNewTokens);
        if (repeatLimit < 2) throw new IllegalArgumentException("--repeat-limit must be >= 2, got " + repeatLimit);
        if (limit < 0) throw new IllegalArgumentException("--limit must be >= 0, got " + limit);
        if (partitions < 0) throw new IllegalArgumentException("--partitions must be >= 0, got " + partitions);
        if (threads < 0) throw new IllegalArgumentException("--threads must be >= 0, got " + threads);
        Device.parse(device); // fails here, on the driver, with the option's message
    }

    /** A copy with the engine's threads per executor set. */
    public SparkTrajectoryOptions withThreads(int newThreads) {
        return new SparkTrajectoryOptions(
                model,
                prompts,
                promptsFormat,
                parquetOut,
                jsonlOut,
                gzipJsonl,
                blockSize,
                maxNewTokens,
                augment,
                repeatLimit,
                seed,
                device,
                limit,
                partitions,
                newThreads,
                overwrite);
    }
}
