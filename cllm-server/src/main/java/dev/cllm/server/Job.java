package dev.cllm.server;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One request in the scheduler, and the channel from the scheduler's thread (which decodes it) to the
 * HTTP thread (which writes it out). The scheduler never blocks on a client: it only appends events;
 * the HTTP thread takes them at the client's pace, and cancels the job when the client goes away.
 */
final class Job {
    /** What the HTTP thread receives, in order: text pieces, then exactly one Done or Failed. */
    sealed interface Event permits Text, Done, Failed {}

    record Text(String text) implements Event {}

    record Done(FinishReason reason, Usage usage) implements Event {}

    record Failed(ApiError error) implements Event {}

    final GenerationRequest request;
    final long submittedNanos = System.nanoTime();
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private volatile boolean cancelled;
    private volatile long firstTokenNanos;

    Job(GenerationRequest request) {
        this.request = request;
    }

    /** Asks the scheduler to drop this job before its next iteration (client gone). Any thread. */
    void cancel() {
        cancelled = true;
    }

    boolean cancelled() {
        return cancelled;
    }

    /** The next event, waiting at most timeoutMillis; null when none came. */
    Event next(long timeoutMillis) throws InterruptedException {
        return events.poll(timeoutMillis, TimeUnit.MILLISECONDS);
    }

    // ---- the scheduler's side ----

    void text(String text) {
        if (text.isEmpty()) return;
        if (firstTokenNanos == 0) firstTokenNanos = System.nanoTime();
        events.add(new Text(text));
    }

    void done(FinishReason reason, Usage usage) {
        events.add(new Done(reason, usage));
    }

    void failed(ApiError error) {
        events.add(new Failed(error));
    }

    /** When the first text went out (System.nanoTime), 0 before. */
    long firstTokenNanos() {
        return firstTokenNanos;
    }
}
