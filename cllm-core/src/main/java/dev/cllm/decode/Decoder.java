package dev.cllm.decode;

import dev.cllm.engine.NativeSession;

/**
 * Greedy decoding over a native session, on any backend. The session is reset (truncated to 0), the
 * prompt is prefilled, and tokens are generated until end-of-sequence, the token limit or a full cache.
 */
public interface Decoder {
    /**
     * Generates a continuation of prompt (at least one token). eos: the end-of-sequence id, or -1 to
     * ignore it. Every final token goes to sink as soon as it is known.
     */
    DecodeResult decode(NativeSession session, int[] prompt, int eos, TokenSink sink);
}
