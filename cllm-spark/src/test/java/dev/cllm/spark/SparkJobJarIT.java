package dev.cllm.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cllm.train.TrajectoryFiles;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job jar as spark-submit would use it: a separate JVM with only the job jar and Spark's own classpath
 * (no LibTorch, no cllm module jars), started through the jar's Main-Class, in local mode.
 */
class SparkJobJarIT {
    private static final Path JOB_JAR = Path.of(System.getProperty("cllm.spark.jobJar", "target/cllm-spark-job.jar"));

    @Test
    void theJobJarRunsInLocalModeWithSparksClasspathOnly(@TempDir Path dir) throws Exception {
        String mainClass;
        try (JarFile jar = new JarFile(JOB_JAR.toFile())) {
            mainClass = jar.getManifest().getMainAttributes().getValue("Main-Class");
            assertTrue(
                    jar.stream().noneMatch(e -> e.getName().startsWith("org/bytedeco/pytorch/")), "no LibTorch inside");
            assertTrue(jar.stream().noneMatch(e -> e.getName().startsWith("org/apache/spark/")), "no Spark inside");
            assertTrue(
                    jar.getEntry("dev/cllm/nativelib/linux-x86_64/libcllm.so") != null
                            || jar.stream().anyMatch(e -> e.getName().endsWith("libcllm.so")),
                    "the engine's natives inside");
        }
        assertEquals("dev.cllm.spark.SparkTrajectoriesCommand", mainClass);
        Path model = TinyTeacher.model(dir);
        Path prompts = TinyTeacher.prompts(dir.resolve("prompts.jsonl"), 6, 8);
        Path out = dir.resolve("out");
        Result ok = run(
                dir,
                mainClass,
                "--master",
                "local[2]",
                "--model",
                model.toString(),
                "--prompts",
                prompts.toString(),
                "--jsonl",
                out.toString(),
                "--block",
                "4",
                "--max-new-tokens",
                "16",
                "--device",
                "cpu");
        assertEquals(0, ok.code(), ok.output());
        assertTrue(ok.output().contains("cllm-spark: 6 prompts"), ok.output());
        int records = TrajectoryFiles.readAll(out).size();
        assertTrue(records > 0);
        assertTrue(Files.readString(Path.of(SparkTrajectories.manifestPath(out.toString())))
                .contains("\"records_written\": " + records));

        Result bad = run(dir, mainClass, "--model", model.toString(), "--prompts", prompts.toString());
        assertEquals(1, bad.code(), bad.output());
        assertTrue(bad.output().contains("cllm-spark: give --parquet DIR, --jsonl DIR, or both"), bad.output());
        assertFalse(bad.output().contains("Exception"), "one line, no stack trace: " + bad.output());
    }

    private record Result(int code, String output) {}

    private static Result run(Path dir, String mainClass, String... args) throws IOException, InterruptedException {
        String sparkClasspath = Files.readString(
                        Path.of(System.getProperty("cllm.spark.classpathFile", "target/spark-classpath.txt")))
                .strip();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx1g");
        Collections.addAll(
                command, System.getProperty("cllm.spark.javaOptions", "").trim().split("\\s+"));
        command.add("-Dlog4j2.configurationFile="
                + Path.of("target/test-classes/log4j2-test.properties").toAbsolutePath());
        command.add("-cp");
        command.add(JOB_JAR.toAbsolutePath() + File.pathSeparator + sparkClasspath);
        command.add(mainClass);
        Collections.addAll(command, args);
        Path log = Files.createTempFile(dir, "job", ".log");
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        if (!process.waitFor(4, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("the job did not end within 4 minutes:\n" + Files.readString(log));
        }
        return new Result(process.exitValue(), Files.readString(log));
    }
}
