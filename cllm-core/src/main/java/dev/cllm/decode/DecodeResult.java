package dev.cllm.decode;

/** The generated token ids (without the end-of-sequence token), why generation stopped, and statistics. */
public record DecodeResult(int[] tokens, StopReason stopReason, DecodeStats stats) {
    public DecodeResult {
        tokens = tokens.clone();
    }

    @Override
    public int[] tokens() {
        return tokens.clone();
    }
}
