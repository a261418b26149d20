package dev.cllm.model;

import dev.cllm.CllmException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * The one entry point for reading checkpoints, whatever their format:
 * <ul>
 *   <li>a directory with {@code config.json} (or that config.json itself): Hugging Face, with
 *       {@code model.safetensors} or a sharded {@code model.safetensors.index.json};</li>
 *   <li>a {@code .safetensors} file with {@code config.json} beside it: Hugging Face, that file's weights;</li>
 *   <li>a {@code .bin} file: a llama2.c checkpoint (legacy format v0);</li>
 *   <li>a {@code .gguf} file, or any file that starts with the GGUF magic: a llama.cpp model
 *       ({@link GgufCheckpoint}).</li>
 * </ul>
 */
public final class Checkpoints {
    public static final String TOKENIZER_FILE = "tokenizer.json";

    /** Checkpoint formats. */
    public enum Format {
        HF_SAFETENSORS("hf-safetensors"),
        LLAMA2C("llama2.c"),
        GGUF("gguf");

        private final String label;

        Format(String label) {
            this.label = label;
        }

        @Override
        public String toString() {
            return label;
        }
    }

    private Checkpoints() {}

    /** The format of the checkpoint at path; IO when nothing is there, BAD_FORMAT when it is no known format. */
    public static Format detect(Path path) {
        if (path == null) throw new IllegalArgumentException("model path must not be null");
        if (!Files.exists(path)) throw new CllmException(CllmException.Status.IO, path + ": no such file or directory");
        String name =
                path.getFileName() == null ? "" : path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (Files.isDirectory(path)) {
            if (Files.isRegularFile(path.resolve(HfConfig.FILE_NAME))) return Format.HF_SAFETENSORS;
            throw CllmException.badFormat(
                    path,
                    "unknown checkpoint format: a directory without " + HfConfig.FILE_NAME
                            + " (expected a Hugging Face checkpoint directory, a .safetensors file or a llama2.c .bin file)");
        }
        if (name.endsWith(".gguf") || GgufFile.hasMagic(path)) return Format.GGUF;
        Path sibling = siblingConfig(path);
        if (name.equals(HfConfig.FILE_NAME)) return Format.HF_SAFETENSORS;
        if (name.endsWith(".safetensors") || name.endsWith(".safetensors.index.json")) {
            if (Files.isRegularFile(sibling)) return Format.HF_SAFETENSORS;
            throw CllmException.badFormat(path, "a safetensors file needs a " + HfConfig.FILE_NAME + " beside it");
        }
        if (name.endsWith(".bin")) {
            if (name.startsWith("pytorch_model")) {
                throw new CllmException(
                        CllmException.Status.UNSUPPORTED,
                        path + ": PyTorch pickle checkpoints are not " + "supported; convert them to safetensors");
            }
            return Format.LLAMA2C;
        }
        throw CllmException.badFormat(
                path,
                "unknown checkpoint format (expected a Hugging Face checkpoint directory, "
                        + "a .safetensors file with config.json beside it, a llama2.c .bin file or a .gguf file)");
    }

    /** Loads and validates the checkpoint at path (tensors memory-mapped). */
    public static ModelWeights load(Path path) {
        Format format = detect(path);
        if (format == Format.LLAMA2C) return Llama2cCheckpoint.load(path);
        if (format == Format.GGUF) return GgufCheckpoint.load(path);
        if (Files.isDirectory(path)) return HfCheckpoint.load(path);
        String name = path.getFileName().toString();
        if (name.equals(HfConfig.FILE_NAME))
            return HfCheckpoint.load(path.toAbsolutePath().getParent());
        return HfCheckpoint.load(siblingConfig(path), path.toAbsolutePath());
    }

    /**
     * The tokenizer.json of a checkpoint (in its directory, or beside its file), when there is one. (A GGUF
     * file usually carries its own tokenizer, which {@code Tokenizers.forCheckpoint} prefers.)
     */
    public static Optional<Path> tokenizerFile(Path path) {
        if (path == null) throw new IllegalArgumentException("model path must not be null");
        Path dir = Files.isDirectory(path) ? path : path.toAbsolutePath().getParent();
        if (dir == null) return Optional.empty();
        Path t = dir.resolve(TOKENIZER_FILE);
        return Files.isRegularFile(t) ? Optional.of(t) : Optional.empty();
    }

    private static Path siblingConfig(Path file) {
        Path parent = file.toAbsolutePath().getParent();
        return parent == null ? Path.of(HfConfig.FILE_NAME) : parent.resolve(HfConfig.FILE_NAME);
    }
}
