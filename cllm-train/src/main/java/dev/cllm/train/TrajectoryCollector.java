package dev.cllm.train;

import dev.cllm.engine.NativeSession;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Collects Jacobi trajectories with a teacher: for one prompt, decode block by block; every block runs
 * Jacobi from an initial guess of tokens drawn at random from the prompt (the reference's default) to
 * its fixed point, recording every state (one native call per block). The fixed point is appended to
 * the prompt for the next block. Stops at end-of-sequence, after maxNewTokens, or when the cache is full.
 */
public final class TrajectoryCollector {
    /** Block size n (tokens per state), token budget per prompt, end-of-sequence id (-1: none), seed. */
    public record Settings(int blockSize, int maxNewTokens, int eos, long seed) {
        public Settings {
            if (blockSize < 1) throw new IllegalArgumentException("block size must be >= 1, got " + blockSize);
            if (maxNewTokens < 1)
                throw new IllegalArgumentException("max new tokens must be >= 1, got " + maxNewTokens);
        }
    }

    private final NativeSession session;
    private final Settings settings;

    public TrajectoryCollector(NativeSession session, Settings settings) {
        this.session = session;
        this.settings = settings;
    }

    /** The records of one prompt, in block order. labels may be null. */
    public List<TrajectoryRecord> collect(int dataId, int[] prompt, int[] labels) {
        if (prompt.length == 0) throw new IllegalArgumentException("prompt " + dataId + " is empty");
        if (prompt.length >= session.capacity()) {
            throw new IllegalArgumentException("prompt " + dataId + " has " + prompt.length
                    + " tokens, more than the session's capacity of " + session.capacity());
        }
        try (NativeSession.Claim claim = session.claim()) { // no other thread may interleave its calls
            // Per-prompt seed: shards and resumed runs give the same guesses for the same prompt.
            SplittableRandom random = new SplittableRandom(settings.seed() * 1_000_003L + dataId);
            List<TrajectoryRecord> records = new ArrayList<>();
            session.truncate(0);
            if (prompt.length > 1) session.forward(prompt, 0, prompt.length - 1, false);
            int[] context = prompt.clone();
            int generated = 0;
            for (int block = 0; generated < settings.maxNewTokens(); block++) {
                int room = session.capacity() - session.length();
                int n = Math.min(settings.blockSize(), Math.min(room, settings.maxNewTokens() - generated));
                if (n < 1) break;
                int[] guess = new int[n];
                for (int i = 0; i < n; i++) guess[i] = prompt[random.nextInt(prompt.length)];
                NativeSession.Block result =
                        session.jacobiBlock(context[context.length - 1], guess, n, settings.eos(), true);
                int produced = result.produced().length;
                int[][] states = new int[result.iterations() + 1][];
                for (int s = 0; s < states.length; s++) states[s] = Arrays.copyOf(result.states()[s], produced);
                records.add(new TrajectoryRecord(dataId, block, context, states, result.produced(), labels));
                int[] next = Arrays.copyOf(context, context.length + produced);
                System.arraycopy(result.produced(), 0, next, context.length, produced);
                context = next;
                generated += produced;
                if (produced < n) break; // end of sequence
            }
            return records;
        }
    }
}
