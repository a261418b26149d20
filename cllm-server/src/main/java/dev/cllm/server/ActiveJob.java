package dev.cllm.server;

import dev.cllm.decode.StopStrings;
import dev.cllm.engine.NativeSession;
import dev.cllm.tokenizer.StreamingDetokenizer;
import dev.cllm.tokenizer.Tokenizer;
import java.util.Arrays;

/**
 * A job while it holds a session: the Jacobi window with refill (block size 1 is AR), the known
 * sequence, the text output (detokenizer and stop strings), the limits and the statistics. The
 * scheduler calls {@link #window()} and {@link #accept} once per iteration, on its own thread.
 *
 * <p>The window follows cllm.h's conventions: (y0, g1, ..., g(n-1)) at positions L..L+n-1, where the
 * session caches the sequence except y0. After an iteration accepts k rows, the tokens p(0..k-1) are
 * final and the next window is p(k-1..rows-1) followed by fresh guesses. A fresh guess for absolute
 * position q is a token of the known sequence picked by a hash of (guess seed, q), so windows depend on
 * nothing but the request; with sampling in the engine keyed by position too, the output is the same
 * whatever other requests share the batch.
 */
final class ActiveJob {
    final Job job;
    final NativeSession session;
    private final GenerationRequest request;
    private final int n;
    private final int eos;
    private final int capacity;
    private final long guessSeed;
    private final int[] window;
    private final int[] prior; // what the previous window held at each position of this one, or -1
    private int[] history;
    private int historyLength;
    private int length; // positions in the session's cache
    private int rows; // rows of the window in flight
    private final StreamingDetokenizer text;
    private final StopStrings stops;
    private int completionTokens;
    private long generated;
    private long iterations;
    private long stationary;
    private FinishReason finished;

    /** Prefills the prompt on the session (truncated first) and builds the first window. */
    ActiveJob(Job job, NativeSession session, Tokenizer tokenizer, int eos) {
        this.job = job;
        this.session = session;
        this.request = job.request;
        this.n = request.blockSize();
        this.eos = request.ignoreEos() ? -1 : eos;
        this.capacity = session.capacity();
        this.guessSeed = request.sampling().seed() ^ 0x6A09E667F3BCC909L;
        this.window = new int[n];
        this.prior = new int[n];
        Arrays.fill(prior, -1);
        int[] prompt = request.promptIds();
        this.history = Arrays.copyOf(prompt, prompt.length + request.maxTokens() + 1);
        this.historyLength = prompt.length;
        this.text = new StreamingDetokenizer(tokenizer);
        this.stops = new StopStrings(request.stop());
        session.truncate(0);
        session.setSampling(request.sampling(), request.sampling().penalizePrompt() ? 0 : prompt.length);
        if (prompt.length > 1) session.forward(prompt, 0, prompt.length - 1, false);
        this.length = prompt.length - 1;
        window[0] = prompt[prompt.length - 1];
        fillGuesses(1);
    }

    boolean finished() {
        return finished != null;
    }

    FinishReason finishReason() {
        return finished;
    }

    /**
     * The rows to forward in the next iteration, narrowed at the token limit and at the end of the
     * cache; null (and finished with LENGTH) when none fits.
     */
    int[] window() {
        rows = Math.min(n, Math.min(request.maxTokens() - completionTokens, capacity - length));
        if (rows < 1) {
            finish(FinishReason.LENGTH);
            return null;
        }
        return Arrays.copyOf(window, rows);
    }

    /** Takes the iteration's predictions for the window's rows and its accepted count k. */
    void accept(int[] predictions, int k) {
        iterations++;
        for (int i = 1; i < k; i++) {
            if (prior[i] == window[i]) stationary++;
        }
        length += k;
        for (int i = 0; i < k && finished == null; i++) emit(predictions[i]);
        if (finished != null) return;
        for (int i = 0; i < n; i++) prior[i] = i + k < n ? window[i + k] : -1;
        int carried = rows - k + 1; // p(k-1), the next y0, then the predictions beyond it
        System.arraycopy(predictions, k - 1, window, 0, carried);
        fillGuesses(carried);
    }

    /** Ends the job now (client gone, shutdown) unless it already ended. */
    void cancel() {
        if (finished == null) finish(FinishReason.CANCELLED);
    }

    Usage usage() {
        return new Usage(
                request.promptIds().length,
                completionTokens,
                iterations,
                generated,
                generated - iterations,
                stationary,
                n);
    }

    private void emit(int token) {
        generated++;
        if (token == eos) {
            finish(FinishReason.STOP);
            return;
        }
        history[historyLength++] = token;
        completionTokens++;
        job.text(stops.accept(text.accept(token)));
        if (stops.stopped()) {
            finish(FinishReason.STOP);
        } else if (completionTokens >= request.maxTokens()) {
            finish(FinishReason.LENGTH);
        }
    }

    private void finish(FinishReason reason) {
        finished = reason;
        if (!stops.stopped() && reason != FinishReason.CANCELLED) job.text(stops.accept(text.flush()) + stops.flush());
        job.done(reason, usage());
    }

    private void fillGuesses(int from) {
        for (int i = from; i < n; i++) window[i] = history[guessIndex(guessSeed, length + i, historyLength)];
    }

    /** splitmix64's finaliser over (seed, position): the index of a history token to guess. */
    static int guessIndex(long seed, long position, int historyLength) {
        long z = seed + 0x9E3779B97F4A7C15L * (position + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z = z ^ (z >>> 31);
        return (int) Long.remainderUnsigned(z, historyLength);
    }
}
