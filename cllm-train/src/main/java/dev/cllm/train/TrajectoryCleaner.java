package dev.cllm.train;

import java.util.SplittableRandom;

/**
 * The reference implementation's data hygiene:
 * <ul>
 *   <li>{@link #isDegenerate}: a record whose teacher output (with the tail of its prompt, so runs
 *       across block boundaries count) repeats one token {@code repeatLimit} (10) times in a row is
 *       dropped: training on such loops makes consistency models collapse;</li>
 *   <li>{@link #augment}: optionally, in each intermediate state, about half of the wrong tokens after
 *       the first wrong one are overwritten with their fixed-point tokens, giving the model states
 *       closer to the fixed point to learn from. Which tokens depends only on the seed and the record's
 *       data_id and block_id, not on the records augmented before it, so a record is augmented the same
 *       way whatever shard, partition or task it falls in.</li>
 * </ul>
 */
public final class TrajectoryCleaner {
    public static final int DEFAULT_REPEAT_LIMIT = 10;

    private final int repeatLimit;
    private final long seed;

    public TrajectoryCleaner(int repeatLimit, long seed) {
        if (repeatLimit < 2) throw new IllegalArgumentException("repeat limit must be >= 2, got " + repeatLimit);
        this.repeatLimit = repeatLimit;
        this.seed = seed;
    }

    /** Whether the output repeats one token repeatLimit times in a row (looking back into the prompt). */
    public boolean isDegenerate(TrajectoryRecord record) {
        int[] prompt = record.promptIds();
        int[] output = record.teacherOutputIds();
        int back = Math.min(prompt.length, repeatLimit - 1);
        int run = 0;
        int previous = Integer.MIN_VALUE;
        for (int i = prompt.length - back; i < prompt.length + output.length; i++) {
            int token = i < prompt.length ? prompt[i] : output[i - prompt.length];
            run = token == previous ? run + 1 : 1;
            previous = token;
            if (run >= repeatLimit && i >= prompt.length) return true;
        }
        return false;
    }

    /** Result of augmenting one record: the new record and how many tokens were overwritten. */
    public record Augmented(TrajectoryRecord record, int tokensChanged) {}

    /** Overwrites about half of the wrong tokens beyond the first wrong one, in every state but the last. */
    public Augmented augment(TrajectoryRecord record) {
        SplittableRandom random = randomFor(record);
        int[][] states = record.trajectoryIds();
        int[] fixed = record.fixedPoint();
        int[][] out = new int[states.length][];
        int changed = 0;
        for (int s = 0; s < states.length; s++) {
            out[s] = states[s].clone();
            if (s == states.length - 1) continue;
            int firstWrong = -1;
            for (int i = 0; i < fixed.length; i++) {
                if (out[s][i] != fixed[i]) {
                    if (firstWrong < 0) {
                        firstWrong = i;
                    } else if (random.nextBoolean()) {
                        out[s][i] = fixed[i];
                        changed++;
                    }
                }
            }
        }
        return new Augmented(
                new TrajectoryRecord(
                        record.dataId(),
                        record.blockId(),
                        record.promptIds(),
                        out,
                        record.teacherOutputIds(),
                        record.labelsIds()),
                changed);
    }

    /** A stream of its own per (seed, data_id, block_id); salted apart from the initial guesses' stream. */
    private SplittableRandom randomFor(TrajectoryRecord record) {
        long key = (seed ^ 0x5851F42D4C957F2DL) * 0x9E3779B97F4A7C15L + record.dataId();
        return new SplittableRandom(key * 0xBF58476D1CE4E5B9L + record.blockId());
    }
}
