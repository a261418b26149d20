package dev.cllm.engine;

import dev.cllm.CllmException;

/**
 * Makes a native handle safe to close from any thread: every native call runs between {@link #enter()}
 * and {@link #leave()}; {@link #close(Runnable)} marks the handle closed (later calls fail fast with a
 * {@link CllmException} of status STATE, "<i>what</i> is closed"), waits until the calls in flight have
 * left, and only then runs the code that frees the handle. So no call ever runs on freed memory, and a
 * close waits at most for one native call (for a session: one forward, Jacobi iteration, block or refill run).
 *
 * <p>An exclusive guard (a session's) also admits one thread at a time: a thread holds it for one call,
 * or for longer through {@link #claim()} (a whole generation), and any other thread's call or claim
 * meanwhile fails with status STATE, "<i>what</i> is in use by thread ...". Claims nest within a thread.
 * Closing ignores claims: it is how another thread cancels a generation.
 *
 * <p>Used by the classes that own native handles ({@link NativeModel}, {@link NativeSession}, the
 * Hugging Face tokenizer); applications do not need it.
 */
public final class HandleGuard {
    private final String what;
    private final boolean exclusive;
    private boolean closed;
    private boolean freed;
    private int callsInFlight;
    private Thread owner;
    private int holds; // the owner's claims plus its call in flight

    private HandleGuard(String what, boolean exclusive) {
        this.what = what;
        this.exclusive = exclusive;
    }

    /** A guard whose handle any number of threads may call at once (a model's read-only weights). */
    public static HandleGuard shared(String what) {
        return new HandleGuard(what, false);
    }

    /** A guard whose handle serves one thread at a time (a session). */
    public static HandleGuard exclusive(String what) {
        return new HandleGuard(what, true);
    }

    /** Starts a native call: throws when closed or, for an exclusive guard, held by another thread. */
    public synchronized void enter() {
        checkOpen();
        if (exclusive) hold();
        callsInFlight++;
    }

    /** Ends the call {@link #enter()} started. */
    public synchronized void leave() {
        callsInFlight--;
        if (exclusive) unhold();
        if (callsInFlight == 0) notifyAll();
    }

    /**
     * Holds an exclusive guard for the calling thread until {@link #release()}; calls of this thread
     * meanwhile pass, those of others fail. Throws when closed or held by another thread.
     */
    public synchronized void claim() {
        if (!exclusive) throw new IllegalStateException(what + " guard is shared: nothing to claim");
        checkOpen();
        hold();
    }

    /** Ends a {@link #claim()} of the calling thread. */
    public synchronized void release() {
        if (owner != Thread.currentThread()) throw new IllegalStateException(what + " is not claimed by this thread");
        unhold();
    }

    /** Whether {@link #close} has begun. */
    public synchronized boolean isClosed() {
        return closed;
    }

    /**
     * Closes once: marks the handle closed, waits until no call is in flight, then runs free (outside
     * the guard's lock). A second close, from any thread, returns once the first has freed the handle.
     * Not interruptible: the handle must not be freed under a running call.
     */
    public void close(Runnable free) {
        synchronized (this) {
            if (closed) {
                awaitUninterruptibly(() -> freed);
                return;
            }
            closed = true;
            awaitUninterruptibly(() -> callsInFlight == 0);
        }
        try {
            free.run();
        } finally {
            synchronized (this) {
                freed = true;
                notifyAll();
            }
        }
    }

    private void checkOpen() {
        if (closed) throw new CllmException(CllmException.Status.STATE, what + " is closed");
    }

    private void hold() {
        Thread me = Thread.currentThread();
        if (owner != null && owner != me) {
            throw new CllmException(
                    CllmException.Status.STATE,
                    what + " is in use by thread '" + owner.getName() + "': a " + what
                            + " serves one thread at a time (use one " + what + " per thread)");
        }
        owner = me;
        holds++;
    }

    private void unhold() {
        if (--holds == 0) owner = null;
    }

    private void awaitUninterruptibly(java.util.function.BooleanSupplier condition) {
        boolean interrupted = false;
        while (!condition.getAsBoolean()) {
            try {
                wait();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }
}
