package dev.cllm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cllm.Device;
import dev.cllm.decode.DecodeStats;
import dev.cllm.decode.InitialGuess;
import dev.cllm.decode.JacobiDecoder;
import dev.cllm.decode.WindowMode;
import dev.cllm.engine.NativeModel;
import dev.cllm.engine.NativeSession;
import dev.cllm.model.Checkpoints;
import dev.cllm.model.DType;
import dev.cllm.model.LlamaConfig;
import dev.cllm.model.ModelWeights;
import dev.cllm.model.RandomWeights;
import dev.cllm.torch.TorchLlama;
import dev.cllm.torch.TorchRuntime;
import dev.cllm.torch.TorchTensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.PointerScope;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConsistencyTrainingTest {
    private static final LlamaConfig TEACHER = LlamaConfig.of(64, 128, 2, 4, 2, 48, 128, true);

    @BeforeAll
    static void oneThread() {
        // Tiny tensors: one thread beats OpenMP fork/join, which collapses when the cores are busy.
        TorchRuntime.setThreads(1, 1);
    }

    private static List<int[]> prompts(int count) {
        SplittableRandom random = new SplittableRandom(5);
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < count; i++)
            out.add(random.ints(6, 0, TEACHER.vocabSize()).toArray());
        return out;
    }

    private static List<TrajectoryRecord> collect(ModelWeights weights, List<int[]> prompts, int block, int tokens) {
        List<TrajectoryRecord> records = new ArrayList<>();
        try (NativeModel model = NativeModel.load(weights, Device.cpu());
                NativeSession session = model.newSession(128)) {
            TrajectoryCollector collector =
                    new TrajectoryCollector(session, new TrajectoryCollector.Settings(block, tokens, -1, 1));
            for (int i = 0; i < prompts.size(); i++) records.addAll(collector.collect(i, prompts.get(i), null));
        }
        return records;
    }

    private static DecodeStats jacobi(ModelWeights weights, List<int[]> prompts, int block, int tokens) {
        DecodeStats total = DecodeStats.ZERO;
        try (NativeModel model = NativeModel.load(weights, Device.cpu());
                NativeSession session = model.newSession(128)) {
            JacobiDecoder decoder =
                    new JacobiDecoder(block, tokens, WindowMode.SHRINK, InitialGuess.random(9), block, null);
            for (int[] p : prompts)
                total = total.plus(decoder.decode(session, p, -1, null).stats());
        }
        return total;
    }

    @Test
    void consistencyLossAndGradientAreZeroAtTheFixedPoint() {
        int[] fixed = {4, 9, 2, 7};
        TrajectoryRecord converged =
                new TrajectoryRecord(0, 0, new int[] {1, 3, 5}, new int[][] {fixed, fixed}, fixed, null);
        ConsistencyTask task = new ConsistencyTask(
                List.of(converged),
                new ConsistencyTask.Settings(
                        0.0, ConsistencyTask.Divergence.KL, false, ConsistencyTask.ArTarget.TEACHER, 64));
        try (TorchLlama model = TorchLlama.random(TEACHER, 3).setRequiresGrad(true);
                PointerScope scope = new PointerScope()) {
            TrainingTask.StepLoss loss = task.loss(model, new SplittableRandom(1), 2);
            assertEquals(0.0, loss.values()[1], 0.0, "consistency loss at the fixed point");
            loss.total().backward();
            for (var p : model.parameters()) {
                if (p.grad().defined()) {
                    for (float g : TorchTensors.toFloats(p.grad()))
                        assertEquals(0f, g, 0f, "gradient at the fixed point");
                }
            }
        }
        // A state that differs from the fixed point gives a positive loss.
        int[] wrong = {4, 1, 1, 1};
        TrajectoryRecord moving =
                new TrajectoryRecord(0, 0, new int[] {1, 3, 5}, new int[][] {wrong, fixed}, fixed, null);
        ConsistencyTask task2 = new ConsistencyTask(
                List.of(moving),
                new ConsistencyTask.Settings(
                        0.0, ConsistencyTask.Divergence.KL, false, ConsistencyTask.ArTarget.TEACHER, 64));
        try (TorchLlama model = TorchLlama.random(TEACHER, 3);
                PointerScope scope = new PointerScope()) {
            assertTrue(task2.loss(model, new SplittableRandom(1), 1).values()[1] > 0);
        }
    }

    @Test
    void theOriginalPromptIsFoundFromTheBlockSize() {
        // 30 tokens in blocks of 8: blocks 0-2 are full, block 3 holds 6 tokens.
        List<TrajectoryRecord> records = collect(RandomWeights.create(TEACHER, 5), prompts(4), 8, 30);
        ConsistencyTask task = new ConsistencyTask(
                records,
                new ConsistencyTask.Settings(
                        1.0, ConsistencyTask.Divergence.KL, false, ConsistencyTask.ArTarget.TEACHER, 128));
        Map<Integer, int[]> blockZero = new java.util.HashMap<>();
        for (TrajectoryRecord r : records) if (r.blockId() == 0) blockZero.put(r.dataId(), r.promptIds());
        assertEquals(16, records.size());
        for (TrajectoryRecord r : records) {
            assertEquals(
                    blockZero.get(r.dataId()).length, task.originalPromptLength(r), r.dataId() + "/" + r.blockId());
        }
    }

    @Test
    void fineTuningOnItsOwnTrajectoriesNeedsFewerIterations(@TempDir Path dir) {
        ModelWeights teacher = RandomWeights.create(TEACHER, 17);
        List<int[]> prompts = prompts(6);
        int block = 8, tokens = 32;
        DecodeStats before = jacobi(teacher, prompts, block, tokens);
        List<TrajectoryRecord> records = collect(teacher, prompts, block, tokens);
        ConsistencyTask task = new ConsistencyTask(
                records,
                new ConsistencyTask.Settings(
                        1.0, ConsistencyTask.Divergence.KL, false, ConsistencyTask.ArTarget.TEACHER, 128));
        Trainer.Settings settings = new Trainer.Settings(150, 8, 1, 3e-3, 0.05, 0.0, 1.0, 7, 0, 10, false);
        Trainer.Summary summary;
        try (TorchLlama model = TorchLlama.fromWeights(teacher)) {
            summary = new Trainer(model, task, settings, dir, null, DType.F32).run(Trainer.Start.FRESH, null);
        }
        ModelWeights cllm = Checkpoints.load(dir);
        DecodeStats after = jacobi(cllm, prompts, block, tokens);
        assertTrue(
                after.iterationsPerToken() < 0.8 * before.iterationsPerToken(),
                "iterations per token " + before.iterationsPerToken() + " -> " + after.iterationsPerToken());
        // The loss curves go down: compare the first and last logged rows.
        Map<String, List<double[]>> log = TrainingLog.read(dir.resolve("train-log.csv"));
        // (The AR loss starts near zero: a random teacher is very sure of its own greedy tokens.)
        for (String name : List.of("total", "consistency")) {
            List<double[]> rows = log.get(name);
            assertTrue(
                    rows.get(rows.size() - 1)[1] < rows.get(0)[1],
                    name + " goes down: " + rows.get(0)[1] + " -> " + rows.get(rows.size() - 1)[1]);
        }
        assertTrue(Files.exists(dir.resolve("loss.png")) && Files.exists(dir.resolve("summary.json")));
        assertTrue(summary.peakRssBytes() > 0);
    }

    @Test
    void writtenCheckpointGivesTheTorchLogitsInTheNativeEngine(@TempDir Path dir) {
        LlamaConfig config = LlamaConfig.of(48, 80, 2, 4, 2, 37, 64, false);
        try (TorchLlama model = TorchLlama.random(config, 8)) {
            dev.cllm.model.CheckpointWriter.write(model.toWeights(), dir, DType.F32, null);
            int[] tokens = {1, 5, 9, 33, 2, 0, 17};
            float[] expected = model.logits(tokens);
            try (NativeModel engine = NativeModel.load(Checkpoints.load(dir), Device.cpu());
                    NativeSession session = engine.newSession(64)) {
                float[] actual = session.forward(tokens, true);
                float maxDiff = 0, maxRef = 0;
                for (int i = 0; i < expected.length; i++) {
                    maxDiff = Math.max(maxDiff, Math.abs(expected[i] - actual[i]));
                    maxRef = Math.max(maxRef, Math.abs(expected[i]));
                }
                assertTrue(maxDiff / maxRef <= 1e-4, "relative error " + maxDiff / maxRef);
            }
        }
    }

    @Test
    void resumingFromACheckpointContinuesExactly(@TempDir Path dir) throws Exception {
        ModelWeights start = RandomWeights.create(TEACHER, 4);
        List<TrajectoryRecord> records = collect(start, prompts(3), 8, 16);
        ConsistencyTask task = new ConsistencyTask(
                records,
                new ConsistencyTask.Settings(
                        10, ConsistencyTask.Divergence.SOFT_CE, false, ConsistencyTask.ArTarget.TEACHER, 128));
        Trainer.Settings settings = new Trainer.Settings(12, 4, 2, 1e-3, 0.1, 0.01, 1.0, 3, 6, 3, false);
        Path a = dir.resolve("a"), b = dir.resolve("b");
        try (TorchLlama model = TorchLlama.fromWeights(start)) {
            new Trainer(model, task, settings, a, null, DType.F32).run(Trainer.Start.FRESH, null);
        }
        // b holds only a's checkpoint at step 6, as a run killed after it would.
        Path checkpoint = a.resolve("checkpoints/step-000006");
        Path copy = b.resolve("checkpoints/step-000006");
        Files.createDirectories(copy);
        try (var files = Files.list(checkpoint)) {
            for (Path f : files.toList()) Files.copy(f, copy.resolve(f.getFileName()));
        }
        Trainer.Summary resumed;
        try (TorchLlama model = TorchLlama.fromWeights(start)) {
            resumed = new Trainer(model, task, settings, b, null, DType.F32).run(Trainer.Start.RESUME, null);
        }
        assertEquals(6, resumed.firstStep());
        ModelWeights wa = Checkpoints.load(a), wb = Checkpoints.load(b);
        for (String name : wa.tensors().keySet()) {
            float[] x = wa.require(name).toFloatArray(), y = wb.require(name).toFloatArray();
            for (int i = 0; i < x.length; i++)
                assertEquals(x[i], y[i], 1e-6f * Math.max(1f, Math.abs(x[i])), name + "[" + i + "]");
        }
    }
}
