package dev.cllm.train;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

/**
 * One Jacobi trajectory of one block, as the reference implementation stores them (JSONL, snake_case):
 * {@code data_id} (the prompt's index in its file), {@code block_id} (0, 1, ... within the prompt),
 * {@code prompt_ids} (the prompt plus the fixed points of earlier blocks), {@code trajectory_ids} (every
 * state from the initial guess to the fixed point, each one block long), {@code teacher_output_ids} (the
 * block's fixed point: the teacher's greedy output for these positions), and {@code labels_ids} (the
 * tokenized reference answer, when the prompt file gives one; else absent).
 *
 * <p>A block that ended at the end-of-sequence token is shorter than n: its states stop there.
 */
public record TrajectoryRecord(
        int dataId, int blockId, int[] promptIds, int[][] trajectoryIds, int[] teacherOutputIds, int[] labelsIds) {

    /** The fixed point (the last state). */
    public int[] fixedPoint() {
        return trajectoryIds[trajectoryIds.length - 1];
    }

    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("data_id", dataId);
        o.addProperty("block_id", blockId);
        o.add("prompt_ids", array(promptIds));
        JsonArray states = new JsonArray();
        for (int[] s : trajectoryIds) states.add(array(s));
        o.add("trajectory_ids", states);
        o.add("teacher_output_ids", array(teacherOutputIds));
        if (labelsIds != null) o.add("labels_ids", array(labelsIds));
        return o;
    }

    /** Parses a record; throws IllegalArgumentException naming the missing or malformed field. */
    public static TrajectoryRecord fromJson(JsonObject o) {
        JsonElement states = field(o, "trajectory_ids");
        if (!states.isJsonArray() || states.getAsJsonArray().isEmpty()) {
            throw new IllegalArgumentException("trajectory_ids must be a non-empty array of arrays");
        }
        JsonArray statesArray = states.getAsJsonArray();
        int[][] trajectory = new int[statesArray.size()][];
        for (int i = 0; i < trajectory.length; i++)
            trajectory[i] = ints(statesArray.get(i), "trajectory_ids[" + i + "]");
        int width = trajectory[0].length;
        for (int[] s : trajectory) {
            if (s.length != width) throw new IllegalArgumentException("trajectory_ids states differ in length");
        }
        JsonElement labels = o.get("labels_ids");
        return new TrajectoryRecord(
                field(o, "data_id").getAsInt(),
                field(o, "block_id").getAsInt(),
                ints(field(o, "prompt_ids"), "prompt_ids"),
                trajectory,
                ints(field(o, "teacher_output_ids"), "teacher_output_ids"),
                labels == null || labels.isJsonNull() ? null : ints(labels, "labels_ids"));
    }

    private static JsonElement field(JsonObject o, String name) {
        JsonElement e = o.get(name);
        if (e == null || e.isJsonNull()) throw new IllegalArgumentException("missing field " + name);
        return e;
    }

    private static int[] ints(JsonElement e, String name) {
        if (!e.isJsonArray()) throw new IllegalArgumentException(name + " must be an array of token ids");
        JsonArray a = e.getAsJsonArray();
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            try {
                out[i] = a.get(i).getAsInt();
            } catch (RuntimeException ex) {
                throw new IllegalArgumentException(name + "[" + i + "] is not an integer");
            }
        }
        return out;
    }

    private static JsonArray array(int[] values) {
        JsonArray a = new JsonArray(values.length);
        for (int v : values) a.add(v);
        return a;
    }
}
