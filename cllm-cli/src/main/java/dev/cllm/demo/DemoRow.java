package dev.cllm.demo;

/**
 * One line of the demo table. {@code speedupVsAr} compares tokens/s with the teacher's AR row of the same
 * run; {@code agreementWithAr} is the fraction of questions where this row's output equals the same
 * model's AR output (Jacobi decoding is lossless, so it must be 1 for Jacobi rows); {@code limitHits} the
 * answers that ran to the token limit instead of ending.
 */
public record DemoRow(
        String mode,
        String model,
        int questions,
        double accuracy,
        double tokensPerIteration,
        double tokensPerSecond,
        double speedupVsAr,
        double agreementWithAr,
        int limitHits) {}
