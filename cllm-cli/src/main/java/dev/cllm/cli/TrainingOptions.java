package dev.cllm.cli;

import dev.cllm.train.Trainer;

import picocli.CommandLine.Option;

/** Optimisation options shared by {@code cllm train} and {@code cllm pretrain}. */
final class TrainingOptions {
    @Option(names = "--steps", defaultValue = "1000", description = "Optimizer steps (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--batch", defaultValue = "8", description = "Examples per micro-batch (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--accumulation", defaultValue = "1", description = "Micro-batches per step (gradient "
            + "accumulation) (default: ${DEFAULT-VALUE}).")
    int accumulation;

    @Option(names = "--lr", defaultValue = "0", description = "Peak learning rate (default: 2e-5 for train, 1e-3 for "
            + "pretrain).")
    double lr;

    @Option(names = "--warmup", defaultValue = "0.03", description = "Warmup fraction of the steps (default: ${DEFAULT-VALUE}).")
    double warmup;

    @Option(names = "--weight-decay", defaultValue = "0.0", description = "AdamW weight decay (default: ${DEFAULT-VALUE}).")
    double weightDecay;

    @Option(names = "--clip", defaultValue = "1.0", description = "Gradient norm clipping, 0 for none (default: ${DEFAULT-VALUE}).")
    double clip;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of batches and initialisation (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--checkpoint-every", defaultValue = "0", description = "Save a resumable checkpoint every K steps "
            + "(0: only at the end) (default: ${DEFAULT-VALUE}).")
    int checkpointEvery;

    @Option(names = "--log-every", defaultValue = "10", description = "Steps per CSV log row (default: ${DEFAULT-VALUE}).")
    int logEvery;

    @Option(names = "--resume", description = "Continue from the latest checkpoint in the output folder.")
    boolean resume;

    @Option(names = "--threads", defaultValue = "0", description = "Threads of the matrix products (OpenBLAS; LibTorch "
            + "keeps one intra-op thread). 0: the default of 1, robust when other processes share the cores; 2 is up to "
            + "1.3x faster on an idle 2-core machine.")
    int threads;

    Trainer.Settings settings(double defaultLr) {
        return new Trainer.Settings(steps, batch, accumulation, lr > 0 ? lr : defaultLr, warmup, weightDecay, clip, seed,
                checkpointEvery, logEvery, true);
    }
}
