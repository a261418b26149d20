package dev.cllm.cli;

import dev.cllm.CllmException;
import dev.cllm.model.Checkpoints;
import dev.cllm.model.GgmlType;
import dev.cllm.model.GgufNames;
import dev.cllm.model.GgufValue;
import dev.cllm.model.GgufWriter;
import dev.cllm.model.ModelWeights;
import dev.cllm.models.EmbeddedModels;
import dev.cllm.tokenizer.GgufTokenizerExport;
import dev.cllm.tokenizer.GgufVocabulary;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code cllm convert --model M --out file.gguf [--type f32|f16|bf16|q8_0]}: any model this library loads
 * (or an embedded one) written as a GGUF file that llama.cpp runs, with its tokenizer when that can be
 * expressed in GGUF (else the file runs with token ids only, and a warning says why).
 */
@Command(
        name = "convert",
        mixinStandardHelpOptions = true,
        description = "Write a model as a GGUF file (llama.cpp's format), with its tokenizer.")
public final class ConvertCommand implements Callable<Integer> {
    @Option(
            names = {"-m", "--model"},
            required = true,
            paramLabel = "PATH",
            description = "Any checkpoint cllm loads (Hugging Face directory, .safetensors, llama2.c .bin, .gguf), or "
                    + "embedded:cllm / embedded:teacher.")
    String model;

    @Option(
            names = {"-o", "--out"},
            required = true,
            paramLabel = "FILE",
            description = "The GGUF file to write.")
    Path out;

    @Option(
            names = "--type",
            paramLabel = "TYPE",
            description = "Matrices as f32, f16, bf16 or q8_0 (quantised "
                    + "here: scale = max|x|/127 per 32 values); norms stay f32 (default: each tensor's own type).")
    String type;

    @Option(names = "--name", paramLabel = "NAME", description = "general.name (default: the output file's name).")
    String name;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        GgmlType target = parseType(type);
        Path source = resolve(model);
        ModelWeights weights = Checkpoints.load(source);
        Map<String, GgufValue> metadata = new LinkedHashMap<>();
        if (name != null) metadata.put(GgufNames.NAME, GgufValue.string(name));
        String tokenizer;
        try {
            Optional<GgufVocabulary> vocab = GgufTokenizerExport.forCheckpoint(source)
                    .map(v -> v.padTo(weights.config().vocabSize()));
            if (vocab.isPresent()) {
                metadata.putAll(vocab.get().toMetadata());
                tokenizer = vocab.get().model() + " (" + vocab.get().size() + " tokens"
                        + (vocab.get().pre() == null
                                ? ""
                                : ", pre " + vocab.get().pre()) + ")";
            } else {
                tokenizer = "none (the checkpoint has no tokenizer; token ids only)";
            }
        } catch (CllmException e) {
            if (e.status() != CllmException.Status.UNSUPPORTED) throw e;
            spec.commandLine().getErr().println("cllm convert: warning: tokenizer not written: " + e.getMessage());
            tokenizer = "none (not expressible in GGUF; token ids only)";
        }
        GgufWriter.write(weights, out, target, metadata);
        PrintWriter w = spec.commandLine().getOut();
        w.printf(Locale.ROOT, "%-12s %s%n", "model:", source);
        w.printf(Locale.ROOT, "%-12s %s%n", "wrote:", out.toAbsolutePath().normalize());
        w.printf(Locale.ROOT, "%-12s %s%n", "matrices:", target == null ? "each tensor's own type" : target);
        w.printf(Locale.ROOT, "%-12s %s%n", "tokenizer:", tokenizer);
        w.printf(Locale.ROOT, "%-12s %s%n", "bytes:", size(out));
        w.flush();
        return 0;
    }

    static GgmlType parseType(String text) {
        if (text == null) return null;
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "f32", "fp32", "float32" -> GgmlType.F32;
            case "f16", "fp16", "float16" -> GgmlType.F16;
            case "bf16", "bfloat16" -> GgmlType.BF16;
            case "q8_0", "q8" -> GgmlType.Q8_0;
            default -> throw new IllegalArgumentException("--type must be f32, f16, bf16 or q8_0, got '" + text + "'");
        };
    }

    /** A path, or embedded:cllm / embedded:teacher (or an embedded model's full name). */
    static Path resolve(String model) {
        if (!model.startsWith("embedded:")) return Path.of(model);
        String which = model.substring("embedded:".length());
        String name = switch (which) {
            case "cllm" -> EmbeddedModels.CLLM;
            case "teacher" -> EmbeddedModels.TEACHER;
            default -> which;
        };
        return EmbeddedModels.path(name);
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (java.io.IOException e) {
            return -1;
        }
    }
}
