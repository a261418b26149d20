package dev.cllm.decode;

/** What Jacobi decoding does with the window after an iteration commits its converged prefix. */
public enum WindowMode {
    /**
     * Keep n tokens in flight: after a commit, append new guesses at the end so the next pass forwards
     * n rows again. Our default.
     */
    REFILL,
    /**
     * The reference implementation's behaviour: decode fixed blocks of n tokens; within a block the
     * window shrinks as tokens are committed, and the next block starts when all n are final. Runs each
     * block in one native call (one graph launch on CUDA).
     */
    SHRINK
}
