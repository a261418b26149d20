package dev.cllm.server;

import dev.cllm.Model;
import dev.cllm.engine.NativeBatch;
import dev.cllm.engine.NativeSession;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Continuous batching: one thread runs iterations over every active request at once, each iteration one
 * batched forward ({@link NativeBatch}) in which every request brings its Jacobi window (one row for
 * AR). Requests join and leave between iterations: a finished or cancelled request frees its session at
 * once, and a waiting one takes it before the next iteration. Each request's output is bit-identical to
 * running it alone (the batched step's guarantee, and windows that depend on the request only).
 *
 * <p>Admission: up to {@code slots} requests run, up to {@code queueCapacity} wait; beyond that
 * {@link #submit} refuses with 429, and after {@link #shutdown} with 503.
 */
final class Scheduler implements AutoCloseable {
    private final Model model;
    private final ServerMetrics metrics;
    private final BlockingQueue<Job> queue;
    private final Deque<NativeSession> freeSessions = new ArrayDeque<>();
    private final List<NativeSession> allSessions = new ArrayList<>();
    private final List<ActiveJob> active = new ArrayList<>();
    private final NativeBatch batch;
    private final int slots;
    private final Thread loop;
    private volatile boolean accepting = true;
    private volatile boolean abort;

    Scheduler(Model model, ServerSettings settings, ServerMetrics metrics) {
        this.model = model;
        this.metrics = metrics;
        this.slots = settings.slots();
        this.queue = new ArrayBlockingQueue<>(settings.queueCapacity());
        int capacity = Math.min(settings.contextLength(), model.config().maxSeqLen());
        try {
            for (int i = 0; i < slots; i++) {
                NativeSession s = model.engine().newSession(capacity);
                allSessions.add(s);
                freeSessions.add(s);
            }
            this.batch = new NativeBatch(model.engine(), slots * settings.maxBlockSize(), slots);
        } catch (RuntimeException e) {
            allSessions.forEach(NativeSession::close);
            throw e;
        }
        this.loop = new Thread(this::run, "cllm-scheduler");
        this.loop.setDaemon(true);
        this.loop.start();
    }

    /** Queues a generation; throws 429 when the queue is full, 503 while shutting down. */
    Job submit(GenerationRequest request) {
        if (!accepting) throw ApiError.shuttingDown();
        Job job = new Job(request);
        if (!queue.offer(job)) throw ApiError.queueFull(queue.size());
        if (!accepting && queue.remove(job)) throw ApiError.shuttingDown(); // raced with shutdown
        metrics.queueLength.set(queue.size());
        return job;
    }

    /** Requests waiting for a session. */
    int queued() {
        return queue.size();
    }

    boolean accepting() {
        return accepting;
    }

    /**
     * Stops accepting requests, lets running and queued ones finish for up to grace, then cancels what
     * is left (their clients get finish reason "cancelled") and stops the thread.
     */
    void shutdown(Duration grace) {
        accepting = false;
        long deadline = System.nanoTime() + grace.toNanos();
        try {
            while (loop.isAlive() && System.nanoTime() < deadline) {
                loop.join(Math.max(1, Math.min(50, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()))));
            }
            abort = true;
            loop.join(10_000);
        } catch (InterruptedException e) {
            abort = true;
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        shutdown(Duration.ZERO);
        if (loop.isAlive()) return; // still inside a native call: leave the handles to the model's close
        batch.close();
        allSessions.forEach(NativeSession::close);
    }

    private void run() {
        try {
            while (true) {
                if (abort) {
                    cancelEverything();
                    return;
                }
                admit();
                if (active.isEmpty()) {
                    if (!accepting && queue.isEmpty()) return;
                    Job next = queue.poll(50, TimeUnit.MILLISECONDS);
                    if (next != null) start(next);
                    continue;
                }
                iterate();
            }
        } catch (InterruptedException e) {
            cancelEverything();
        } catch (RuntimeException | Error e) {
            failEverything(ApiError.internal("the scheduler failed: " + e));
            throw e;
        }
    }

    private void admit() {
        Job next;
        while (active.size() < slots && (next = queue.poll()) != null) start(next);
        metrics.queueLength.set(queue.size());
    }

    private void start(Job job) {
        metrics.queueLength.set(queue.size());
        metrics.queueWait.observe((System.nanoTime() - job.submittedNanos) / 1e9);
        if (job.cancelled()) {
            job.done(
                    FinishReason.CANCELLED,
                    new Usage(job.request.promptIds().length, 0, 0, 0, 0, 0, job.request.blockSize()));
            return;
        }
        NativeSession session = freeSessions.pop();
        try {
            active.add(new ActiveJob(job, session, model.tokenizer(), model.eosId()));
            metrics.activeRequests.set(active.size());
        } catch (RuntimeException e) {
            freeSessions.push(session);
            job.failed(ApiError.internal("could not start the generation: " + e.getMessage()));
        }
    }

    /** One batched forward over every active job, then each takes its result. */
    private void iterate() {
        List<ActiveJob> stepping = new ArrayList<>(active.size());
        List<NativeSession> sessions = new ArrayList<>(active.size());
        List<int[]> windows = new ArrayList<>(active.size());
        int rows = 0;
        for (ActiveJob a : active) {
            if (a.job.cancelled()) {
                a.cancel();
                continue;
            }
            int[] w = a.window();
            if (w == null) continue; // finished: no room or no tokens left
            stepping.add(a);
            sessions.add(a.session);
            windows.add(w);
            rows += w.length;
        }
        if (!stepping.isEmpty()) {
            long start = System.nanoTime();
            try {
                NativeBatch.Result r = batch.step(sessions, windows.toArray(new int[0][]));
                for (int i = 0; i < stepping.size(); i++) stepping.get(i).accept(r.predictions()[i], r.accepted()[i]);
            } catch (RuntimeException e) {
                for (ActiveJob a : stepping) {
                    if (!a.finished()) a.job.failed(ApiError.internal("decoding failed: " + e.getMessage()));
                }
                active.removeAll(stepping);
                stepping.forEach(a -> freeSessions.push(a.session));
            }
            metrics.stepSeconds.observe((System.nanoTime() - start) / 1e9);
            metrics.stepRows.observe(rows);
        }
        retireFinished();
    }

    private void retireFinished() {
        for (int i = active.size() - 1; i >= 0; i--) {
            ActiveJob a = active.get(i);
            if (!a.finished()) continue;
            active.remove(i);
            freeSessions.push(a.session);
            metrics.finished(a.job, a.finishReason(), a.usage());
        }
        metrics.activeRequests.set(active.size());
    }

    private void cancelEverything() {
        for (ActiveJob a : active) a.cancel();
        retireFinished();
        Job job;
        while ((job = queue.poll()) != null) {
            job.done(
                    FinishReason.CANCELLED,
                    new Usage(job.request.promptIds().length, 0, 0, 0, 0, 0, job.request.blockSize()));
        }
        metrics.queueLength.set(0);
    }

    private void failEverything(ApiError error) {
        for (ActiveJob a : active) {
            if (!a.finished()) a.job.failed(error);
        }
        active.clear();
        Job job;
        while ((job = queue.poll()) != null) job.failed(error);
    }
}
