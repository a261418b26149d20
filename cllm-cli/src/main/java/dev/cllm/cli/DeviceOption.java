package dev.cllm.cli;

import dev.cllm.Device;
import picocli.CommandLine.Option;

/** {@code --device}, shared by every command that runs a model. */
final class DeviceOption {
    @Option(
            names = "--device",
            defaultValue = "auto",
            paramLabel = "DEVICE",
            description = "auto, cpu, cuda or cuda:N (default: ${DEFAULT-VALUE}).")
    String text;

    /** The device; auto probes for a CUDA device, so this is read only when a model is about to load. */
    Device device() {
        try {
            return Device.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--device must be auto, cpu, cuda or cuda:N, got '" + text + "'", e);
        }
    }
}
