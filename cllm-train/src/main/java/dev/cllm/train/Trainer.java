package dev.cllm.train;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.cllm.CllmException;
import dev.cllm.model.CheckpointWriter;
import dev.cllm.model.DType;
import dev.cllm.torch.TorchLlama;
import dev.cllm.util.AtomicFiles;
import dev.cllm.util.ProgressBar;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.PointerScope;

/**
 * The training loop shared by pre-training and consistency fine-tuning: AdamW with a cosine schedule and
 * warmup, gradient accumulation and clipping, seeded batches, a CSV log and a PNG plot, checkpoints every
 * K steps and at the end.
 *
 * <p>Runs are safe to interrupt and repeatable. A fresh run refuses a non-empty output folder
 * ({@link Start}). A resumed run continues exactly where its newest complete checkpoint left off: the
 * same learning-rate schedule (a resume that changes the schedule, the batches or the seed is refused),
 * the same batches (step s draws from a random seeded with s, and the task's data stream continues from
 * the position saved in the checkpoint), and the CSV log without the rows written after that checkpoint.
 * The last checkpoint is written before the final model, so a run killed while saving the final model is
 * finished by resuming it.
 *
 * <p>Output folder: {@code model.safetensors} + {@code config.json} (+ {@code tokenizer.json}) of the
 * final model, {@code train-log.csv}, {@code loss.png}, {@code summary.json}, and
 * {@code checkpoints/step-NNNNNN/} ({@link TrainingCheckpoints}).
 */
public final class Trainer {
    /** What a run does with what its output folder already holds. */
    public enum Start {
        /** Train from step 0; the folder must be empty or absent. */
        FRESH,
        /** Continue from the newest complete checkpoint in the folder (from step 0 when there is none). */
        RESUME,
        /** Delete what an earlier run wrote to the folder, then train from step 0. */
        OVERWRITE
    }

    /** Optimisation settings. checkpointEvery 0: only at the end. */
    public record Settings(
            int steps,
            int batchSize,
            int accumulation,
            double learningRate,
            double warmupFraction,
            double weightDecay,
            double clipNorm,
            long seed,
            int checkpointEvery,
            int logEvery,
            boolean progress) {
        public Settings {
            if (steps < 1) throw new IllegalArgumentException("--steps must be >= 1, got " + steps);
            if (batchSize < 1) throw new IllegalArgumentException("--batch must be >= 1, got " + batchSize);
            if (accumulation < 1)
                throw new IllegalArgumentException("--accumulation must be >= 1, got " + accumulation);
            if (checkpointEvery < 0) throw new IllegalArgumentException("--checkpoint-every must be >= 0");
            if (logEvery < 1) throw new IllegalArgumentException("--log-every must be >= 1");
        }

        /** The settings a checkpoint records; those a resume may not change come first. */
        JsonObject toJson() {
            JsonObject o = new JsonObject();
            o.addProperty("steps", steps);
            o.addProperty("lr", learningRate);
            o.addProperty("warmup", warmupFraction);
            o.addProperty("batch", batchSize);
            o.addProperty("accumulation", accumulation);
            o.addProperty("seed", seed);
            o.addProperty("weight-decay", weightDecay);
            o.addProperty("clip", clipNorm);
            return o;
        }

        /**
         * What this run changes of the run a checkpoint was saved by, among the settings that fix the
         * learning-rate schedule (steps, lr, warmup) and the batches (batch, accumulation, seed), as
         * "--NAME saved, now" texts. Weight decay and clipping may change.
         */
        List<String> changesFrom(JsonObject saved) {
            List<String> changes = new ArrayList<>();
            JsonObject now = toJson();
            for (String name : List.of("steps", "lr", "warmup", "batch", "accumulation", "seed")) {
                JsonElement before = saved.get(name);
                if (before != null && before.getAsDouble() != now.get(name).getAsDouble()) {
                    changes.add("--" + name + " " + plain(before.getAsDouble()) + " (now "
                            + plain(now.get(name).getAsDouble()) + ")");
                }
            }
            return changes;
        }

        private static String plain(double v) {
            return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
        }
    }

    /** What a run did. */
    public record Summary(int firstStep, int steps, double seconds, double[] lastValues, long peakRssBytes) {
        public double stepsPerSecond() {
            return seconds == 0 ? 0 : (steps - firstStep) / seconds;
        }
    }

    /**
     * Named points of saving, for tests that stop a run there as a kill would: "checkpoint-model" (a
     * checkpoint's model files are written), "checkpoint-optimizer" (its optimizer state too, its
     * trainer.json not yet), "checkpoint-done", "final-checkpoint" (training is over and the last
     * checkpoint written, the final model not yet), "final-model" (the final model is written, the plot
     * and summary not yet).
     */
    @FunctionalInterface
    interface SavePoint {
        void reached(String point);
    }

    private final TorchLlama model;
    private final TrainingTask task;
    private final Settings settings;
    private final Path out;
    private final Path tokenizer;
    private final DType saveDtype;
    private final TrainingCheckpoints checkpoints;
    private SavePoint savePoint = point -> {};

    /** tokenizer: copied next to every saved model (may be null). saveDtype: dtype of saved models. */
    public Trainer(TorchLlama model, TrainingTask task, Settings settings, Path out, Path tokenizer, DType saveDtype) {
        this.model = model;
        this.task = task;
        this.settings = settings;
        this.out = out;
        this.tokenizer = tokenizer;
        this.saveDtype = saveDtype;
        this.checkpoints = new TrainingCheckpoints(out);
    }

    /** Test hook: called at the named points of saving (see {@link SavePoint}). */
    Trainer onSavePoint(SavePoint hook) {
        this.savePoint = hook;
        return this;
    }

    /** Trains. info: extra entries for summary.json; its "command", when present, titles the plot. */
    public Summary run(Start start, JsonObject info) {
        OutputFolder.prepare(out, start);
        model.setRequiresGrad(true);
        LearningRateSchedule schedule =
                LearningRateSchedule.cosine(settings.learningRate(), settings.steps(), settings.warmupFraction());
        int names = task.lossNames().size();
        try (AdamW optimizer = new AdamW(model.namedParameters(), 0.9, 0.95, 1e-8, settings.weightDecay())) {
            int first = 0;
            double[] values = new double[names];
            LogWindow window = new LogWindow(names);
            if (start == Start.RESUME) {
                Optional<TrainingCheckpoints.Found> found = checkpoints.newestComplete();
                if (found.isPresent()) {
                    first = restore(found.get(), optimizer, window, values);
                } else if (!checkpoints.newestFirst().isEmpty()) {
                    System.err.println("resume: no complete checkpoint in " + out + "; training from step 0");
                }
            }
            long startTime = System.nanoTime();
            try (TrainingLog log = new TrainingLog(out.resolve(OutputFolder.LOG), task.lossNames(), first);
                    ProgressBar bar = settings.progress() && first < settings.steps()
                            ? new ProgressBar("train", settings.steps())
                            : null) {
                if (bar != null && first > 0) bar.resumedAt(first, "resumed");
                for (int step = first; step < settings.steps(); step++) {
                    double lr = schedule.at(step);
                    values = trainStep(step, optimizer, lr);
                    window.add(values);
                    int done = step + 1;
                    if (done % settings.logEvery() == 0 || done == settings.steps())
                        log.log(done, window.takeMean(), lr);
                    if (bar != null) {
                        bar.update(
                                done,
                                String.format(
                                        Locale.ROOT,
                                        "%s %.4f lr %.2e",
                                        task.lossNames().get(0),
                                        values[0],
                                        lr));
                    }
                    if (done == settings.steps()
                            || (settings.checkpointEvery() > 0 && done % settings.checkpointEvery() == 0)) {
                        saveCheckpoint(done, optimizer, window, values);
                    }
                }
            }
            double seconds = (System.nanoTime() - startTime) / 1e9;
            savePoint.reached("final-checkpoint");
            if (first == settings.steps()) {
                System.err.println("resume: the checkpoint is at the last step; writing the final model from it");
            }
            CheckpointWriter.write(model.toWeights(), out, saveDtype, tokenizer);
            savePoint.reached("final-model");
            String command =
                    info != null && info.has("command") ? info.get("command").getAsString() : null;
            LossPlot.write(out.resolve(OutputFolder.LOG), out.resolve(OutputFolder.PLOT), command);
            Summary summary = new Summary(first, settings.steps(), seconds, values.clone(), peakRss());
            writeSummary(summary, info);
            return summary;
        }
    }

    /** One optimizer step: accumulation micro-batches, clipping, the update. Returns the step's logged values. */
    private double[] trainStep(int step, AdamW optimizer, double lr) {
        double[] values = new double[task.lossNames().size()];
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
            throw new CllmException(
                    CllmException.Status.INTERNAL,
                    "the loss became " + values[0] + " at step " + step
                            + "; start over (--overwrite) with a lower --lr or a tighter --clip");
        }
        optimizer.clipGradients(settings.clipNorm());
        optimizer.step(lr);
        model.zeroGrad();
        return values;
    }

    private void saveCheckpoint(int step, AdamW optimizer, LogWindow window, double[] values) {
        JsonObject state = new JsonObject();
        state.addProperty("format", "cllm-trainer-checkpoint");
        state.addProperty("step", step);
        state.add("settings", settings.toJson());
        JsonObject data = task.dataState();
        if (data != null) state.add("data", data);
        state.add("log_window", window.toJson());
        state.add("last_values", doubles(values));
        checkpoints.write(step, model.toWeights(), tokenizer, optimizer, state, savePoint);
        savePoint.reached("checkpoint-done");
    }

    /** Loads a checkpoint into the model, optimizer, data stream and log window; returns its step. */
    private int restore(TrainingCheckpoints.Found checkpoint, AdamW optimizer, LogWindow window, double[] values) {
        JsonObject state = checkpoint.state();
        int step = checkpoint.step();
        if (state.has("settings")) {
            List<String> changes = settings.changesFrom(state.getAsJsonObject("settings"));
            if (!changes.isEmpty()) {
                throw new IllegalArgumentException("cannot resume " + out + ": its run was started with "
                        + String.join(", ", changes) + "; the learning-rate schedule and the batches depend on them. "
                        + "Resume with the run's settings, or start over with --overwrite");
            }
        } else {
            System.err.println("resume: " + checkpoint.dir() + " predates recorded settings; they cannot be checked");
        }
        if (step > settings.steps()) {
            throw new IllegalArgumentException("cannot resume " + out + ": its checkpoint is at step " + step
                    + ", beyond --steps " + settings.steps());
        }
        try {
            model.loadWeights(dev.cllm.model.Checkpoints.load(checkpoint.dir()));
            optimizer.load(checkpoint.dir().resolve(TrainingCheckpoints.OPTIMIZER));
        } catch (RuntimeException e) {
            if (e instanceof CllmException c) throw c;
            throw new CllmException(
                    CllmException.Status.BAD_FORMAT,
                    "cannot resume from " + checkpoint.dir() + ": "
                            + dev.cllm.model.JsonErrors.oneLine(String.valueOf(e.getMessage())),
                    e);
        }
        if (state.has("data")) {
            task.restoreData(state.getAsJsonObject("data"));
        } else if (task.dataState() != null) {
            System.err.println(
                    "resume: " + checkpoint.dir() + " holds no data position; the data is read from its start");
        }
        if (state.has("log_window")) window.restore(state.getAsJsonObject("log_window"));
        if (state.has("last_values")) {
            JsonArray last = state.getAsJsonArray("last_values");
            for (int i = 0; i < Math.min(values.length, last.size()); i++)
                values[i] = last.get(i).getAsDouble();
        }
        System.err.println("resuming from " + checkpoint.dir() + " (step " + step + ")");
        return step;
    }

    /** The newest complete checkpoint under out, if any. */
    public static Optional<Path> latestCheckpoint(Path out) {
        return new TrainingCheckpoints(out).newestComplete().map(TrainingCheckpoints.Found::dir);
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
        JsonObject data = task.dataState();
        if (data != null) o.add("data_position", data);
        for (int i = 0; i < s.lastValues().length; i++)
            o.addProperty("last_" + task.lossNames().get(i), s.lastValues()[i]);
        try {
            AtomicFiles.write(
                    out.resolve(OutputFolder.SUMMARY),
                    (new GsonBuilder().setPrettyPrinting().create().toJson(o) + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new CllmException(CllmException.Status.IO, "cannot write summary: " + e.getMessage(), e);
        }
    }

    private static JsonArray doubles(double[] values) {
        JsonArray a = new JsonArray(values.length);
        for (double v : values) a.add(v);
        return a;
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

    /** The values of the steps since the last log row; saved with checkpoints so a resumed log row is the same. */
    private static final class LogWindow {
        private final double[] sums;
        private int count;

        LogWindow(int size) {
            sums = new double[size];
        }

        void add(double[] values) {
            for (int i = 0; i < sums.length; i++) sums[i] += values[i];
            count++;
        }

        double[] takeMean() {
            double[] mean = new double[sums.length];
            for (int i = 0; i < mean.length; i++) mean[i] = sums[i] / count;
            Arrays.fill(sums, 0);
            count = 0;
            return mean;
        }

        JsonObject toJson() {
            JsonObject o = new JsonObject();
            o.addProperty("count", count);
            o.add("sums", doubles(sums));
            return o;
        }

        void restore(JsonObject o) {
            JsonArray saved = o.getAsJsonArray("sums");
            if (saved.size() != sums.length) return; // another task's log: start the window afresh
            for (int i = 0; i < sums.length; i++) sums[i] = saved.get(i).getAsDouble();
            count = o.get("count").getAsInt();
        }
    }
}
