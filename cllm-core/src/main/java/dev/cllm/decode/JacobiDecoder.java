package dev.cllm.decode;

import dev.cllm.engine.NativeSession;

import java.util.Arrays;

/**
 * Greedy Jacobi decoding (DESIGN.md section 1): guess the next tokens, refine them all in one forward
 * pass per iteration, and commit the converged prefix (fast-forward). The output equals greedy AR
 * output token for token; only the number of passes differs.
 *
 * <p>Settings: block size n (rows per pass, default 16), {@link WindowMode}, {@link InitialGuess}, a
 * cap on iterations per block (SHRINK mode; in REFILL mode every pass commits at least one token, so
 * no cap is needed), and the token limit. When the cache has fewer free positions than n the window
 * narrows; when it has none, generation stops with {@link StopReason#CONTEXT_FULL}.
 */
public final class JacobiDecoder implements Decoder {
    private final int blockSize;
    private final int maxNewTokens;
    private final WindowMode mode;
    private final InitialGuess initialGuess;
    private final int maxIterationsPerBlock;
    private final IterationListener listener;

    public JacobiDecoder(int blockSize, int maxNewTokens, WindowMode mode, InitialGuess initialGuess,
            int maxIterationsPerBlock, IterationListener listener) {
        if (blockSize < 1) throw new IllegalArgumentException("block size must be >= 1, got " + blockSize);
        if (maxNewTokens < 0) throw new IllegalArgumentException("maxNewTokens must be >= 0, got " + maxNewTokens);
        if (maxIterationsPerBlock < 1) {
            throw new IllegalArgumentException("max iterations per block must be >= 1, got " + maxIterationsPerBlock);
        }
        if (mode == null || initialGuess == null) throw new IllegalArgumentException("mode and initial guess must be set");
        this.blockSize = blockSize;
        this.maxNewTokens = maxNewTokens;
        this.mode = mode;
        this.initialGuess = initialGuess;
        this.maxIterationsPerBlock = maxIterationsPerBlock;
        this.listener = listener == null ? IterationListener.NONE : listener;
    }

    public JacobiDecoder(int blockSize, int maxNewTokens) {
        this(blockSize, maxNewTokens, WindowMode.REFILL, InitialGuess.random(0), blockSize, null);
    }

    @Override
    public DecodeResult decode(NativeSession session, int[] prompt, int eos, TokenSink sink) {
        int vocab = session.model().config().vocabSize();
        if (initialGuess.kind() == InitialGuess.Kind.PAD && initialGuess.padToken() >= vocab) {
            throw new IllegalArgumentException("pad token " + initialGuess.padToken() + " is outside the vocabulary of "
                    + vocab);
        }
        GenerationRun run = new GenerationRun(session, prompt, eos, maxNewTokens, sink);
        InitialGuess.Guesser guesser = initialGuess.start();
        if (mode == WindowMode.REFILL) {
            decodeRefill(session, run, guesser);
        } else {
            decodeShrink(session, run, guesser, eos);
        }
        return run.finish();
    }

    /** n rows per pass; after each commit the window is topped up with fresh guesses. */
    private void decodeRefill(NativeSession session, GenerationRun run, InitialGuess.Guesser guesser) {
        int[] window = new int[blockSize];
        int[] previous = new int[blockSize];  // last pass's window, for stationary tokens
        int previousStart = -1;               // cache length when that window was forwarded
        int[] accepted = new int[blockSize];
        window[0] = run.y0();
        guesser.fill(window, 1, blockSize, run.history(), run.historyLength());
        int iteration = 0;
        while (!run.done()) {
            int rows = run.rowsAllowed(blockSize);
            if (rows == 0) break;
            int start = session.length();
            NativeSession.Step step = session.jacobiStep(window, rows);
            int k = step.accepted();
            int[] p = step.predictions();
            // New final tokens: the guesses that matched, then the prediction after them.
            System.arraycopy(window, 1, accepted, 0, k - 1);
            accepted[k - 1] = p[k - 1];
            int stationaryCount = 0;
            for (int i = 1; i < k; i++) {
                int offset = start + i - previousStart;  // index of the same position in the last window
                if (previousStart >= 0 && offset >= 1 && offset < blockSize && previous[offset] == window[i]) {
                    stationaryCount++;
                }
            }
            System.arraycopy(window, 0, previous, 0, blockSize);
            previousStart = start;
            run.acceptIteration(accepted, k, stationaryCount);
            // Next window: y0 = p[k-1], then the predictions beyond it, then fresh guesses.
            int carried = rows - k + 1;
            System.arraycopy(p, k - 1, window, 0, carried);
            guesser.fill(window, carried, blockSize, run.history(), run.historyLength());
            listener.onIteration(++iteration, Arrays.copyOf(accepted, k), Arrays.copyOfRange(window, 1, carried));
        }
    }

    /** Fixed blocks of n tokens, each run to its fixed point by one native call. */
    private void decodeShrink(NativeSession session, GenerationRun run, InitialGuess.Guesser guesser, int eos) {
        int iteration = 0;
        int[] carry = new int[0];  // guesses left over when a block hit its iteration cap
        while (!run.done()) {
            int n = run.rowsAllowed(blockSize);
            if (n == 0) break;
            int[] state = new int[n];
            int reuse = Math.min(carry.length, n);
            System.arraycopy(carry, 0, state, 0, reuse);
            guesser.fill(state, reuse, n, run.history(), run.historyLength());
            NativeSession.Block block = session.jacobiBlock(run.y0(), state, maxIterationsPerBlock, eos, true);
            int[][] states = block.states();
            int produced = 0;
            int[] accepted = new int[n];
            for (int j = 1; j <= block.iterations() && !run.done(); j++) {
                // Iteration j forwarded (y0, states[j-1][produced .. n-2]) and replaced the rest by its
                // predictions, so the accepted count is 1 + the leading guesses it left unchanged.
                int rows = n - produced;
                int k = 1;
                while (k < rows && states[j - 1][produced + k - 1] == states[j][produced + k - 1]) k++;
                int stationaryCount = 0;
                for (int i = 0; i < k - 1 && j >= 2; i++) {
                    if (states[j - 2][produced + i] == states[j - 1][produced + i]) stationaryCount++;
                }
                System.arraycopy(states[j], produced, accepted, 0, k);
                run.acceptIteration(accepted, k, stationaryCount);
                produced += k;
                listener.onIteration(++iteration, Arrays.copyOf(accepted, k), Arrays.copyOfRange(states[j], produced, n));
            }
            carry = Arrays.copyOfRange(states[block.iterations()], produced, n);
            if (!run.done() && produced != block.produced().length) {
                throw new IllegalStateException("native block produced " + block.produced().length
                        + " tokens but its states account for " + produced);
            }
        }
    }
}
