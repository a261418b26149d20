package dev.cllm.decode;

import dev.cllm.Cancellation;
import dev.cllm.engine.NativeSession;
import java.util.Arrays;
import java.util.TreeMap;

/**
 * The bookkeeping every decoder shares: prefill, the known sequence (prompt + output), emission with
 * end-of-sequence and token-limit handling, room left in the cache, cancellation, statistics.
 *
 * <p>Convention (cllm.h): the session caches the sequence except its last known token y0, which is the
 * first row of the next forward pass.
 */
final class GenerationRun {
    private final NativeSession session;
    private final int eos;
    private final int maxNewTokens;
    private final TokenSink sink;
    private final Cancellation cancellation;
    private int[] history;
    private int historyLength;
    private final int promptLength;
    private int emitted;
    private StopReason stopReason;
    long tokens, iterations, fastForwarded, stationary;
    private final TreeMap<Integer, long[]> blocks = new TreeMap<>(); // n -> {iterations, tokens}
    private final long prefillNanos;
    private final long decodeStart;

    /** cancellation may be null (then only an interrupt of the generating thread stops it early). */
    GenerationRun(
            NativeSession session, int[] prompt, int eos, int maxNewTokens, TokenSink sink, Cancellation cancellation) {
        checkArguments(session, prompt, maxNewTokens);
        this.session = session;
        this.eos = eos;
        this.maxNewTokens = maxNewTokens;
        this.sink = sink == null ? TokenSink.NONE : sink;
        this.cancellation = cancellation;
        this.promptLength = prompt.length;
        // Every generated token but the last enters the cache, so the capacity bounds the output too.
        this.history = Arrays.copyOf(prompt, prompt.length + Math.min(maxNewTokens, session.capacity()) + 1);
        this.historyLength = prompt.length;
        long start = System.nanoTime();
        if (Cancellation.requested(cancellation)) {
            stopReason = StopReason.CANCELLED;
        } else {
            session.truncate(0);
            if (prompt.length > 1) session.forward(prompt, 0, prompt.length - 1, false);
            if (maxNewTokens == 0) stopReason = StopReason.MAX_TOKENS;
        }
        this.prefillNanos = System.nanoTime() - start;
        this.decodeStart = System.nanoTime();
    }

    /**
     * The checks of the constructor, before anything touches the session (decoders that do work before
     * the prefill call it first).
     */
    static void checkArguments(NativeSession session, int[] prompt, int maxNewTokens) {
        if (prompt == null || prompt.length == 0) {
            throw new IllegalArgumentException("prompt must hold at least one token");
        }
        if (maxNewTokens < 0) throw new IllegalArgumentException("maxNewTokens must be >= 0, got " + maxNewTokens);
        if (prompt.length > session.capacity()) {
            throw new IllegalArgumentException("prompt of " + prompt.length + " tokens does not fit the session's "
                    + session.capacity() + " positions");
        }
        int vocab = session.model().config().vocabSize();
        for (int i = 0; i < prompt.length; i++) {
            if (prompt[i] < 0 || prompt[i] >= vocab) {
                throw new IllegalArgumentException(
                        "prompt token " + i + " = " + prompt[i] + " is outside the vocabulary [0, " + vocab + ")");
            }
        }
    }

    /** The end-of-sequence token (< 0: none). */
    int eos() {
        return eos;
    }

    /** The last known token (the next forward pass's first row). */
    int y0() {
        return history[historyLength - 1];
    }

    int[] history() {
        return history;
    }

    int historyLength() {
        return historyLength;
    }

    boolean done() {
        return stopReason != null;
    }

    /** Tokens still allowed. */
    int remaining() {
        return maxNewTokens - emitted;
    }

    /**
     * Rows the next pass may use, at most wanted: bounded by the token limit and by the cache. Sets the
     * stop reason and returns 0 when nothing more can be generated, or when cancellation was requested
     * (every decoder asks before each forward pass, so this is where cancellation takes effect).
     */
    int rowsAllowed(int wanted) {
        if (stopReason == null && Cancellation.requested(cancellation)) stopReason = StopReason.CANCELLED;
        if (stopReason != null) return 0;
        int room = session.capacity() - session.length();
        int rows = Math.min(wanted, Math.min(remaining(), room));
        if (rows < 1 && stopReason == null)
            stopReason = remaining() < 1 ? StopReason.MAX_TOKENS : StopReason.CONTEXT_FULL;
        return Math.max(rows, 0);
    }

    /**
     * Records one forward pass that generated accepted[0..count): emits them up to and excluding an
     * end-of-sequence token, updates the statistics. stationaryCount: how many of them were stationary.
     * Returns how many tokens were taken (less than count after an end-of-sequence token).
     */
    int acceptIteration(int[] accepted, int count, int stationaryCount) {
        return acceptIteration(accepted, count, stationaryCount, 0);
    }

    /** As {@link #acceptIteration(int[], int, int)} for a Jacobi iteration at block size blockSize (>= 1). */
    int acceptIteration(int[] accepted, int count, int stationaryCount, int blockSize) {
        iterations++;
        int taken = 0;
        for (int i = 0; i < count && stopReason == null; i++) {
            int token = accepted[i];
            taken++;
            tokens++;
            if (i > 0) fastForwarded++;
            if (token == eos) {
                stopReason = StopReason.EOS;
                break;
            }
            history[historyLength++] = token;
            emitted++;
            sink.accept(token);
            if (emitted >= maxNewTokens) stopReason = StopReason.MAX_TOKENS;
            else if (Cancellation.requested(cancellation)) stopReason = StopReason.CANCELLED;
        }
        // Stationary tokens are fast-forwarded ones; never count one that was cut off.
        stationary += Math.min(stationaryCount, Math.max(taken - 1, 0));
        if (blockSize > 0) {
            long[] use = blocks.computeIfAbsent(blockSize, n -> new long[2]);
            use[0]++;
            use[1] += taken;
        }
        return taken;
    }

    DecodeResult finish() {
        return finish(null);
    }

    /** The result; auto: the automatic block size's report (null for a fixed size or AR). */
    DecodeResult finish(AutoBlockReport auto) {
        if (stopReason == null) stopReason = StopReason.MAX_TOKENS;
        long decodeNanos = System.nanoTime() - decodeStart;
        int[] output = Arrays.copyOfRange(history, promptLength, historyLength);
        TreeMap<Integer, Long> its = new TreeMap<>(), toks = new TreeMap<>();
        blocks.forEach((n, use) -> {
            its.put(n, use[0]);
            toks.put(n, use[1]);
        });
        return new DecodeResult(
                output,
                stopReason,
                new DecodeStats(
                        tokens,
                        iterations,
                        fastForwarded,
                        stationary,
                        prefillNanos,
                        decodeNanos,
                        new BlockSizeUse(its, toks),
                        auto));
    }
}
