package dev.cllm;

import dev.cllm.decode.DecodeResult;
import dev.cllm.decode.IterationListener;
import dev.cllm.decode.StopReason;
import dev.cllm.decode.StopStrings;
import dev.cllm.engine.NativeSession;
import dev.cllm.tokenizer.StreamingDetokenizer;

/**
 * One conversation's state on a model: its KV cache. Each {@code generate} starts from an empty cache.
 *
 * <p>Threads: a session serves one thread at a time. While a generation runs, a call on the session
 * from another thread fails at once with a {@link CllmException} of status STATE ("session is in use by
 * thread ..."); use one session per thread (sessions of one model may generate at the same time).
 *
 * <p>Stopping a generation: cancel the {@link Cancellation} passed to {@code generate}, or interrupt the
 * generating thread: it returns normally with {@link StopReason#CANCELLED} and the tokens so far.
 * Closing the session (or its model) from another thread also stops it, but as a failure: the
 * generation ends at its next native call with a {@link CllmException} of status STATE ("session is
 * closed"). {@link #close()} is safe from any thread at any time and waits at most for one native call
 * (one forward pass or Jacobi block); every later call throws that same exception.
 */
public final class Session implements AutoCloseable {
    private final Model model;
    private final NativeSession engine;

    Session(Model model, NativeSession engine) {
        this.model = model;
        this.engine = engine;
    }

    /** Encodes prompt with the model's tokenizer (adding BOS where it says so) and generates. */
    public Generation generate(String prompt, Decoding decoding, TokenListener listener) {
        return generate(prompt, decoding, listener, null);
    }

    /** As {@link #generate(String, Decoding, TokenListener)}; cancellation (may be null) stops it early. */
    public Generation generate(String prompt, Decoding decoding, TokenListener listener, Cancellation cancellation) {
        if (prompt == null) throw new IllegalArgumentException("prompt must not be null");
        try (NativeSession.Claim claim = claim()) {
            return generate(model.tokenizer().encode(prompt), decoding, listener, null, cancellation);
        }
    }

    public Generation generate(int[] promptIds, Decoding decoding, TokenListener listener) {
        return generate(promptIds, decoding, listener, null, null);
    }

    /** Generates from token ids; iterations (may be null) observes each Jacobi iteration. */
    public Generation generate(
            int[] promptIds, Decoding decoding, TokenListener listener, IterationListener iterations) {
        return generate(promptIds, decoding, listener, iterations, null);
    }

    /**
     * Generates from token ids. listener (may be null) receives each token as soon as it is final;
     * iterations (may be null) observes each Jacobi iteration; cancellation (may be null) stops the
     * generation before its next forward pass with {@link StopReason#CANCELLED}, as does an interrupt
     * of the calling thread.
     *
     * @throws IllegalArgumentException for a null or empty prompt, ids outside the vocabulary, or a
     *         prompt longer than the session's capacity
     * @throws CllmException STATE when the session or model is closed (also when closed by another
     *         thread during the generation) or in use by another thread; other statuses for engine failures
     */
    public Generation generate(
            int[] promptIds,
            Decoding decoding,
            TokenListener listener,
            IterationListener iterations,
            Cancellation cancellation) {
        if (promptIds == null) throw new IllegalArgumentException("promptIds must not be null");
        if (decoding == null) throw new IllegalArgumentException("decoding must not be null");
        try (NativeSession.Claim claim = claim()) {
            StreamingDetokenizer text = new StreamingDetokenizer(model.tokenizer());
            StopStrings stops = new StopStrings(decoding.stop());
            // A stop string ends the generation the way a cancellation does (before the next forward
            // pass), without cancelling the caller's cancellation.
            Cancellation stopper = Cancellation.linkedTo(cancellation);
            StringBuilder out = new StringBuilder();
            DecodeResult r = decoding.decoder(iterations)
                    .decode(
                            engine,
                            promptIds,
                            decoding.stopAtEos() ? model.eosId() : -1,
                            id -> {
                                String piece = stops.accept(text.accept(id));
                                out.append(piece);
                                if (stops.stopped()) stopper.cancel();
                                if (listener != null) listener.onToken(new Token(id, piece));
                            },
                            stopper);
            String rest = stops.accept(text.flush()) + stops.flush();
            out.append(rest);
            if (!rest.isEmpty() && listener != null) listener.onToken(new Token(-1, rest));
            StopReason reason =
                    stops.stopped() && r.stopReason() == StopReason.CANCELLED ? StopReason.STOP_STRING : r.stopReason();
            return new Generation(out.toString(), r.tokens(), reason, r.stats());
        }
    }

    /** Holds the session for this thread (fails fast when closed or busy), naming the model when it is closed. */
    private NativeSession.Claim claim() {
        model.checkOpen();
        return engine.claim();
    }

    /** Positions the KV cache holds at most (prompt plus output). */
    public int capacity() {
        return engine.capacity();
    }

    /** The low-level session, for decoders and benchmarks. */
    public NativeSession engine() {
        return engine;
    }

    public Model model() {
        return model;
    }

    /** Whether the session (or its model) was closed. */
    public boolean isClosed() {
        return engine.isClosed();
    }

    /**
     * Frees the KV cache. Safe from any thread, also during a generation on another thread (which then
     * fails with {@link CllmException} STATE, "session is closed"); closing twice is harmless.
     */
    @Override
    public void close() {
        engine.close();
    }
}
