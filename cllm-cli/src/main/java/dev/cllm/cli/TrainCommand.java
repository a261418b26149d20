package dev.cllm.cli;

import com.google.gson.JsonObject;
import dev.cllm.model.Checkpoints;
import dev.cllm.model.DType;
import dev.cllm.model.ModelWeights;
import dev.cllm.torch.TorchLlama;
import dev.cllm.torch.TorchRuntime;
import dev.cllm.train.ConsistencyTask;
import dev.cllm.train.RecordShard;
import dev.cllm.train.RecordShards;
import dev.cllm.train.ShuffledRecordStream;
import dev.cllm.train.Trainer;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code cllm train}: consistency fine-tuning on Jacobi trajectories (turns a model into a CLLM). */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description = "Consistency fine-tuning (CLLM) on trajectory data (a file or a directory of shards): global (or "
                + "local) consistency loss plus --ar-weight times the AR loss, AdamW with cosine schedule. Writes the model "
                + "as safetensors + config.json, a CSV log, a loss plot and resumable checkpoints to --out.")
public final class TrainCommand implements Callable<Integer> {
    @Option(
            names = {"-m", "--model"},
            required = true,
            paramLabel = "MODEL",
            description = "The model to fine-tune (a checkpoint, or embedded:teacher).")
    ModelLocation location;

    @Option(
            names = "--data",
            required = true,
            paramLabel = "PATH",
            description =
                    "Trajectory JSONL (.gz allowed), or a "
                            + "directory of such shards (e.g. the Spark job's JSONL output); read as a stream, never all at once.")
    Path data;

    @Option(
            names = "--shuffle-buffer",
            defaultValue = "10000",
            paramLabel = "N",
            description = "Records held in memory to "
                    + "shuffle the stream (shards are read in a seeded random order, records drawn at random from this buffer) "
                    + "(default: ${DEFAULT-VALUE}).")
    int shuffleBuffer;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder.")
    Path out;

    @Option(
            names = "--ar-weight",
            defaultValue = "10",
            description = "Weight of the AR loss (default: ${DEFAULT-VALUE}).")
    double arWeight;

    @Option(
            names = "--loss",
            defaultValue = "kl",
            description = "Consistency divergence: kl or soft-ce (default: ${DEFAULT-VALUE}).")
    String loss;

    @Option(
            names = "--local",
            description = "Local consistency (adjacent states) instead of global (state vs fixed point).")
    boolean local;

    @Option(
            names = "--ar-labels",
            description = "AR loss on the labels (reference answers) instead of the teacher output.")
    boolean arLabels;

    @Option(
            names = "--max-length",
            defaultValue = "0",
            description = "Longest training row; longer prompts lose their "
                    + "earliest tokens (0: the model's max_seq_len).")
    int maxLength;

    @Option(
            names = "--dtype",
            defaultValue = "bf16",
            description = "dtype of the saved model: f32, bf16 or f16 (default: ${DEFAULT-VALUE}).")
    String dtype;

    @Mixin
    TrainingOptions training;

    @Override
    public Integer call() {
        ConsistencyTask.Divergence divergence = switch (loss.toLowerCase(Locale.ROOT)) {
            case "kl" -> ConsistencyTask.Divergence.KL;
            case "soft-ce" -> ConsistencyTask.Divergence.SOFT_CE;
            default -> throw new IllegalArgumentException("--loss must be kl or soft-ce, got '" + loss + "'");
        };
        DType saveAs = parseDtype(dtype);
        Trainer.Settings settings = training.settings(5e-4, 2400);
        if (arWeight < 0) throw new IllegalArgumentException("--ar-weight must be >= 0, got " + arWeight);
        if (maxLength < 0 || maxLength > 0 && maxLength < 4) {
            throw new IllegalArgumentException("--max-length must be 0 (the model's) or >= 4, got " + maxLength);
        }
        if (training.threads > 0) TorchRuntime.setThreads(1, training.threads);
        Path model = location.path();
        Trainer.Start start = training.start();
        ModelWeights weights = Checkpoints.load(model);
        List<RecordShard> shards = RecordShards.find(data);
        int length = maxLength > 0
                ? Math.min(maxLength, weights.config().maxSeqLen())
                : weights.config().maxSeqLen();
        Path tokenizer = Checkpoints.tokenizerFile(model).orElse(null);
        JsonObject info = new JsonObject();
        info.addProperty("command", training.commandLine());
        info.addProperty("model", location.toString());
        info.addProperty("data", data.toString());
        info.addProperty("shards", shards.size());
        info.addProperty("shuffle_buffer", shuffleBuffer);
        info.addProperty("ar_weight", arWeight);
        info.addProperty("loss", loss);
        info.addProperty("local", local);
        System.err.printf(
                Locale.ROOT,
                "train: %d shard(s) from %s, shuffle buffer %,d records, %,d parameters%n",
                shards.size(),
                data,
                shuffleBuffer,
                weights.config().parameterCount());
        try (ShuffledRecordStream stream = new ShuffledRecordStream(shards, shuffleBuffer, settings.seed());
                TorchLlama torch = TorchLlama.fromWeights(weights)) {
            ConsistencyTask task = new ConsistencyTask(
                    stream,
                    new ConsistencyTask.Settings(
                            arWeight,
                            divergence,
                            local,
                            arLabels ? ConsistencyTask.ArTarget.LABELS : ConsistencyTask.ArTarget.TEACHER,
                            length));
            Trainer.Summary s = new Trainer(torch, task, settings, out, tokenizer, saveAs).run(start, info);
            System.err.printf(
                    Locale.ROOT,
                    "train: %d steps in %.1f s (%.2f steps/s), peak RSS %.0f MiB; model in %s%n",
                    s.steps() - s.firstStep(),
                    s.seconds(),
                    s.stepsPerSecond(),
                    s.peakRssBytes() / 1048576.0,
                    out);
        }
        return 0;
    }

    static DType parseDtype(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "f32", "fp32", "float32" -> DType.F32;
            case "bf16", "bfloat16" -> DType.BF16;
            case "f16", "fp16", "float16" -> DType.F16;
            default -> throw new IllegalArgumentException("--dtype must be f32, bf16 or f16, got '" + text + "'");
        };
    }
}
