package dev.cllm.bench;

/** Median wall time of one forward pass of a block of n tokens, and its cost relative to n = 1. */
public record ForwardTiming(int block, double millis, double relativeToOne) {}
