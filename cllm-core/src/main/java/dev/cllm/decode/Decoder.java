package dev.cllm.decode;

import dev.cllm.Cancellation;
import dev.cllm.engine.NativeSession;

/**
 * Greedy decoding over a native session, on any backend. The session is reset (truncated to 0), the
 * prompt is prefilled, and tokens are generated until end-of-sequence, the token limit, a full cache or
 * a cancellation.
 *
 * <p>A decoder claims the session for the whole generation ({@link NativeSession#claim()}), so another
 * thread using the session meanwhile gets a {@link dev.cllm.CllmException} (STATE) instead of
 * corrupting it. Closing the session from another thread ends the generation at its next native call
 * with a {@link dev.cllm.CllmException} (STATE, "session is closed").
 */
public interface Decoder {
    /**
     * Generates a continuation of prompt (at least one token). eos: the end-of-sequence id, or -1 to
     * ignore it. Every final token goes to sink as soon as it is known. cancellation (may be null) stops
     * the generation early with {@link StopReason#CANCELLED}, as does an interrupt of the calling thread.
     */
    DecodeResult decode(NativeSession session, int[] prompt, int eos, TokenSink sink, Cancellation cancellation);

    /** {@link #decode(NativeSession, int[], int, TokenSink, Cancellation)} without a cancellation. */
    default DecodeResult decode(NativeSession session, int[] prompt, int eos, TokenSink sink) {
        return decode(session, prompt, eos, sink, null);
    }
}
