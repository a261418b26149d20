package dev.cllm.cli;

import com.google.gson.JsonObject;

import dev.cllm.model.Checkpoints;
import dev.cllm.model.DType;
import dev.cllm.model.ModelWeights;
import dev.cllm.torch.TorchLlama;
import dev.cllm.torch.TorchRuntime;
import dev.cllm.train.ConsistencyTask;
import dev.cllm.train.Trainer;
import dev.cllm.train.TrajectoryFiles;
import dev.cllm.train.TrajectoryRecord;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code cllm train}: consistency fine-tuning on Jacobi trajectories (turns a model into a CLLM). */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Consistency fine-tuning (CLLM) on a trajectory file: global (or local) consistency loss plus "
                + "--ar-weight times the AR loss, AdamW with cosine schedule. Writes the model as safetensors + "
                + "config.json, a CSV log, a loss plot and resumable checkpoints to --out.")
public final class TrainCommand implements Callable<Integer> {
    @Option(names = {"-m", "--model"}, required = true, paramLabel = "PATH", description = "The model to fine-tune.")
    Path model;

    @Option(names = "--data", required = true, paramLabel = "PATH", description = "Trajectory JSONL (.gz allowed), or a "
            + "directory of JSONL part files (the Spark job's output).")
    Path data;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder.")
    Path out;

    @Option(names = "--ar-weight", defaultValue = "10", description = "Weight of the AR loss (default: ${DEFAULT-VALUE}).")
    double arWeight;

    @Option(names = "--loss", defaultValue = "kl", description = "Consistency divergence: kl or soft-ce (default: ${DEFAULT-VALUE}).")
    String loss;

    @Option(names = "--local", description = "Local consistency (adjacent states) instead of global (state vs fixed point).")
    boolean local;

    @Option(names = "--ar-labels", description = "AR loss on the labels (reference answers) instead of the teacher output.")
    boolean arLabels;

    @Option(names = "--max-length", defaultValue = "0", description = "Longest training row; longer prompts lose their "
            + "earliest tokens (0: the model's max_seq_len).")
    int maxLength;

    @Option(names = "--dtype", defaultValue = "bf16", description = "dtype of the saved model: f32, bf16 or f16 (default: ${DEFAULT-VALUE}).")
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
        if (training.threads > 0) TorchRuntime.setThreads(1, training.threads);
        ModelWeights weights = Checkpoints.load(model);
        List<TrajectoryRecord> records = TrajectoryFiles.readAll(data);
        int length = maxLength > 0 ? Math.min(maxLength, weights.config().maxSeqLen()) : weights.config().maxSeqLen();
        ConsistencyTask task = new ConsistencyTask(records, new ConsistencyTask.Settings(arWeight, divergence, local,
                arLabels ? ConsistencyTask.ArTarget.LABELS : ConsistencyTask.ArTarget.TEACHER, length));
        Path tokenizer = Checkpoints.tokenizerFile(model).orElse(null);
        JsonObject info = new JsonObject();
        info.addProperty("model", model.toString());
        info.addProperty("data", data.toString());
        info.addProperty("records", records.size());
        info.addProperty("ar_weight", arWeight);
        info.addProperty("loss", loss);
        info.addProperty("local", local);
        System.err.printf(Locale.ROOT, "train: %d records from %s, %,d parameters%n", records.size(), data,
                weights.config().parameterCount());
        try (TorchLlama torch = TorchLlama.fromWeights(weights)) {
            Trainer.Summary s = new Trainer(torch, task, training.settings(2e-5), out, tokenizer, saveAs)
                    .run(training.resume, info);
            System.err.printf(Locale.ROOT, "train: %d steps in %.1f s (%.2f steps/s), peak RSS %.0f MiB; model in %s%n",
                    s.steps() - s.firstStep(), s.seconds(), s.stepsPerSecond(), s.peakRssBytes() / 1048576.0, out);
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
