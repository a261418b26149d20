package dev.cllm.decode;

import dev.cllm.Cancellation;
import dev.cllm.engine.NativeSession;

/**
 * Greedy autoregressive decoding: one forward pass of one token per generated token. The argmax runs in
 * native code (on the device for CUDA), so only the token id crosses to Java.
 */
public final class ArDecoder implements Decoder {
    private final int maxNewTokens;

    public ArDecoder(int maxNewTokens) {
        if (maxNewTokens < 0) throw new IllegalArgumentException("maxNewTokens must be >= 0, got " + maxNewTokens);
        this.maxNewTokens = maxNewTokens;
    }

    @Override
    public DecodeResult decode(
            NativeSession session, int[] prompt, int eos, TokenSink sink, Cancellation cancellation) {
        try (NativeSession.Claim claim = session.claim()) {
            GenerationRun run = new GenerationRun(session, prompt, eos, maxNewTokens, sink, cancellation);
            int[] window = new int[1];
            int[] accepted = new int[1];
            while (!run.done() && run.rowsAllowed(1) == 1) {
                window[0] = run.y0();
                accepted[0] = session.jacobiStep(window, 1).predictions()[0];
                run.acceptIteration(accepted, 1, 0);
            }
            return run.finish();
        }
    }
}
