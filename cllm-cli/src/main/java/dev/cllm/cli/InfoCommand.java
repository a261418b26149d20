package dev.cllm.cli;

import dev.cllm.model.Checkpoints;
import dev.cllm.model.DType;
import dev.cllm.model.LlamaConfig;
import dev.cllm.model.ModelWeights;
import dev.cllm.model.Tensor;
import dev.cllm.tokenizer.HfTokenizer;
import dev.cllm.tokenizer.Tokenizers;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cllm info --model PATH}: what a checkpoint holds, without running it. */
@Command(
        name = "info",
        mixinStandardHelpOptions = true,
        description = "Print a checkpoint's format, config, parameter count, dtypes and tokenizer.")
public final class InfoCommand implements Callable<Integer> {
    @Option(
            names = {"-m", "--model"},
            required = true,
            paramLabel = "MODEL",
            description = "A Hugging Face checkpoint directory (config.json + safetensors), a .safetensors file with "
                    + "config.json beside it, a llama2.c .bin file, a .gguf file, or embedded:cllm / embedded:teacher.")
    ModelLocation location;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Path model = location.path();
        Checkpoints.Format format = Checkpoints.detect(model);
        ModelWeights weights = Checkpoints.load(model);
        LlamaConfig c = weights.config();
        line(
                out,
                "model",
                location.embeddedName() == null
                        ? model.toAbsolutePath().normalize()
                        : location + " (" + model.toAbsolutePath().normalize() + ")");
        line(out, "format", format);
        line(out, "architecture", "llama");
        line(out, "hidden_size", c.dim());
        line(out, "intermediate_size", c.hiddenDim());
        line(out, "num_hidden_layers", c.nLayers());
        line(out, "num_attention_heads", c.nHeads());
        line(out, "num_key_value_heads", c.nKvHeads());
        line(out, "head_dim", c.headDim());
        line(out, "vocab_size", c.vocabSize());
        line(out, "max_position_embeddings", c.maxSeqLen());
        line(out, "rope_theta", c.ropeTheta());
        line(out, "rms_norm_eps", c.normEps());
        line(out, "tie_word_embeddings", c.tiedEmbeddings());
        line(out, "bos_token_id", c.bosTokenId() < 0 ? "none" : c.bosTokenId());
        line(out, "eos_token_id", c.eosTokenId() < 0 ? "none" : c.eosTokenId());
        long params = c.parameterCount();
        line(out, "parameters", String.format(Locale.ROOT, "%d (%s)", params, human(params)));
        line(out, "tensors", weights.tensors().size());
        line(out, "dtypes", dtypes(weights));
        if (format == Checkpoints.Format.GGUF) {
            GgufInfo.print(model, (key, value) -> line(out, key, value));
            out.flush();
            return 0;
        }
        Optional<Path> tokenizerFile = Checkpoints.tokenizerFile(model);
        if (tokenizerFile.isEmpty()) {
            line(out, "tokenizer", "none (token ids only)");
        } else {
            try (HfTokenizer t = Tokenizers.load(tokenizerFile.get(), c)) {
                line(out, "tokenizer", t.file());
                line(
                        out,
                        "tokenizer_vocab",
                        t.vocabSize()
                                + (t.vocabSize() > c.vocabSize()
                                        ? " (larger than the model's vocab_size " + c.vocabSize() + "!)"
                                        : ""));
                line(out, "tokenizer_bos", token(t.bosId(), t.bosToken()));
                line(out, "tokenizer_eos", token(t.eosId(), t.eosToken()));
            }
        }
        out.flush();
        return 0;
    }

    private static String token(int id, String text) {
        if (id < 0) return "none";
        return text == null ? Integer.toString(id) : id + " " + text;
    }

    private static String dtypes(ModelWeights weights) {
        Map<DType, Integer> counts = new EnumMap<>(DType.class);
        for (Tensor t : weights.tensors().values()) counts.merge(t.dtype(), 1, Integer::sum);
        StringBuilder sb = new StringBuilder();
        counts.forEach((d, n) -> sb.append(sb.length() == 0 ? "" : ", ")
                .append(d)
                .append(" (")
                .append(n)
                .append(n == 1 ? " tensor)" : " tensors)"));
        return sb.toString();
    }

    static String human(long n) {
        if (n >= 1_000_000_000L) return String.format(Locale.ROOT, "%.2fB", n / 1e9);
        if (n >= 1_000_000L) return String.format(Locale.ROOT, "%.2fM", n / 1e6);
        if (n >= 1_000L) return String.format(Locale.ROOT, "%.2fK", n / 1e3);
        return Long.toString(n);
    }

    private static void line(PrintWriter out, String key, Object value) {
        out.printf(Locale.ROOT, "%-24s %s%n", key + ":", value);
    }
}
