package dev.cllm;

/** Receives generated tokens as soon as they are final. */
@FunctionalInterface
public interface TokenListener {
    void onToken(Token token);
}
