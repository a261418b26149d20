package dev.cllm.server;

/** Why a generation ended, as the OpenAI API names it. */
enum FinishReason {
    /** End-of-sequence token or a stop string. */
    STOP("stop"),
    /** The token limit or the end of the context. */
    LENGTH("length"),
    /** The client went away, or the server shut down before the generation finished. */
    CANCELLED("cancelled");

    final String wire;

    FinishReason(String wire) {
        this.wire = wire;
    }
}
