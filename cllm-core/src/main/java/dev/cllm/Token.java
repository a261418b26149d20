package dev.cllm;

/**
 * A generated token: its id and the text it adds to the output (may be empty mid-character). At the end of
 * a generation, text still held back (an incomplete character) arrives with id -1.
 */
public record Token(int id, String text) {}
