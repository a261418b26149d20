package dev.cllm.train;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;

import dev.cllm.CllmException;
import dev.cllm.model.CheckpointWriter;
import dev.cllm.model.DType;
import dev.cllm.torch.TorchLlama;
import dev.cllm.util.ProgressBar;

import org.bytedeco.javacpp.PointerScope;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * The training loop shared by pre-training and consistency fine-tuning: AdamW with a cosine schedule and
 * warmup, gradient accumulation and clipping, seeded batches (step s always draws the same batch, so a
 * resumed run continues exactly), a CSV log and a PNG plot, checkpoints every K steps and at the end.
 *
 * <p>Output folder: {@code model.safetensors} + {@code config.json} (+ {@code tokenizer.json}) of the
 * final model, {@code train-log.csv}, {@code loss.png}, {@code summary.json}, and
 * {@code checkpoints/step-NNNNNN/} (model, {@code optimizer.safetensors}, {@code trainer.json}).
 */
public final class Trainer {
    /** Optimisation settings. checkpointEvery 0: only at the end. */
    public record Settings(int steps, int batchSize, int accumulation, double learningRate, double warmupFraction,
            double weightDecay, double clipNorm, long seed, int checkpointEvery, int logEvery, boolean progress) {
        public Settings {
            if (steps < 1) throw new IllegalArgumentException("--steps must be >= 1, got " + steps);
            if (batchSize < 1) throw new IllegalArgumentException("--batch must be >= 1, got " + batchSize);
            if (accumulation < 1) throw new IllegalArgumentException("--accumulation must be >= 1, got " + accumulation);
            if (checkpointEvery < 0) throw new IllegalArgumentException("--checkpoint-every must be >= 0");
            if (logEvery < 1) throw new IllegalArgumentException("--log-every must be >= 1");
        }
    }

    /** What a run did. */
    public record Summary(int firstStep, int steps, double seconds, double[] lastValues, long peakRssBytes) {
        public double stepsPerSecond() {
            return seconds == 0 ? 0 : (steps - firstStep) / seconds;
        }
    }

    private final TorchLlama model;
    private final TrainingTask task;
    private final Settings settings;
    private final Path out;
    private final Path tokenizer;
    private final DType saveDtype;

    /** tokenizer: copied next to every saved model (may be null). saveDtype: dtype of saved models. */
    public Trainer(TorchLlama model, TrainingTask task, Settings settings, Path out, Path tokenizer, DType saveDtype) {
        this.model = model;
        this.task = task;
        this.settings = settings;
        this.out = out;
        this.tokenizer = tokenizer;
        this.saveDtype = saveDtype;
    }

    /** Trains from step 0, or from the latest checkpoint under out when resume is set. */
    public Summary run(boolean resume, JsonObject info) {
        model.setRequiresGrad(true);
        LearningRateSchedule schedule = LearningRateSchedule.cosine(settings.learningRate(), settings.steps(),
                settings.warmupFraction());
        try (AdamW optimizer = new AdamW(model.namedParameters(), 0.9, 0.95, 1e-8, settings.weightDecay())) {
            int first = 0;
            if (resume) {
                Optional<Path> latest = latestCheckpoint(out);
                if (latest.isPresent()) first = restore(latest.get(), optimizer);
            }
            if (first >= settings.steps()) throw new IllegalArgumentException("the checkpoint is already at step " + first
                    + " of " + settings.steps() + "; raise --steps to train further");
            long start = System.nanoTime();
            double[] values = new double[task.lossNames().size()];
            double[] window = new double[values.length];
            int windowCount = 0;
            try (TrainingLog log = new TrainingLog(out.resolve("train-log.csv"), task.lossNames(), first > 0);
                 ProgressBar bar = settings.progress() ? new ProgressBar("train", settings.steps()) : null) {
                if (bar != null && first > 0) bar.update(first, "resumed");
                for (int step = first; step < settings.steps(); step++) {
                    double lr = schedule.at(step);
                    java.util.Arrays.fill(values, 0);
                    SplittableRandom random = new SplittableRandom(settings.seed() * 1_000_003L + step);
                    for (int micro = 0; micro < settings.accumulation(); micro++) {
                        try (PointerScope scope = new PointerScope()) {
                            TrainingTask.StepLoss loss = task.loss(model, random, settings.batchSize());
                            for (int i = 0; i < values.length; i++) values[i] += loss.values()[i] / settings.accumulation();
                            double scale = 1.0 / settings.accumulation();
                            (scale == 1.0 ? loss.total() : loss.total().mul(new org.bytedeco.pytorch.Scalar(scale))).backward();
                        }
                    }
                    if (!Double.isFinite(values[0])) {
                        throw new CllmException(CllmException.Status.INTERNAL, "the loss became " + values[0] + " at step "
                                + step + "; lower --lr or raise --clip");
                    }
                    optimizer.clipGradients(settings.clipNorm());
                    optimizer.step(lr);
                    model.zeroGrad();
                    for (int i = 0; i < values.length; i++) window[i] += values[i];
                    windowCount++;
                    int done = step + 1;
                    if (done % settings.logEvery() == 0 || done == settings.steps()) {
                        double[] mean = new double[values.length];
                        for (int i = 0; i < mean.length; i++) mean[i] = window[i] / windowCount;
                        log.log(done, mean, lr);
                        java.util.Arrays.fill(window, 0);
                        windowCount = 0;
                    }
                    if (bar != null) bar.update(done, String.format(Locale.ROOT, "%s %.4f lr %.2e", task.lossNames().get(0), values[0], lr));
                    boolean last = done == settings.steps();
                    if (last || (settings.checkpointEvery() > 0 && done % settings.checkpointEvery() == 0)) {
                        saveCheckpoint(done, optimizer);
                    }
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            saveModel(out);
            TrainingLog.plot(out.resolve("train-log.csv"), out.resolve("loss.png"), "cllm training", 20);
            Summary summary = new Summary(first, settings.steps(), seconds, values.clone(), peakRss());
            writeSummary(summary, info);
            return summary;
        }
    }

    private void saveModel(Path dir) {
        CheckpointWriter.write(model.toWeights(), dir, saveDtype, tokenizer);
    }

    private void saveCheckpoint(int step, AdamW optimizer) {
        Path dir = out.resolve("checkpoints").resolve(String.format(Locale.ROOT, "step-%06d", step));
        try {
            Files.createDirectories(dir);
            CheckpointWriter.write(model.toWeights(), dir, DType.F32, tokenizer);  // F32: resuming is exact
            optimizer.save(dir.resolve("optimizer.safetensors"));
            JsonObject state = new JsonObject();
            state.addProperty("step", step);
            state.addProperty("seed", settings.seed());
            Files.writeString(dir.resolve("trainer.json"), new GsonBuilder().setPrettyPrinting().create().toJson(state));
        } catch (IOException e) {
            throw new CllmException(CllmException.Status.IO, "cannot write checkpoint " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The checkpoint folder with the highest step under out/checkpoints, if any. */
    public static Optional<Path> latestCheckpoint(Path out) {
        Path dir = out.resolve("checkpoints");
        if (!Files.isDirectory(dir)) return Optional.empty();
        try (Stream<Path> children = Files.list(dir)) {
            return children.filter(p -> p.getFileName().toString().startsWith("step-"))
                    .filter(p -> Files.exists(p.resolve("trainer.json")))
                    .max(java.util.Comparator.comparing(p -> p.getFileName().toString()));
        } catch (IOException e) {
            throw new CllmException(CllmException.Status.IO, "cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    private int restore(Path checkpoint, AdamW optimizer) {
        try {
            JsonObject state = dev.cllm.model.JsonFiles.readObject(checkpoint.resolve("trainer.json"));
            int step = state.get("step").getAsInt();
            model.loadWeights(dev.cllm.model.Checkpoints.load(checkpoint));
            optimizer.load(checkpoint.resolve("optimizer.safetensors"));
            System.err.println("resuming from " + checkpoint + " (step " + step + ")");
            return step;
        } catch (CllmException e) {
            throw e;
        } catch (RuntimeException e) { // trainer.json without a numeric "step"
            throw new CllmException(CllmException.Status.BAD_FORMAT, "cannot resume from " + checkpoint + ": "
                    + dev.cllm.model.JsonErrors.oneLine(String.valueOf(e.getMessage())), e);
        }
    }

    private void writeSummary(Summary s, JsonObject info) {
        JsonObject o = info == null ? new JsonObject() : info.deepCopy();
        o.addProperty("first_step", s.firstStep());
        o.addProperty("steps", s.steps());
        o.addProperty("seconds", s.seconds());
        o.addProperty("steps_per_second", s.stepsPerSecond());
        o.addProperty("batch_size", settings.batchSize());
        o.addProperty("accumulation", settings.accumulation());
        o.addProperty("learning_rate", settings.learningRate());
        o.addProperty("peak_rss_bytes", s.peakRssBytes());
        for (int i = 0; i < s.lastValues().length; i++) o.addProperty("last_" + task.lossNames().get(i), s.lastValues()[i]);
        try {
            Files.writeString(out.resolve("summary.json"), new GsonBuilder().setPrettyPrinting().create().toJson(o) + "\n");
        } catch (IOException e) {
            throw new CllmException(CllmException.Status.IO, "cannot write summary: " + e.getMessage(), e);
        }
    }

    /** Peak resident set size of this process (VmHWM), or -1 where /proc is missing. */
    public static long peakRss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
