package dev.cllm.decode;

import dev.cllm.Cancellation;
import dev.cllm.Sampling;
import dev.cllm.engine.NativeSession;

/**
 * A decoder whose predictions are drawn with sampling settings: it sets them on the session for the
 * generation (the penalties look at the output only unless {@link Sampling#penalizePrompt()}) and puts
 * the session back to greedy afterwards, so the settings never leak into a later generation. Any decoder
 * can be wrapped: the engine samples where it takes the argmax (cllm.h, "Sampling"), so AR and Jacobi
 * give the same tokens for the same settings and seed.
 */
public final class SamplingDecoder implements Decoder {
    private final Decoder inner;
    private final Sampling sampling;

    public SamplingDecoder(Decoder inner, Sampling sampling) {
        if (inner == null || sampling == null)
            throw new IllegalArgumentException("decoder and sampling must not be null");
        this.inner = inner;
        this.sampling = sampling;
    }

    @Override
    public DecodeResult decode(
            NativeSession session, int[] prompt, int eos, TokenSink sink, Cancellation cancellation) {
        if (sampling.isGreedy()) return inner.decode(session, prompt, eos, sink, cancellation);
        if (prompt == null) throw new IllegalArgumentException("prompt must not be null");
        try (NativeSession.Claim claim = session.claim()) {
            session.setSampling(sampling, sampling.penalizePrompt() ? 0 : prompt.length);
            try {
                return inner.decode(session, prompt, eos, sink, cancellation);
            } finally {
                if (!session.isClosed()) session.setSampling(Sampling.greedy(), 0);
            }
        }
    }
}
