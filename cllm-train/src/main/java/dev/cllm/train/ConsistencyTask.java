package dev.cllm.train;

import com.google.gson.JsonObject;
import dev.cllm.torch.Losses;
import dev.cllm.torch.TorchLlama;
import java.util.List;
import java.util.SplittableRandom;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/**
 * The CLLM objective (README, "Making a CLLM"): consistency + arWeight * AR.
 *
 * <p><b>Global consistency</b> (default): for a record, draw an intermediate state y of its trajectory
 * (any state but the fixed point y*). The model's distributions at the block positions given prompt ++ y
 * should match its own distributions given prompt ++ y*, detached. Only positions that see at least one
 * token where y and y* differ are counted (the others see identical inputs); padding is masked.
 * <b>Local consistency</b> (option): the target is the next state y(j+1) instead of y*.
 *
 * <p><b>AR</b>: next-token cross-entropy on the teacher's output: the block's fixed point and the earlier
 * fixed points its prompt carries (everything after the original prompt); or on the reference answer
 * after the original prompt when labels are asked for.
 *
 * <p>Records come from a {@link ShuffledRecordStream}: a step's batch is the next records of the stream, so
 * memory holds the stream's buffer, not the data set, and a checkpoint saves the stream's position.
 *
 * <p>With the teacher-output AR loss and global consistency one forward of prompt ++ y* serves both the
 * AR loss and (detached) the consistency target, so a step costs two forwards.
 */
public final class ConsistencyTask implements TrainingTask {
    public enum Divergence {
        KL,
        SOFT_CE
    }

    public enum ArTarget {
        TEACHER,
        LABELS
    }

    /** Settings of the objective. maxLength: rows longer than this lose their earliest prompt tokens. */
    public record Settings(double arWeight, Divergence divergence, boolean local, ArTarget arTarget, int maxLength) {
        public Settings {
            if (arWeight < 0) throw new IllegalArgumentException("AR weight must be >= 0, got " + arWeight);
            if (maxLength < 4) throw new IllegalArgumentException("max length must be >= 4, got " + maxLength);
        }
    }

    private static final int CONSISTENCY = 0, AR = 1;

    /** Records read to find the block size. */
    private static final int PROBE_RECORDS = 1000;

    private final ShuffledRecordStream data;
    private final Settings settings;
    private final int blockWidth;

    /** Trains on data, drawing records in its order; the caller closes data. */
    public ConsistencyTask(ShuffledRecordStream data, Settings settings) {
        this.data = data;
        this.settings = settings;
        this.blockWidth = probeBlockWidth(data.shards());
    }

    /** Records in memory (small data, tests): one shard, a buffer that holds them all, seed 0. */
    public ConsistencyTask(List<TrajectoryRecord> records, Settings settings) {
        this(
                new ShuffledRecordStream(List.of(RecordShard.of("records", records)), Math.max(1, records.size()), 0),
                settings);
    }

    /**
     * The block size n the trajectories were collected with: the widest block among the first records
     * (in shard-name order). Every block of a prompt but its last is n tokens wide, so the original prompt
     * of block b is its prompt without the last b * n tokens; records carry no such field, and remembering
     * every prompt's block 0 would grow with the data.
     */
    static int probeBlockWidth(List<RecordShard> shards) {
        int widest = 0, seen = 0;
        for (RecordShard shard : shards) {
            try (ShardReader reader = shard.open()) {
                for (TrajectoryRecord r; seen < PROBE_RECORDS && (r = reader.next()) != null; seen++) {
                    widest = Math.max(widest, r.fixedPoint().length);
                }
            }
            if (seen >= PROBE_RECORDS) break;
        }
        if (seen == 0) throw new IllegalArgumentException("the trajectory data holds no records");
        return widest;
    }

    /** Length of the prompt the teacher was given for the record's data id (its earlier blocks removed). */
    int originalPromptLength(TrajectoryRecord r) {
        return Math.max(1, r.promptIds().length - r.blockId() * blockWidth);
    }

    @Override
    public JsonObject dataState() {
        return data.state();
    }

    @Override
    public void restoreData(JsonObject state) {
        data.restore(state);
    }

    @Override
    public List<String> lossNames() {
        return List.of("total", "consistency", "ar");
    }

    @Override
    public StepLoss loss(TorchLlama model, SplittableRandom random, int batchSize) {
        int[][] student = new int[batchSize][], target = new int[batchSize][];
        int[] promptEnds = new int[batchSize], firstDiff = new int[batchSize], blockLengths = new int[batchSize];
        TrajectoryRecord[] picked = new TrajectoryRecord[batchSize];
        for (int b = 0; b < batchSize; b++) {
            TrajectoryRecord r = data.next();
            if (settings.arTarget() == ArTarget.LABELS && r.labelsIds() == null) {
                throw new IllegalArgumentException("record " + r.dataId() + "/" + r.blockId()
                        + " has no labels_ids; collect with an answer field or use the teacher output for the AR loss");
            }
            picked[b] = r;
            int[][] states = r.trajectoryIds();
            int j = states.length < 2 ? states.length - 1 : random.nextInt(states.length - 1);
            int[] state = states[j];
            int[] goal = settings.local() ? states[Math.min(j + 1, states.length - 1)] : r.fixedPoint();
            int[] prompt = r.promptIds();
            int keepPrompt = Math.min(prompt.length, settings.maxLength() - goal.length);
            if (keepPrompt < 1)
                throw new IllegalArgumentException("max length " + settings.maxLength() + " is shorter than a block");
            student[b] = concat(prompt, prompt.length - keepPrompt, state);
            target[b] = concat(prompt, prompt.length - keepPrompt, goal);
            promptEnds[b] = keepPrompt;
            blockLengths[b] = goal.length;
            int f = 0;
            while (f < goal.length && state[f] == goal[f]) f++;
            firstDiff[b] = f;
        }
        SequenceBatch studentBatch = new SequenceBatch(student, 1);
        SequenceBatch targetBatch = new SequenceBatch(target, 2);
        for (int b = 0; b < batchSize; b++) {
            // Logits at promptEnd-1+i predict block token i from inputs that include block tokens < i:
            // count them only when those inputs differ somewhere (i > first difference).
            for (int i = firstDiff[b] + 1; i < blockLengths[b]; i++)
                studentBatch.mark(CONSISTENCY, b, promptEnds[b] - 1 + i);
            // AR: the block, and the teacher's earlier output that the prompt carries (everything after the
            // original prompt), as the reference's AR loss covers the whole teacher answer.
            int original = originalPromptLength(picked[b]);
            int arStart = Math.max(1, promptEnds[b] - (picked[b].promptIds().length - original));
            for (int t = arStart; t < promptEnds[b] + blockLengths[b]; t++) targetBatch.mark(AR, b, t);
        }
        Tensor keep = studentBatch.keep();
        Tensor targetTokens = targetBatch.tokensTensor();
        boolean sharedForward = !settings.local() && settings.arTarget() == ArTarget.TEACHER;
        Tensor targetLogits;
        Tensor ar;
        if (sharedForward) {
            targetLogits = model.forward(targetTokens, keep);
            ar = Losses.nextTokenCrossEntropy(targetLogits, targetTokens, targetBatch.mask(AR));
        } else {
            try (NoGradGuard guard = new NoGradGuard()) {
                targetLogits = model.forward(targetTokens, keep);
            }
            ar = settings.arTarget() == ArTarget.LABELS ? labelsLoss(model, picked) : teacherLoss(model, targetBatch);
        }
        Tensor consistency;
        if (studentBatch.any(CONSISTENCY)) {
            Tensor studentLogits = model.forward(studentBatch.tokensTensor(), keep);
            Tensor mask = studentBatch.mask(CONSISTENCY);
            consistency = settings.divergence() == Divergence.KL
                    ? Losses.forwardKl(studentLogits, targetLogits, mask)
                    : Losses.softCrossEntropy(studentLogits, targetLogits, mask);
        } else {
            consistency = ar.mul(new Scalar(0.0)); // every state drawn was already the fixed point
        }
        Tensor total = consistency.add(ar.mul(new Scalar(settings.arWeight())));
        return new StepLoss(total, new double[] {total.item_double(), consistency.item_double(), ar.item_double()});
    }

    private Tensor teacherLoss(TorchLlama model, SequenceBatch targetBatch) {
        Tensor tokens = targetBatch.tokensTensor();
        return Losses.nextTokenCrossEntropy(model.forward(tokens, targetBatch.keep()), tokens, targetBatch.mask(AR));
    }

    /** Next-token loss on original prompt ++ labels, counted on the labels. */
    private Tensor labelsLoss(TorchLlama model, TrajectoryRecord[] picked) {
        int[][] rows = new int[picked.length][];
        int[] starts = new int[picked.length];
        for (int b = 0; b < picked.length; b++) {
            int[] prompt = java.util.Arrays.copyOf(picked[b].promptIds(), originalPromptLength(picked[b]));
            int[] labels = picked[b].labelsIds();
            int keepPrompt = Math.max(1, Math.min(prompt.length, settings.maxLength() - labels.length));
            int keepLabels = Math.min(labels.length, settings.maxLength() - keepPrompt);
            int[] row = concat(prompt, prompt.length - keepPrompt, java.util.Arrays.copyOf(labels, keepLabels));
            rows[b] = row;
            starts[b] = keepPrompt;
        }
        SequenceBatch batch = new SequenceBatch(rows, 1);
        for (int b = 0; b < rows.length; b++) for (int t = starts[b]; t < rows[b].length; t++) batch.mark(0, b, t);
        Tensor tokens = batch.tokensTensor();
        return Losses.nextTokenCrossEntropy(model.forward(tokens, batch.keep()), tokens, batch.mask(0));
    }

    private static int[] concat(int[] prompt, int from, int[] block) {
        int[] out = new int[prompt.length - from + block.length];
        System.arraycopy(prompt, from, out, 0, prompt.length - from);
        System.arraycopy(block, 0, out, prompt.length - from, block.length);
        return out;
    }
}
