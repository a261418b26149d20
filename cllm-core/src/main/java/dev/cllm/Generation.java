package dev.cllm;

import dev.cllm.decode.DecodeStats;
import dev.cllm.decode.StopReason;

/** The result of {@link Session#generate}: text, token ids, why it stopped, and statistics. */
public record Generation(String text, int[] tokens, StopReason stopReason, DecodeStats stats) {
    public Generation {
        tokens = tokens.clone();
    }

    @Override
    public int[] tokens() {
        return tokens.clone();
    }
}
