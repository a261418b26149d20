package dev.cllm.train;

import dev.cllm.model.DType;
import dev.cllm.model.RandomWeights;
import dev.cllm.torch.TorchLlama;
import dev.cllm.torch.TorchRuntime;
import java.nio.file.Path;
import java.util.List;

/**
 * A consistency fine-tuning run small enough to repeat many times in a test: a random model of
 * {@link SyntheticTrajectories#MODEL}'s shape on 30 synthetic records, a shuffle buffer of 8 (so the data
 * stream crosses epochs and buffer refills), batches of 4, a checkpoint every 4 steps and a log row
 * every 3 (so a resumed log row needs the saved window). Also a program, for the test that kills a
 * training JVM: {@code TinyTraining OUT DATA STEPS CHECKPOINT_EVERY} trains with --resume semantics.
 */
final class TinyTraining {
    static final int RECORDS = 30;
    static final ConsistencyTask.Settings OBJECTIVE = new ConsistencyTask.Settings(
            1.0, ConsistencyTask.Divergence.KL, false, ConsistencyTask.ArTarget.TEACHER, 64);

    private TinyTraining() {}

    static List<RecordShard> shards() {
        List<TrajectoryRecord> records = new java.util.ArrayList<>();
        for (int i = 0; i < RECORDS; i++)
            records.add(SyntheticTrajectories.record(i, SyntheticTrajectories.MODEL.vocabSize()));
        return List.of(RecordShard.of("synthetic", records));
    }

    static Trainer.Settings settings(int steps) {
        return settings(steps, 4);
    }

    static Trainer.Settings settings(int steps, int checkpointEvery) {
        return new Trainer.Settings(steps, 4, 1, 3e-3, 0.1, 0.01, 1.0, 7, checkpointEvery, 3, false);
    }

    static Trainer.Summary run(
            Path out,
            List<RecordShard> shards,
            Trainer.Settings settings,
            Trainer.Start start,
            Trainer.SavePoint hook) {
        TorchRuntime.setThreads(1, 1); // exact repeats across processes; tiny tensors gain nothing from threads
        try (ShuffledRecordStream stream = new ShuffledRecordStream(shards, 8, settings.seed());
                TorchLlama model = TorchLlama.fromWeights(RandomWeights.create(SyntheticTrajectories.MODEL, 4))) {
            return new Trainer(model, new ConsistencyTask(stream, OBJECTIVE), settings, out, null, DType.F32)
                    .onSavePoint(hook)
                    .run(start, null);
        }
    }

    public static void main(String[] args) {
        Path out = Path.of(args[0]);
        List<RecordShard> shards = RecordShards.find(Path.of(args[1]));
        run(
                out,
                shards,
                settings(Integer.parseInt(args[2]), Integer.parseInt(args[3])),
                Trainer.Start.RESUME,
                point -> {});
    }
}
