package dev.cllm.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cllm.cli.Main;
import dev.cllm.train.TrajectoryFiles;
import dev.cllm.train.TrajectoryRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Spark job in local mode (two cores, a failed task retried once) on a tiny random teacher, against
 * {@code cllm trajectories} on the same prompts with the same options.
 */
class SparkTrajectoriesTest {
    private static final int PROMPTS = 10;
    private static final String[] COLLECTION = {
        "--block", "4", "--max-new-tokens", "24", "--augment", "--seed", "9", "--device", "cpu"
    };

    @TempDir
    static Path dir;

    static Path model;
    static Path prompts;
    static SparkSession spark;
    /** The records of cllm trajectories, by "data_id/block_id". */
    static Map<String, String> single;

    @BeforeAll
    static void collectOnOneMachineAndStartSpark() throws IOException {
        model = TinyTeacher.model(dir);
        prompts = TinyTeacher.prompts(dir.resolve("prompts.jsonl"), PROMPTS, 5);
        Path out = dir.resolve("single.jsonl");
        List<String> args = new ArrayList<>(List.of(
                "trajectories", "--model", model.toString(), "--prompts", prompts.toString(), "--out", out.toString()));
        args.addAll(List.of(COLLECTION));
        cli(args.toArray(String[]::new));
        single = keyed(TrajectoryFiles.readAll(out));
        assertTrue(single.size() >= PROMPTS, "some records survive the repetition filter: " + single.size());
        // local[2,2]: two cores, and a task may fail twice (local[2] would give up on the first failure).
        spark = SparkSession.builder()
                .master("local[2,2]")
                .appName("cllm-spark-test")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "2")
                .getOrCreate();
    }

    @AfterAll
    static void stopSpark() {
        if (spark != null) spark.stop();
        ExecutorTeacher.closeAll();
    }

    @Test
    void recordsEqualCllmTrajectoriesInParquetAndJsonlWhateverThePartitioning() throws IOException {
        Path parquet = dir.resolve("out-parquet"), jsonl = dir.resolve("out-jsonl");
        SparkTrajectorySummary s = SparkTrajectories.run(
                spark, options("--parquet", parquet.toString(), "--jsonl", jsonl.toString(), "--partitions", "3"));
        assertEquals(single, keyed(TrajectoryFiles.readAll(jsonl)), "JSONL part files");
        List<TrajectoryRecord> fromParquet = new ArrayList<>();
        for (Row row : spark.read().parquet(parquet.toString()).collectAsList())
            fromParquet.add(TrajectoryRows.fromRow(row));
        assertEquals(single, keyed(fromParquet), "Parquet");
        assertEquals(3, partFiles(parquet, ".parquet"), "one Parquet part per task");
        assertTrue(partFiles(jsonl, ".json.gz") >= 1, "gzip JSONL parts");
        assertEquals(PROMPTS, s.prompts());
        assertEquals(PROMPTS, s.promptsDone());
        assertEquals(single.size(), s.records());
        assertTrue(s.teacherTokens() >= s.records(), s.toString());
        assertTrue(Files.exists(Path.of(SparkTrajectories.manifestPath(jsonl.toString()))));
        assertTrue(Files.readString(Path.of(SparkTrajectories.manifestPath(parquet.toString())))
                .contains("\"records_written\": " + single.size()));
        assertEquals(2, s.threads(), "the engine's threads follow local[2]");

        // Parquet prompts, one task, JSONL straight from the collection, uncompressed.
        Path parquetPrompts = dir.resolve("prompts-parquet");
        spark.read()
                .json(prompts.toString())
                .select("prompt", "answer")
                .coalesce(1)
                .write()
                .parquet(parquetPrompts.toString());
        Path plain = dir.resolve("out-plain");
        SparkTrajectorySummary t = SparkTrajectories.run(
                spark,
                options(
                        parquetPrompts,
                        "--jsonl",
                        plain.toString(),
                        "--jsonl-compression",
                        "none",
                        "--partitions",
                        "1"));
        assertEquals(single, keyed(TrajectoryFiles.readAll(plain)), "Parquet prompts, one partition");
        assertEquals(1, partFiles(plain, ".json"));
        assertEquals(single.size(), t.records());
    }

    @Test
    void aTaskThatFailsAfterWritingIsRetriedAndEveryRecordLandsExactlyOnce() {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        AtomicInteger failedTasks = new AtomicInteger();
        SparkListener listener = new SparkListener() {
            @Override
            public void onTaskEnd(SparkListenerTaskEnd end) {
                if (!end.taskInfo().successful()) failedTasks.incrementAndGet();
            }
        };
        spark.sparkContext().addSparkListener(listener);
        int before = FailureInjection.injected();
        Path out = dir.resolve("out-retried");
        SparkTrajectorySummary s;
        FailureInjection.failFirstAttempt(jsc, 1, 2);
        try {
            s = SparkTrajectories.run(spark, options("--jsonl", out.toString(), "--partitions", "2"));
        } finally {
            FailureInjection.disarm(jsc);
            spark.sparkContext().removeSparkListener(listener);
        }
        assertEquals(
                before + 1, FailureInjection.injected(), "the first attempt of partition 1 failed after 2 records");
        assertTrue(failedTasks.get() >= 1, "Spark saw the failed attempt");
        assertEquals(single, keyed(TrajectoryFiles.readAll(out)), "no record lost, none twice");
        assertEquals(PROMPTS, s.promptsDone(), "accumulators count the successful attempt only");
        assertEquals(single.size(), s.records());
    }

    @Test
    void cllmTrainTrainsOnTheJsonlOutput() throws IOException {
        Path out = dir.resolve("out-for-training");
        SparkTrajectorySummary s = SparkTrajectories.run(spark, options("--jsonl", out.toString(), "--limit", "4"));
        assertEquals(4, s.promptsDone());
        Path trained = dir.resolve("trained");
        String err = cli(
                "train",
                "--model",
                model.toString(),
                "--data",
                out.toString(),
                "--out",
                trained.toString(),
                "--steps",
                "1",
                "--batch",
                "2",
                "--lr",
                "1e-3",
                "--log-every",
                "1",
                "--dtype",
                "f32",
                "--threads",
                "1");
        long parts;
        try (var files = Files.list(out)) {
            parts = files.filter(f -> f.getFileName().toString().matches("part-.*\\.json(\\.gz)?"))
                    .count();
        }
        assertTrue(parts > 0 && s.records() > 0, "the job wrote records in part files");
        assertTrue(err.contains("train: " + parts + " shard(s) from " + out), err);
        assertTrue(Files.exists(trained.resolve("model.safetensors")), "a trained model");
    }

    @Test
    void aBadPromptLineIsNamedAndExistingOutputIsKept() throws IOException {
        Path bad = dir.resolve("bad.jsonl");
        Files.writeString(bad, "{\"prompt\": \"fine\"}\n{\"question\": \"no prompt\"}\n");
        Exception e = assertThrows(
                Exception.class,
                () -> SparkTrajectories.run(
                        spark, options(bad, "--jsonl", dir.resolve("out-bad").toString())));
        String message = SparkTrajectoriesCommand.rootMessage(e);
        assertTrue(message.contains("bad.jsonl: line 2 has no string field \"prompt\""), message);

        Path existing = Files.createDirectories(dir.resolve("out-existing"));
        IllegalArgumentException refused = assertThrows(
                IllegalArgumentException.class,
                () -> SparkTrajectories.run(spark, options("--jsonl", existing.toString())));
        assertTrue(refused.getMessage().contains("exists (--overwrite replaces it)"), refused.getMessage());
        assertTrue(Files.isDirectory(existing), "left as it was");
    }

    @Test
    void optionsAreCheckedBeforeAnythingRuns() {
        IllegalArgumentException noOutput = assertThrows(
                IllegalArgumentException.class,
                () -> SparkTrajectoriesCommand.parseOptions("--model", "m", "--prompts", "p"));
        assertTrue(noOutput.getMessage().contains("--parquet DIR, --jsonl DIR"), noOutput.getMessage());
        IllegalArgumentException device = assertThrows(
                IllegalArgumentException.class,
                () -> SparkTrajectoriesCommand.parseOptions(
                        "--model", "m", "--prompts", "p", "--jsonl", "o", "--device", "tpu"));
        assertTrue(device.getMessage().contains("tpu"), device.getMessage());
        SparkTrajectoryOptions o = SparkTrajectoriesCommand.parseOptions(
                "--model", "m", "--prompts", "p.parquet", "--jsonl", "o", "--block", "8", "--augment");
        assertEquals(8, o.blockSize());
        assertTrue(o.augment() && o.gzipJsonl());
        assertNull(o.parquetOut());
        assertEquals(dev.cllm.Device.cuda(0), CollectPartition.device("cuda", null), "no GPU assigned: device 0");
        assertEquals(dev.cllm.Device.cpu(), CollectPartition.device("cpu", null));
    }

    private static SparkTrajectoryOptions options(String... extra) {
        return options(prompts, extra);
    }

    private static SparkTrajectoryOptions options(Path promptInput, String... extra) {
        List<String> args = new ArrayList<>(List.of("--model", model.toString(), "--prompts", promptInput.toString()));
        args.addAll(List.of(COLLECTION));
        args.addAll(List.of(extra));
        return SparkTrajectoriesCommand.parseOptions(args.toArray(String[]::new));
    }

    /** Records by "data_id/block_id"; a key seen twice fails. */
    static Map<String, String> keyed(List<TrajectoryRecord> records) {
        Map<String, String> out = new TreeMap<>();
        for (TrajectoryRecord r : records) {
            String key = r.dataId() + "/" + r.blockId();
            if (out.put(key, r.toJson().toString()) != null) fail("record " + key + " is there twice");
        }
        return out;
    }

    private static long partFiles(Path directory, String suffix) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(f -> f.getFileName().toString())
                    .filter(n -> n.startsWith("part-") && n.endsWith(suffix))
                    .count();
        }
    }

    /** Runs the cllm command line in this JVM; fails unless it exits 0; returns its stderr. */
    private static String cli(String... args) {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        int code;
        try {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            code = Main.run(args);
        } finally {
            System.setErr(err);
        }
        String text = captured.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, "cllm " + String.join(" ", args) + ":\n" + text);
        return text;
    }
}
