package dev.cllm.cli;

import dev.cllm.decode.InitialGuess;
import dev.cllm.decode.WindowMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * How Jacobi decoding keeps its window and guesses tokens: {@code --window}, {@code --init},
 * {@code --guess-seed}, {@code --pad-token}, shared by the commands that run the Jacobi decoder (generate, bench, demo). Every
 * check names the option.
 */
final class WindowOptions {
    @Option(
            names = "--window",
            defaultValue = "refill",
            paramLabel = "MODE",
            description = "Jacobi window: refill (keep "
                    + "n tokens in flight) or shrink (the reference's fixed blocks); cllm bench also takes both (default: "
                    + "${DEFAULT-VALUE}).")
    String window;

    @Option(
            names = "--init",
            defaultValue = "random",
            paramLabel = "KIND",
            description =
                    "Jacobi initial guess: random "
                            + "(tokens drawn from the text so far, seeded by --guess-seed), last or pad (default: ${DEFAULT-VALUE}).")
    String init;

    @Option(
            names = "--guess-seed",
            defaultValue = "0",
            paramLabel = "SEED",
            description = "Seed of the random initial guesses; never changes the output (default: ${DEFAULT-VALUE}).")
    long guessSeed;

    @Option(
            names = "--pad-token",
            defaultValue = "0",
            paramLabel = "ID",
            description = "Token id that --init pad guesses (default: ${DEFAULT-VALUE}).")
    int padToken;

    /** The one window mode of a command that decodes with one. */
    WindowMode mode() {
        return switch (window.strip().toLowerCase(Locale.ROOT)) {
            case "refill" -> WindowMode.REFILL;
            case "shrink" -> WindowMode.SHRINK;
            default -> throw new IllegalArgumentException("--window must be refill or shrink, got '" + window + "'");
        };
    }

    /** The window modes of a command that compares several: a comma-separated list, or both. */
    List<WindowMode> modes() {
        List<WindowMode> modes = new ArrayList<>();
        for (String part : window.split(",", -1)) {
            switch (part.strip().toLowerCase(Locale.ROOT)) {
                case "refill" -> modes.add(WindowMode.REFILL);
                case "shrink" -> modes.add(WindowMode.SHRINK);
                case "both" -> modes.addAll(List.of(WindowMode.REFILL, WindowMode.SHRINK));
                default ->
                    throw new IllegalArgumentException("--window must be refill, shrink or both (or a "
                            + "comma-separated list), got '" + window + "'");
            }
        }
        return modes.stream().distinct().toList();
    }

    /** The initial guess; --guess-seed drives the random kind. */
    InitialGuess initialGuess() {
        return switch (init.strip().toLowerCase(Locale.ROOT)) {
            case "random" -> InitialGuess.random(guessSeed);
            case "last" -> InitialGuess.last();
            case "pad" -> {
                if (padToken < 0) throw new IllegalArgumentException("--pad-token must be >= 0, got " + padToken);
                yield InitialGuess.pad(padToken);
            }
            default -> throw new IllegalArgumentException("--init must be random, last or pad, got '" + init + "'");
        };
    }
}
