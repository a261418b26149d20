package dev.cllm.decode;

/** Receives each generated token id as soon as it is final (streaming). */
@FunctionalInterface
public interface TokenSink {
    void accept(int token);

    TokenSink NONE = token -> {};
}
