package dev.cllm.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a real training process with SIGKILL (kill -9) in the middle of its run, as it begins to write a
 * checkpoint (where exactly the kill lands varies from run to run), and resumes it: the result must
 * equal a run that was never killed.
 */
class TrainerKillTest {
    private static final int STEPS = 60, CHECKPOINT_EVERY = 5;

    @Test
    void aRunKilledWithSigkillResumesToTheSameResult(@TempDir Path dir) throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        SyntheticTrajectories.writeShard(
                data.resolve("part-0.jsonl.gz"), 0, 20, SyntheticTrajectories.MODEL.vocabSize());
        SyntheticTrajectories.writeShard(
                data.resolve("part-1.jsonl"), 20, TinyTraining.RECORDS, SyntheticTrajectories.MODEL.vocabSize());
        Path killed = dir.resolve("killed"), reference = dir.resolve("reference");

        Process child = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        TinyTraining.class.getName(),
                        killed.toString(),
                        data.toString(),
                        Integer.toString(STEPS),
                        Integer.toString(CHECKPOINT_EVERY))
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("child.log").toFile())
                .start();
        try {
            // Kill as soon as the checkpoint of step 25 is begun: most likely in the middle of writing it.
            Path trigger = killed.resolve("checkpoints/step-000025");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!Files.exists(trigger) && child.isAlive() && System.nanoTime() < deadline) Thread.sleep(1);
            assertTrue(child.isAlive(), "the training process ended before it could be killed: " + log(dir));
            assertTrue(Files.exists(trigger), "no checkpoint at step 25 within 2 minutes: " + log(dir));
            child.destroyForcibly(); // SIGKILL on Linux: no shutdown hooks, no flushing
            child.waitFor(30, TimeUnit.SECONDS);
        } finally {
            child.destroyForcibly();
        }
        assertTrue(!Files.exists(killed.resolve("summary.json")), "the run was killed before its end");
        try (var left = Files.list(killed.resolve("checkpoints/step-000025"))) {
            System.err.println("the kill left in step-000025: "
                    + left.map(p -> p.getFileName().toString()).sorted().toList());
        }

        List<RecordShard> shards = RecordShards.find(data);
        TinyTraining.run(killed, shards, TinyTraining.settings(STEPS, CHECKPOINT_EVERY), Trainer.Start.RESUME, p -> {});
        TinyTraining.run(
                reference, shards, TinyTraining.settings(STEPS, CHECKPOINT_EVERY), Trainer.Start.FRESH, p -> {});
        TrainerSafetyTest.assertSameRun(reference, killed);
    }

    private static String log(Path dir) throws IOException {
        return Files.readString(dir.resolve("child.log"));
    }
}
