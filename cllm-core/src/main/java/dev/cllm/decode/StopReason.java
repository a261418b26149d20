package dev.cllm.decode;

/** Why a generation ended. */
public enum StopReason {
    /** The model generated the end-of-sequence token. */
    EOS,
    /** The output reached one of the decoding's stop strings (the text ends before it). */
    STOP_STRING,
    /** The token limit was reached. */
    MAX_TOKENS,
    /** The session's KV cache is full: generation stops cleanly with what it has. */
    CONTEXT_FULL,
    /**
     * A {@link dev.cllm.Cancellation} was cancelled, or the generating thread was interrupted: generation
     * stops before its next forward pass (and emits no token after the request) with what it has.
     */
    CANCELLED
}
