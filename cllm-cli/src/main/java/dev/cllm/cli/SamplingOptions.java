package dev.cllm.cli;

import dev.cllm.Sampling;
import picocli.CommandLine.Option;

/**
 * How each token is chosen: greedy (temperature 0, the default) or sampled, and the texts that stop a
 * generation. The draws are keyed by the command's {@code --seed} and the token's position, so Jacobi
 * output equals AR output for the same settings and seed. Every check names the option.
 */
final class SamplingOptions {
    @Option(
            names = "--temperature",
            defaultValue = "0",
            paramLabel = "T",
            description = "Sampling temperature; 0 is greedy (default: ${DEFAULT-VALUE}).")
    double temperature;

    @Option(
            names = "--top-k",
            defaultValue = "0",
            paramLabel = "K",
            description = "Keep the K most likely tokens (0: off).")
    int topK;

    @Option(
            names = "--top-p",
            defaultValue = "1",
            paramLabel = "P",
            description = "Keep the most likely tokens that together hold probability P (1: off).")
    double topP;

    @Option(
            names = "--min-p",
            defaultValue = "0",
            paramLabel = "P",
            description = "Keep tokens at least P times as likely as the most likely one (0: off).")
    double minP;

    @Option(
            names = "--repetition-penalty",
            defaultValue = "1",
            paramLabel = "X",
            description = "Divide the logits of tokens already in the text by X (1: off).")
    double repetitionPenalty;

    @Option(
            names = "--presence-penalty",
            defaultValue = "0",
            paramLabel = "X",
            description = "Subtract X from the logits of tokens already in the text (0: off).")
    double presencePenalty;

    @Option(
            names = "--frequency-penalty",
            defaultValue = "0",
            paramLabel = "X",
            description = "Subtract X per earlier occurrence of a token (0: off).")
    double frequencyPenalty;

    @Option(names = "--stop", paramLabel = "TEXT", description = "Stop before this text (repeatable).")
    String[] stop = new String[0];

    /** The sampling settings with the draws keyed by seed. */
    Sampling sampling(long seed) {
        try {
            return new Sampling(
                    temperature, topK, topP, minP, repetitionPenalty, presencePenalty, frequencyPenalty, false, seed);
        } catch (IllegalArgumentException e) {
            // Sampling names its field (e.g. "topP must be in (0, 1]"): say it as the option is spelled.
            throw new IllegalArgumentException(optionNames(e.getMessage()), e);
        }
    }

    String[] stop() {
        return stop.clone();
    }

    private static final java.util.Map<String, String> OPTIONS = java.util.Map.of(
            "temperature",
            "--temperature",
            "topK",
            "--top-k",
            "topP",
            "--top-p",
            "minP",
            "--min-p",
            "repetitionPenalty",
            "--repetition-penalty",
            "presencePenalty",
            "--presence-penalty",
            "frequencyPenalty",
            "--frequency-penalty");

    private static String optionNames(String message) {
        int space = message.indexOf(' ');
        String field = space < 0 ? message : message.substring(0, space);
        return OPTIONS.containsKey(field) ? OPTIONS.get(field) + message.substring(field.length()) : message;
    }
}
