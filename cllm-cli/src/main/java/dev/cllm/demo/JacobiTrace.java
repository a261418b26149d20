package dev.cllm.demo;

import dev.cllm.decode.IterationListener;
import java.util.ArrayList;
import java.util.List;

/**
 * Records every Jacobi iteration of one generation (as an {@link IterationListener}) so it can be drawn
 * afterwards, when the final output is known and each pending guess can be marked right or wrong.
 */
public final class JacobiTrace implements IterationListener {
    /** After an iteration: how many tokens were final, and the guesses that followed them. */
    public record Frame(int iteration, int finalCount, int acceptedNow, int[] pending) {}

    private final List<Frame> frames = new ArrayList<>();
    private final List<Integer> finalTokens = new ArrayList<>();

    @Override
    public void onIteration(int iteration, int[] accepted, int[] pending) {
        for (int t : accepted) finalTokens.add(t);
        frames.add(new Frame(iteration, finalTokens.size(), accepted.length, pending.clone()));
    }

    public List<Frame> frames() {
        return List.copyOf(frames);
    }

    /** Every token made final, in order (may include an end-of-sequence token at the end). */
    public int[] finalTokens() {
        return finalTokens.stream().mapToInt(Integer::intValue).toArray();
    }
}
