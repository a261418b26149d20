package dev.cllm.spark;

import dev.cllm.train.TrajectoryRecord;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Trajectory records as Spark rows. The columns carry the JSONL field names in the JSONL order, so Spark's
 * JSON writer prints the lines {@code cllm trajectories} prints and {@code cllm train} reads; a null
 * {@code labels_ids} is left out of a JSON line, as {@link TrajectoryRecord#toJson()} leaves it out.
 */
public final class TrajectoryRows {
    private static final ArrayType IDS = DataTypes.createArrayType(DataTypes.IntegerType, false);

    /** data_id, block_id, prompt_ids, trajectory_ids (states), teacher_output_ids, labels_ids (nullable). */
    public static final StructType SCHEMA = new StructType(new StructField[] {
        DataTypes.createStructField("data_id", DataTypes.IntegerType, false),
        DataTypes.createStructField("block_id", DataTypes.IntegerType, false),
        DataTypes.createStructField("prompt_ids", IDS, false),
        DataTypes.createStructField("trajectory_ids", DataTypes.createArrayType(IDS, false), false),
        DataTypes.createStructField("teacher_output_ids", IDS, false),
        DataTypes.createStructField("labels_ids", IDS, true),
    });

    private TrajectoryRows() {}

    public static Row toRow(TrajectoryRecord r) {
        Object[] states = new Object[r.trajectoryIds().length];
        for (int i = 0; i < states.length; i++) states[i] = boxed(r.trajectoryIds()[i]);
        return RowFactory.create(
                r.dataId(),
                r.blockId(),
                boxed(r.promptIds()),
                states,
                boxed(r.teacherOutputIds()),
                r.labelsIds() == null ? null : boxed(r.labelsIds()));
    }

    /** Reads a row of {@link #SCHEMA} (as Spark returns it from Parquet) back into a record. */
    public static TrajectoryRecord fromRow(Row row) {
        List<Object> states = row.getList(row.fieldIndex("trajectory_ids"));
        int[][] trajectory = new int[states.size()][];
        for (int i = 0; i < trajectory.length; i++) trajectory[i] = ints(states.get(i));
        int labels = row.fieldIndex("labels_ids");
        return new TrajectoryRecord(
                row.getInt(row.fieldIndex("data_id")),
                row.getInt(row.fieldIndex("block_id")),
                ints(row.getList(row.fieldIndex("prompt_ids"))),
                trajectory,
                ints(row.getList(row.fieldIndex("teacher_output_ids"))),
                row.isNullAt(labels) ? null : ints(row.getList(labels)));
    }

    private static Integer[] boxed(int[] ids) {
        Integer[] out = new Integer[ids.length];
        for (int i = 0; i < ids.length; i++) out[i] = ids[i];
        return out;
    }

    /** A Java list, or (an array nested in an array) a Scala sequence, of ids. */
    private static int[] ints(Object ids) {
        List<?> list = ids instanceof List<?> l ? l : CollectionConverters.asJava((scala.collection.Seq<?>) ids);
        int[] out = new int[list.size()];
        for (int i = 0; i < out.length; i++) out[i] = (Integer) list.get(i);
        return out;
    }
}
