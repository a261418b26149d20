package dev.cllm.train;

import dev.cllm.engine.NativeSession;
import java.util.ArrayList;
import java.util.List;

/**
 * The one step of trajectory collection that both {@code cllm trajectories} ({@link TrajectoryJob}) and the
 * Spark job run: one prompt and the settings in, the records to keep out. It depends on nothing else (not on
 * the prompt's shard, partition, task or the prompts before it): the initial guesses and the augmentation are
 * seeded from the prompt's id, so the same prompt gives the same records wherever it runs.
 */
public final class PromptTrajectories {
    /** The collector's settings, whether to augment, and the repetition filter's limit. */
    public record Settings(TrajectoryCollector.Settings collector, boolean augment, int repeatLimit) {
        public Settings {
            if (collector == null) throw new IllegalArgumentException("collector settings must not be null");
            if (repeatLimit < 2) throw new IllegalArgumentException("repeat limit must be >= 2, got " + repeatLimit);
        }
    }

    /**
     * What one prompt gave: the records kept (block order), how many were dropped as repetitive, how many
     * tokens augmentation changed, and the teacher tokens generated (of every record, dropped ones too).
     */
    public record Result(List<TrajectoryRecord> records, int dropped, long augmentedTokens, long teacherTokens) {}

    private PromptTrajectories() {}

    /**
     * Collects, filters and augments the records of one prompt. The session needs at least
     * {@link #sessionCapacity} positions for this prompt; any capacity from there up to the model's context
     * gives the same records.
     */
    public static Result collect(NativeSession session, TrajectoryJob.Prompt prompt, Settings settings) {
        List<TrajectoryRecord> collected = new TrajectoryCollector(session, settings.collector())
                .collect(prompt.dataId(), prompt.ids(), prompt.labels());
        TrajectoryCleaner cleaner = new TrajectoryCleaner(
                settings.repeatLimit(), settings.collector().seed());
        List<TrajectoryRecord> kept = new ArrayList<>(collected.size());
        int dropped = 0;
        long augmented = 0, tokens = 0;
        for (TrajectoryRecord r : collected) {
            tokens += r.teacherOutputIds().length;
            if (cleaner.isDegenerate(r)) {
                dropped++;
                continue;
            }
            if (settings.augment()) {
                TrajectoryCleaner.Augmented a = cleaner.augment(r);
                augmented += a.tokensChanged();
                r = a.record();
            }
            kept.add(r);
        }
        return new Result(List.copyOf(kept), dropped, augmented, tokens);
    }

    /**
     * The session capacity a prompt of promptLength tokens needs so that only maxNewTokens (or the
     * end-of-sequence token) ends its collection, never the cache: the prompt, the new tokens and the one
     * position a Jacobi block reads ahead, but no more than the model's context (maxSeqLen), where the cache
     * does end it.
     */
    public static int sessionCapacity(int promptLength, int maxNewTokens, int maxSeqLen) {
        return (int) Math.min(maxSeqLen, (long) promptLength + maxNewTokens + 1);
    }
}
