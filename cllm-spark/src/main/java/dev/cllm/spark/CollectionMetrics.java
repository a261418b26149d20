package dev.cllm.spark;

import java.io.Serializable;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.util.LongAccumulator;

/**
 * The job's progress as named accumulators, shown per stage and task in Spark's UI. Spark merges the
 * updates of successful task attempts only, so a failed and retried task is counted once.
 */
record CollectionMetrics(
        LongAccumulator promptsDone,
        LongAccumulator records,
        LongAccumulator dropped,
        LongAccumulator augmentedTokens,
        LongAccumulator teacherTokens,
        LongAccumulator teacherMillis)
        implements Serializable {

    static CollectionMetrics register(JavaSparkContext spark) {
        return new CollectionMetrics(
                spark.sc().longAccumulator("cllm prompts done"),
                spark.sc().longAccumulator("cllm records"),
                spark.sc().longAccumulator("cllm records dropped (repetitive)"),
                spark.sc().longAccumulator("cllm tokens augmented"),
                spark.sc().longAccumulator("cllm teacher tokens"),
                spark.sc().longAccumulator("cllm teacher milliseconds"));
    }
}
