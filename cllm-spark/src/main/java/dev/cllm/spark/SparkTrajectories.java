package dev.cllm.spark;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import dev.cllm.train.PromptText;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.Path;
import org.apache.spark.HashPartitioner;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

/**
 * Jacobi trajectory collection on Spark (the driver's side). The prompts are read and numbered
 * ({@link PromptInput}), hash-partitioned by id and sorted within each partition, and every partition is
 * one task that collects its prompts on the executor's teacher ({@link CollectPartition}). The records go
 * through Spark's DataFrame writers, so Spark's output commit protocol decides what lands: a task attempt
 * that fails leaves nothing behind and its retry writes the partition whole. A prompt's records depend on its
 * id and the options only, so retries, recomputations and other partitionings give the same records.
 *
 * <p>Outputs: Parquet ({@link TrajectoryRows#SCHEMA}) and/or a directory of JSONL part files in the fields
 * of {@code cllm trajectories}; with both, the JSONL is converted from the committed Parquet, so the teacher
 * runs once. A manifest ({@code DIR.manifest.json}) lands beside each output.
 */
public final class SparkTrajectories {
    private SparkTrajectories() {}

    public static SparkTrajectorySummary run(SparkSession spark, SparkTrajectoryOptions requested) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        SparkTrajectoryOptions options =
                requested.withThreads(executorThreads(spark.sparkContext(), requested.threads()));
        SaveMode mode = options.overwrite() ? SaveMode.Overwrite : SaveMode.ErrorIfExists;
        if (!options.overwrite()) {
            refuseExisting(spark, options.parquetOut());
            refuseExisting(spark, options.jsonlOut());
        }
        long start = System.nanoTime();
        CollectionMetrics metrics = CollectionMetrics.register(jsc);

        jsc.setJobDescription("cllm trajectories: reading and numbering the prompts");
        JavaRDD<PromptText> prompts = PromptInput.read(
                        spark, options.prompts(), options.promptsFormat(), options.limit())
                .persist(StorageLevel.MEMORY_AND_DISK());
        long count = prompts.count();
        if (count == 0) throw new IllegalArgumentException("prompt input " + options.prompts() + " holds no prompts");
        int partitions = options.partitions() > 0
                ? options.partitions()
                : (int) Math.max(1, Math.min(count, 4L * jsc.defaultParallelism()));

        JavaRDD<Row> rows = prompts.mapToPair(p -> new Tuple2<>(p.dataId(), p))
                .repartitionAndSortWithinPartitions(new HashPartitioner(partitions))
                .values()
                .mapPartitions(new CollectPartition(options, metrics));
        Dataset<Row> records = spark.createDataFrame(rows, TrajectoryRows.SCHEMA);
        jsc.setJobDescription(String.format(
                java.util.Locale.ROOT,
                "cllm trajectories: %d prompts, block %d, %d tasks",
                count,
                options.blockSize(),
                partitions));
        if (options.parquetOut() != null) {
            records.write().mode(mode).parquet(options.parquetOut());
            if (options.jsonlOut() != null) {
                jsc.setJobDescription("cllm trajectories: Parquet to JSONL");
                writeJsonl(spark.read().parquet(options.parquetOut()), options, mode);
            }
        } else {
            writeJsonl(records, options, mode);
        }
        prompts.unpersist(false);
        jsc.setJobDescription(null);

        SparkTrajectorySummary summary = new SparkTrajectorySummary(
                count,
                metrics.promptsDone().value(),
                metrics.records().value(),
                metrics.dropped().value(),
                metrics.augmentedTokens().value(),
                metrics.teacherTokens().value(),
                metrics.teacherMillis().value() / 1000.0,
                (System.nanoTime() - start) / 1e9,
                partitions,
                options.threads());
        if (options.parquetOut() != null) writeManifest(spark, options.parquetOut(), "parquet", options, summary);
        if (options.jsonlOut() != null) writeManifest(spark, options.jsonlOut(), "jsonl", options, summary);
        return summary;
    }

    private static void writeJsonl(Dataset<Row> records, SparkTrajectoryOptions options, SaveMode mode) {
        records.write()
                .mode(mode)
                .option("compression", options.gzipJsonl() ? "gzip" : "none")
                .option("ignoreNullFields", "true") // no labels: no labels_ids field, as cllm trajectories writes
                .json(options.jsonlOut());
    }

    /**
     * The engine's threads per executor: as asked; else local[N]'s N; else spark.executor.cores; else 0
     * (the engine's default: the CPUs the executor may run on).
     */
    static int executorThreads(SparkContext sc, int asked) {
        if (asked > 0) return asked;
        if (sc.isLocal()) return sc.defaultParallelism();
        return sc.getConf().getInt("spark.executor.cores", 0);
    }

    private static void refuseExisting(SparkSession spark, String out) {
        if (out == null) return;
        try {
            Path path = new Path(out);
            if (path.getFileSystem(spark.sparkContext().hadoopConfiguration()).exists(path)) {
                throw new IllegalArgumentException("output " + out + " exists (--overwrite replaces it)");
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot check the output " + out + ": " + e.getMessage(), e);
        }
    }

    /** Path of the manifest written beside an output directory. */
    public static String manifestPath(String out) {
        String trimmed = out.endsWith("/") ? out.substring(0, out.length() - 1) : out;
        return trimmed + ".manifest.json";
    }

    private static void writeManifest(
            SparkSession spark, String out, String format, SparkTrajectoryOptions o, SparkTrajectorySummary s) {
        JsonObject m = new JsonObject();
        m.addProperty("output", out);
        m.addProperty("format", format);
        m.addProperty("model", o.model());
        m.addProperty("prompts", o.prompts());
        m.addProperty("block_size", o.blockSize());
        m.addProperty("max_new_tokens", o.maxNewTokens());
        m.addProperty("seed", o.seed());
        m.addProperty("augment", o.augment());
        m.addProperty("repeat_limit", o.repeatLimit());
        m.addProperty("device", o.device());
        m.addProperty("spark_master", spark.sparkContext().master());
        m.addProperty("spark_application_id", spark.sparkContext().applicationId());
        m.addProperty("partitions", s.partitions());
        m.addProperty("engine_threads_per_executor", s.threads());
        m.addProperty("prompts_total", s.prompts());
        m.addProperty("prompts_done", s.promptsDone());
        m.addProperty("records_written", s.records());
        m.addProperty("records_dropped_repetitive", s.dropped());
        m.addProperty("tokens_augmented", s.augmentedTokens());
        m.addProperty("teacher_tokens", s.teacherTokens());
        m.addProperty("seconds", s.seconds());
        m.addProperty("task_seconds", s.taskSeconds());
        m.addProperty("records_per_second", s.recordsPerSecond());
        m.addProperty("teacher_tokens_per_second", s.teacherTokensPerSecond());
        Path path = new Path(manifestPath(out));
        try (FSDataOutputStream stream =
                path.getFileSystem(spark.sparkContext().hadoopConfiguration()).create(path, true)) {
            stream.write(
                    (new GsonBuilder().setPrettyPrinting().create().toJson(m) + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the manifest " + path + ": " + e.getMessage(), e);
        }
    }
}
