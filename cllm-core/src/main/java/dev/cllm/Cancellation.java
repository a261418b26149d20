package dev.cllm;

/**
 * Asks a running generation to stop. Pass one to {@link Session#generate(String, Decoding, TokenListener,
 * Cancellation)} (or to a {@link dev.cllm.decode.Decoder}) and call {@link #cancel()} from any thread,
 * or from the {@link TokenListener} itself: the generation stops before its next forward pass (and
 * emits no further token once cancelled) and returns normally, with
 * {@link dev.cllm.decode.StopReason#CANCELLED} and the tokens generated so far.
 *
 * <p>Interrupting the generating thread ({@link Thread#interrupt()}) has the same effect, whether or not
 * a Cancellation was passed; the thread's interrupt flag stays set.
 *
 * <p>One-way and thread-safe: once cancelled, it stays cancelled, and a generation started with it
 * returns at once (no token, stop reason CANCELLED). Use a new one per generation.
 */
public final class Cancellation {
    private final Cancellation parent;
    private volatile boolean cancelled;

    public Cancellation() {
        this(null);
    }

    private Cancellation(Cancellation parent) {
        this.parent = parent;
    }

    /**
     * A cancellation that is cancelled when it is, or when parent (may be null) is: for code that stops a
     * generation for its own reasons (a stop string) while the caller's cancellation still works.
     */
    public static Cancellation linkedTo(Cancellation parent) {
        return new Cancellation(parent);
    }

    /** Requests the stop; harmless when already cancelled or when the generation has ended. */
    public void cancel() {
        cancelled = true;
    }

    public boolean isCancelled() {
        return cancelled || (parent != null && parent.isCancelled());
    }

    /** Whether a generation with this cancellation (null: none) should stop now: cancelled, or interrupted. */
    public static boolean requested(Cancellation cancellation) {
        return (cancellation != null && cancellation.isCancelled())
                || Thread.currentThread().isInterrupted();
    }

    @Override
    public String toString() {
        return isCancelled() ? "Cancellation[cancelled]" : "Cancellation[pending]";
    }
}
