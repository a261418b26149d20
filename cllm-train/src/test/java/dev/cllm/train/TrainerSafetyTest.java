package dev.cllm.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cllm.model.Checkpoints;
import dev.cllm.model.ModelWeights;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Interrupted and repeated training runs: a kill is simulated by throwing from a save point (the files
 * are left exactly as the kill would leave them, as every write goes through a temporary file) or by
 * damaging checkpoint files; the resumed run must end with the weights and the log of a run that was
 * never interrupted. {@link TrainerKillTest} kills a real training process.
 */
class TrainerSafetyTest {
    private static final int STEPS = 12;

    /** The run every interrupted run is compared with. */
    @TempDir
    static Path reference;

    /** Thrown from a save point: a kill there. */
    private static final class Killed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Killed(String point) {
            super("killed at " + point);
        }
    }

    @BeforeAll
    static void trainReference() {
        TinyTraining.run(reference, TinyTraining.shards(), TinyTraining.settings(STEPS), Trainer.Start.FRESH, p -> {});
    }

    /** A hook that kills the run the n-th time it reaches point. */
    private static Trainer.SavePoint killAt(String point, int occurrence) {
        int[] seen = {0};
        return p -> {
            if (p.equals(point) && ++seen[0] == occurrence) throw new Killed(p);
        };
    }

    private static Trainer.Summary train(Path out, Trainer.Start start) {
        return TinyTraining.run(out, TinyTraining.shards(), TinyTraining.settings(STEPS), start, p -> {});
    }

    @ParameterizedTest(name = "killed at {0} #{1}, resumed from step {2}")
    @CsvSource({
        "checkpoint-model, 2, 4", // step 8's checkpoint has a model but no trainer.json yet
        "checkpoint-optimizer, 2, 4", // ... and its optimizer state
        "checkpoint-done, 2, 8", // step 8's checkpoint is complete
        "checkpoint-model, 3, 8", // the last checkpoint is incomplete
        "final-checkpoint, 1, 12", // the last checkpoint is written, the final model is not
        "final-model, 1, 12", // the final model is written, plot and summary are not
    })
    void aResumedRunEndsAsIfNeverInterrupted(String point, int occurrence, int resumedFrom, @TempDir Path out) {
        assertThrows(
                Killed.class,
                () -> TinyTraining.run(
                        out,
                        TinyTraining.shards(),
                        TinyTraining.settings(STEPS),
                        Trainer.Start.FRESH,
                        killAt(point, occurrence)));
        if (point.startsWith("final")) assertFalse(Files.exists(out.resolve("summary.json")));
        Trainer.Summary resumed = train(out, Trainer.Start.RESUME);
        assertEquals(resumedFrom, resumed.firstStep());
        assertSameRun(reference, out);
    }

    @Test
    void aDamagedCheckpointIsPassedOverForTheNewestCompleteOne(@TempDir Path out) throws IOException {
        assertThrows(
                Killed.class,
                () -> TinyTraining.run(
                        out,
                        TinyTraining.shards(),
                        TinyTraining.settings(STEPS),
                        Trainer.Start.FRESH,
                        killAt("final-checkpoint", 1)));
        Path checkpoints = out.resolve("checkpoints");
        // A trainer.json cut off in the middle (as a kill during a plain write left it), and a model file
        // with one byte changed.
        Path state = checkpoints.resolve("step-000012/trainer.json");
        byte[] json = Files.readAllBytes(state);
        Files.write(state, java.util.Arrays.copyOf(json, json.length / 2));
        Path model = checkpoints.resolve("step-000008/model.safetensors");
        byte[] bytes = Files.readAllBytes(model);
        bytes[bytes.length - 3] ^= 1;
        Files.write(model, bytes);
        assertEquals(
                checkpoints.resolve("step-000004"),
                Trainer.latestCheckpoint(out).orElseThrow());
        assertEquals(4, train(out, Trainer.Start.RESUME).firstStep());
        assertSameRun(reference, out);
    }

    @Test
    void aKillDuringTheFinalSaveIsFinishedByResume(@TempDir Path out) throws IOException {
        assertThrows(
                Killed.class,
                () -> TinyTraining.run(
                        out,
                        TinyTraining.shards(),
                        TinyTraining.settings(STEPS),
                        Trainer.Start.FRESH,
                        killAt("final-checkpoint", 1)));
        // What a kill inside the model write leaves: a partial temporary file and no model.
        Files.writeString(out.resolve("model.safetensors.tmp"), "partial");
        assertFalse(Files.exists(out.resolve("model.safetensors")));
        Trainer.Summary finished = train(out, Trainer.Start.RESUME);
        assertEquals(STEPS, finished.firstStep());
        assertFalse(Files.exists(out.resolve("model.safetensors.tmp")));
        assertSameRun(reference, out);
        // Resuming a complete run again changes nothing.
        train(out, Trainer.Start.RESUME);
        assertSameRun(reference, out);
    }

    @Test
    void aFreshRunRefusesAFolderInUseAndOverwriteReplacesIt(@TempDir Path out) throws IOException {
        Files.writeString(out.resolve("train-log.csv"), "step,total,consistency,ar,lr\n999,1,1,1,1\n");
        IllegalArgumentException refused =
                assertThrows(IllegalArgumentException.class, () -> train(out, Trainer.Start.FRESH));
        assertTrue(
                refused.getMessage().contains("--resume")
                        && refused.getMessage().contains("--overwrite"),
                refused.getMessage());
        Files.writeString(out.resolve("notes.txt"), "mine");
        train(out, Trainer.Start.OVERWRITE);
        assertSameRun(reference, out);
        assertEquals(
                "mine", Files.readString(out.resolve("notes.txt")), "--overwrite deletes only what a trainer writes");
    }

    @Test
    void aResumeThatWouldChangeTheScheduleIsRefused(@TempDir Path out) {
        assertThrows(
                Killed.class,
                () -> TinyTraining.run(
                        out,
                        TinyTraining.shards(),
                        TinyTraining.settings(STEPS),
                        Trainer.Start.FRESH,
                        killAt("checkpoint-done", 1)));
        IllegalArgumentException steps = assertThrows(
                IllegalArgumentException.class,
                () -> TinyTraining.run(
                        out, TinyTraining.shards(), TinyTraining.settings(STEPS + 8), Trainer.Start.RESUME, p -> {}));
        assertTrue(steps.getMessage().contains("--steps 12 (now 20)"), steps.getMessage());
        Trainer.Settings s = TinyTraining.settings(STEPS);
        Trainer.Settings otherLr = new Trainer.Settings(
                s.steps(),
                s.batchSize(),
                s.accumulation(),
                1e-3,
                s.warmupFraction(),
                s.weightDecay(),
                s.clipNorm(),
                s.seed(),
                s.checkpointEvery(),
                s.logEvery(),
                false);
        IllegalArgumentException lr = assertThrows(
                IllegalArgumentException.class,
                () -> TinyTraining.run(out, TinyTraining.shards(), otherLr, Trainer.Start.RESUME, p -> {}));
        assertTrue(lr.getMessage().contains("--lr 0.003 (now 0.001)"), lr.getMessage());
        // The same settings resume.
        assertEquals(4, train(out, Trainer.Start.RESUME).firstStep());
        assertSameRun(reference, out);
    }

    @Test
    void aCheckpointOfTheEarlierFormatStillResumes(@TempDir Path out) throws IOException {
        assertThrows(
                Killed.class,
                () -> TinyTraining.run(
                        out,
                        TinyTraining.shards(),
                        TinyTraining.settings(STEPS),
                        Trainer.Start.FRESH,
                        killAt("checkpoint-done", 1)));
        // What checkpoints held before they recorded settings, data position and checksums.
        Files.writeString(out.resolve("checkpoints/step-000004/trainer.json"), "{\"step\": 4, \"seed\": 7}");
        Trainer.Summary resumed = train(out, Trainer.Start.RESUME);
        assertEquals(4, resumed.firstStep());
        List<double[]> rows = TrainingLog.read(out.resolve("train-log.csv")).get("total");
        assertEquals(List.of(3.0, 6.0, 9.0, 12.0), rows.stream().map(r -> r[0]).toList());
    }

    /** Same final weights (exactly: the runs compute the same steps), same log rows, each step once. */
    static void assertSameRun(Path expected, Path actual) {
        ModelWeights a = Checkpoints.load(expected), b = Checkpoints.load(actual);
        for (String name : a.tensors().keySet()) {
            assertArrayEquals(a.require(name).toFloatArray(), b.require(name).toFloatArray(), name);
        }
        try {
            List<String> want = Files.readAllLines(expected.resolve("train-log.csv"), StandardCharsets.UTF_8);
            List<String> got = Files.readAllLines(actual.resolve("train-log.csv"), StandardCharsets.UTF_8);
            assertEquals(want, got, "the log of the resumed run");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        Map<String, List<double[]>> log = TrainingLog.read(actual.resolve("train-log.csv"));
        List<double[]> rows = log.get("total");
        for (int i = 1; i < rows.size(); i++)
            assertTrue(rows.get(i)[0] > rows.get(i - 1)[0], "steps increase in the log");
        assertTrue(Files.exists(actual.resolve("loss.png")) && Files.exists(actual.resolve("summary.json")));
    }

    @Test
    void theLogKeepsTheRowsUpToTheResumedStep(@TempDir Path dir) throws IOException {
        Path csv = dir.resolve("log.csv");
        try (TrainingLog log = new TrainingLog(csv, List.of("loss"), 0)) {
            for (int step = 3; step <= 12; step += 3) log.log(step, new double[] {1.0 / step}, 1e-3);
        }
        Files.writeString(csv, "15,0.0", StandardOpenOption.APPEND); // a row cut off by a kill
        try (TrainingLog log = new TrainingLog(csv, List.of("loss"), 6)) {
            log.log(9, new double[] {0.5}, 1e-3);
        }
        List<double[]> rows = TrainingLog.read(csv).get("loss");
        assertEquals(List.of(3.0, 6.0, 9.0), rows.stream().map(r -> r[0]).toList());
        assertEquals(0.5, rows.get(2)[1]);
    }
}
