package dev.cllm.decode;

/**
 * Observes Jacobi decoding one iteration at a time (for visualisation and trajectory statistics).
 * {@code accepted} are the tokens this iteration made final; {@code pending} the guesses that follow
 * them after the iteration (they may still change).
 */
@FunctionalInterface
public interface IterationListener {
    void onIteration(int iteration, int[] accepted, int[] pending);

    IterationListener NONE = (iteration, accepted, pending) -> {};
}
