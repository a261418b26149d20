package dev.cllm.cli;

import dev.cllm.train.Trainer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Optimisation options shared by {@code cllm train} and {@code cllm pretrain}. */
final class TrainingOptions {
    @Option(
            names = "--steps",
            description = "Optimizer steps (default: 2400 for train, 1800 for pretrain, as in the "
                    + "recipe of the embedded models).")
    Integer steps;

    @Option(
            names = "--batch",
            defaultValue = "16",
            description = "Examples per micro-batch (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(
            names = "--accumulation",
            defaultValue = "1",
            description = "Micro-batches per step (gradient " + "accumulation) (default: ${DEFAULT-VALUE}).")
    int accumulation;

    @Option(
            names = "--lr",
            defaultValue = "0",
            description = "Peak learning rate (default: 5e-4 for train, 2e-3 for "
                    + "pretrain, as in the recipe of the embedded models).")
    double lr;

    @Option(
            names = "--warmup",
            defaultValue = "0.03",
            description = "Warmup fraction of the steps (default: ${DEFAULT-VALUE}).")
    double warmup;

    @Option(
            names = "--weight-decay",
            defaultValue = "0.0",
            description = "AdamW weight decay (default: ${DEFAULT-VALUE}).")
    double weightDecay;

    @Option(
            names = "--clip",
            defaultValue = "1.0",
            description = "Gradient norm clipping, 0 for none (default: ${DEFAULT-VALUE}).")
    double clip;

    @Option(
            names = "--seed",
            defaultValue = "42",
            description = "Seed of batches and initialisation (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--checkpoint-every",
            defaultValue = "0",
            description =
                    "Save a resumable checkpoint every K steps " + "(0: only at the end) (default: ${DEFAULT-VALUE}).")
    int checkpointEvery;

    @Option(
            names = "--log-every",
            defaultValue = "10",
            description = "Steps per CSV log row (default: ${DEFAULT-VALUE}).")
    int logEvery;

    @Option(
            names = "--resume",
            description =
                    "Continue the run in the output folder from its newest complete checkpoint "
                            + "(with the run's settings: a changed --steps, --lr, --warmup, --batch, --accumulation or --seed is refused).")
    boolean resume;

    @Option(
            names = "--overwrite",
            description = "Delete what an earlier run wrote to the output folder and start over "
                    + "(without --resume or --overwrite a non-empty output folder is refused).")
    boolean overwrite;

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    @Option(
            names = "--threads",
            defaultValue = "0",
            description = "Threads of the matrix products (OpenBLAS; LibTorch "
                    + "keeps one intra-op thread). 0: the default of 1, robust when other processes share the cores; 2 is up to "
                    + "1.3x faster on an idle 2-core machine.")
    int threads;

    Trainer.Settings settings(double defaultLr, int defaultSteps) {
        return new Trainer.Settings(
                steps != null ? steps : defaultSteps,
                batch,
                accumulation,
                lr > 0 ? lr : defaultLr,
                warmup,
                weightDecay,
                clip,
                seed,
                checkpointEvery,
                logEvery,
                true);
    }

    Trainer.Start start() {
        if (resume && overwrite) throw new IllegalArgumentException("--resume and --overwrite exclude each other");
        return resume ? Trainer.Start.RESUME : overwrite ? Trainer.Start.OVERWRITE : Trainer.Start.FRESH;
    }

    /** The command as typed (for the plot's title). */
    String commandLine() {
        return command.root().name() + " "
                + String.join(" ", command.commandLine().getParseResult().originalArgs());
    }
}
