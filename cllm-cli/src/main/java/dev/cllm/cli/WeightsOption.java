package dev.cllm.cli;

import dev.cllm.WeightType;
import picocli.CommandLine.Option;

/** {@code --weights}, shared by every command that runs a model: the type the engine computes with. */
final class WeightsOption {
    @Option(
            names = "--weights",
            paramLabel = "TYPE",
            description = "Weight type the engine computes with: f32, bf16 or q8_0 (default: the checkpoint's own).")
    String text;

    /** The weight type, or null for the checkpoint's own. */
    WeightType weightType() {
        if (text == null) return null;
        try {
            return WeightType.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--weights must be f32, bf16 or q8_0, got '" + text + "'", e);
        }
    }
}
