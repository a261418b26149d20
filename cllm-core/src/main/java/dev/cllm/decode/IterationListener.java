package dev.cllm.decode;

/**
 * Observes Jacobi decoding one iteration at a time (for visualisation and trajectory statistics).
 * {@code accepted} are the tokens this iteration made final (an end-of-sequence token included);
 * {@code pending} the guesses that follow them after the iteration (they may still change): in REFILL
 * mode the predictions of the forwarded rows beyond the accepted ones, in SHRINK mode the rest of the
 * block's state.
 */
@FunctionalInterface
public interface IterationListener {
    void onIteration(int iteration, int[] accepted, int[] pending);

    /**
     * The same, with the number of this iteration's accepted tokens that were stationary (see
     * {@link DecodeStats}); decoders call this one. The default forwards to the three-argument form.
     */
    default void onIteration(int iteration, int[] accepted, int[] pending, int stationary) {
        onIteration(iteration, accepted, pending);
    }

    IterationListener NONE = (iteration, accepted, pending) -> {};
}
