package dev.cllm.spark;

import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * A test hook: makes the first attempt of one collection task fail after it has handed some records to
 * Spark's writer, so that tests can see a retried task neither lose nor duplicate records. Armed per job
 * through a Spark local property (set on the thread that starts the job, seen by that job's tasks only).
 */
public final class FailureInjection {
    static final String PROPERTY = "cllm.spark.test.failFirstAttempt";
    private static final AtomicInteger INJECTED = new AtomicInteger();

    private FailureInjection() {}

    /** The next jobs started from this thread fail partition's first attempt after afterRecords records. */
    public static void failFirstAttempt(JavaSparkContext spark, int partition, int afterRecords) {
        spark.setLocalProperty(PROPERTY, partition + ":" + afterRecords);
    }

    public static void disarm(JavaSparkContext spark) {
        spark.setLocalProperty(PROPERTY, null);
    }

    /** How many failures were injected in this JVM (in local mode the executors are this JVM). */
    public static int injected() {
        return INJECTED.get();
    }

    /** The record count after which this task attempt must fail, or -1. */
    static int failAfter(TaskContext task) {
        String armed = task.getLocalProperty(PROPERTY);
        if (armed == null || task.attemptNumber() != 0) return -1;
        String[] parts = armed.split(":");
        return Integer.parseInt(parts[0]) == task.partitionId() ? Integer.parseInt(parts[1]) : -1;
    }

    static RuntimeException fail(TaskContext task, int records) {
        INJECTED.incrementAndGet();
        return new IllegalStateException("injected failure (test hook) in partition " + task.partitionId()
                + ", attempt " + task.attemptNumber() + ", after " + records + " records");
    }
}
