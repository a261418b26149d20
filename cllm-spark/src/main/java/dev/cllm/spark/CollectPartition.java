package dev.cllm.spark;

import dev.cllm.Device;
import dev.cllm.engine.NativeSession;
import dev.cllm.train.PromptText;
import dev.cllm.train.PromptTrajectories;
import dev.cllm.train.TrajectoryCollector;
import dev.cllm.train.TrajectoryJob;
import dev.cllm.train.TrajectoryRecord;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.resource.ResourceInformation;
import org.apache.spark.sql.Row;
import org.apache.spark.util.TaskCompletionListener;

/**
 * One collection task: the prompts of a partition in, their trajectory rows out, prompt by prompt as the
 * writer asks for them. Each prompt goes through {@link PromptTrajectories#collect}, the step
 * {@code cllm trajectories} runs, on a session of this task's own on the executor's shared teacher.
 */
final class CollectPartition implements FlatMapFunction<Iterator<PromptText>, Row> {
    private static final long serialVersionUID = 1L;

    private final SparkTrajectoryOptions options;
    private final CollectionMetrics metrics;

    CollectPartition(SparkTrajectoryOptions options, CollectionMetrics metrics) {
        this.options = options;
        this.metrics = metrics;
    }

    @Override
    public Iterator<Row> call(Iterator<PromptText> prompts) {
        TaskContext task = TaskContext.get();
        ExecutorTeacher teacher =
                ExecutorTeacher.get(options.model(), device(options.device(), task), options.threads());
        PromptTrajectories.Settings settings = new PromptTrajectories.Settings(
                new TrajectoryCollector.Settings(
                        options.blockSize(), options.maxNewTokens(), teacher.eos(), options.seed()),
                options.augment(),
                options.repeatLimit());
        Rows rows = new Rows(prompts, teacher, settings, FailureInjection.failAfter(task), task);
        task.addTaskCompletionListener((TaskCompletionListener) t -> rows.closeSession());
        return rows;
    }

    /**
     * The device of this task: with "cuda" (no ordinal) or "auto", the GPU Spark assigned to the task
     * ({@code spark.task.resource.gpu.amount}), when it assigned one; otherwise the option as given.
     */
    static Device device(String option, TaskContext task) {
        Device asked = Device.parse(option);
        String text = option.trim().toLowerCase(java.util.Locale.ROOT);
        if (!text.equals("cuda") && !text.equals("auto")) return asked;
        ResourceInformation gpus = task == null ? null : task.resourcesJMap().get("gpu");
        if (gpus == null || gpus.addresses().length == 0) return asked;
        String address = gpus.addresses()[0];
        try {
            return Device.cuda(Integer.parseInt(address.trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Spark assigned GPU address '" + address
                    + "', not a CUDA device ordinal: " + "the GPU discovery script must report ordinals");
        }
    }

    /** Collects lazily: the next prompt only when the writer has taken every row of the previous one. */
    private final class Rows implements Iterator<Row> {
        private final Iterator<PromptText> prompts;
        private final ExecutorTeacher teacher;
        private final PromptTrajectories.Settings settings;
        private final int failAfter;
        private final TaskContext task;
        private final ArrayDeque<Row> pending = new ArrayDeque<>();
        private NativeSession session;
        private int emitted;

        Rows(
                Iterator<PromptText> prompts,
                ExecutorTeacher teacher,
                PromptTrajectories.Settings settings,
                int failAfter,
                TaskContext task) {
            this.prompts = prompts;
            this.teacher = teacher;
            this.settings = settings;
            this.failAfter = failAfter;
            this.task = task;
        }

        @Override
        public boolean hasNext() {
            while (pending.isEmpty() && prompts.hasNext()) collect(prompts.next());
            if (pending.isEmpty()) closeSession();
            return !pending.isEmpty();
        }

        @Override
        public Row next() {
            if (!hasNext()) throw new NoSuchElementException();
            if (emitted == failAfter) throw FailureInjection.fail(task, emitted);
            emitted++;
            return pending.poll();
        }

        private void collect(PromptText text) {
            long start = System.nanoTime();
            TrajectoryJob.Prompt prompt = teacher.encode(text);
            PromptTrajectories.Result result = PromptTrajectories.collect(sessionFor(prompt), prompt, settings);
            for (TrajectoryRecord r : result.records()) pending.add(TrajectoryRows.toRow(r));
            metrics.teacherMillis().add((System.nanoTime() - start) / 1_000_000);
            metrics.promptsDone().add(1);
            metrics.records().add(result.records().size());
            metrics.dropped().add(result.dropped());
            metrics.augmentedTokens().add(result.augmentedTokens());
            metrics.teacherTokens().add(result.teacherTokens());
        }

        /** A session big enough for this prompt (records do not depend on any larger capacity). */
        private NativeSession sessionFor(TrajectoryJob.Prompt prompt) {
            // A prompt that does not fit the model's context is refused by the collector, as in cllm trajectories.
            int maxSeqLen = teacher.engine().config().maxSeqLen();
            int needed = PromptTrajectories.sessionCapacity(
                    prompt.ids().length, settings.collector().maxNewTokens(), maxSeqLen);
            if (session == null || session.capacity() < needed) {
                closeSession();
                session = teacher.engine().newSession(needed);
            }
            return session;
        }

        void closeSession() {
            if (session != null) {
                session.close();
                session = null;
            }
        }
    }
}
