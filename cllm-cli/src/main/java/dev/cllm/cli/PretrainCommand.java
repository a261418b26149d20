package dev.cllm.cli;

import com.google.gson.JsonObject;
import dev.cllm.CllmException;
import dev.cllm.data.MathDatasets;
import dev.cllm.model.LlamaConfig;
import dev.cllm.model.ModelWeights;
import dev.cllm.tokenizer.Tokenizer;
import dev.cllm.tokenizer.Tokenizers;
import dev.cllm.torch.TorchLlama;
import dev.cllm.torch.TorchRuntime;
import dev.cllm.train.PretrainInit;
import dev.cllm.train.PretrainTask;
import dev.cllm.train.Trainer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code cllm pretrain}: trains a Llama model from scratch on a text corpus (the teacher of the demo). */
@Command(
        name = "pretrain",
        mixinStandardHelpOptions = true,
        description = "Train a Llama model from scratch on a plain-text corpus of documents, each ending with </s> "
                + "and a newline (cllm data math --format text), with next-token loss.")
public final class PretrainCommand implements Callable<Integer> {
    @Option(names = "--tokenizer", required = true, paramLabel = "FILE", description = "tokenizer.json")
    Path tokenizer;

    @Option(names = "--corpus", required = true, paramLabel = "FILE", description = "Corpus text file.")
    Path corpus;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder.")
    Path out;

    @Option(names = "--dim", defaultValue = "256", description = "Model width (default: ${DEFAULT-VALUE}).")
    int dim;

    @Option(names = "--layers", defaultValue = "4", description = "Layers (default: ${DEFAULT-VALUE}).")
    int layers;

    @Option(names = "--heads", defaultValue = "8", description = "Query heads (default: ${DEFAULT-VALUE}).")
    int heads;

    @Option(names = "--kv-heads", defaultValue = "4", description = "Key/value heads (default: ${DEFAULT-VALUE}).")
    int kvHeads;

    @Option(names = "--hidden", defaultValue = "688", description = "SwiGLU width (default: ${DEFAULT-VALUE}).")
    int hidden;

    @Option(
            names = "--max-seq-len",
            defaultValue = "512",
            description = "Context length of the model (default: ${DEFAULT-VALUE}).")
    int maxSeqLen;

    @Option(names = "--seq-len", defaultValue = "256", description = "Training row length (default: ${DEFAULT-VALUE}).")
    int seqLen;

    @Option(
            names = "--dtype",
            defaultValue = "bf16",
            description = "dtype of the saved model (default: ${DEFAULT-VALUE}).")
    String dtype;

    @Mixin
    TrainingOptions training;

    @Override
    public Integer call() throws IOException {
        if (seqLen < 2) throw new IllegalArgumentException("--seq-len must be >= 2, got " + seqLen);
        if (training.threads > 0) TorchRuntime.setThreads(1, training.threads);
        Tokenizer tok = Tokenizers.load(tokenizer);
        if (tok.eosId() < 0 || tok.bosId() < 0)
            throw new IllegalArgumentException(tokenizer + " defines no BOS/EOS token");
        String text;
        try {
            text = Files.readString(corpus, StandardCharsets.UTF_8);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException("corpus not found: " + corpus);
        }
        List<String> docs = MathDatasets.corpusDocuments(text);
        if (docs.isEmpty()) throw CllmException.badFormat(corpus, "holds no documents ending with </s>");
        List<int[]> ids = new ArrayList<>(docs.size());
        long tokens = 0;
        for (String d : docs) {
            int[] enc = tok.encode(d);
            int[] doc = java.util.Arrays.copyOf(enc, enc.length + 1);
            doc[enc.length] = tok.eosId();
            ids.add(doc);
            tokens += doc.length;
        }
        LlamaConfig config = new LlamaConfig(
                dim,
                hidden,
                layers,
                heads,
                kvHeads,
                dim / heads,
                tok.vocabSize(),
                maxSeqLen,
                10000f,
                1e-5f,
                true,
                tok.bosId(),
                tok.eosId());
        ModelWeights init = PretrainInit.create(config, training.seed);
        Trainer.Settings settings = training.settings(2e-3, 1800);
        System.err.printf(
                Locale.ROOT,
                "pretrain: %d documents, %,d tokens; model of %,d parameters; %d steps x %d x %d "
                        + "tokens = %.1f epochs%n",
                docs.size(),
                tokens,
                config.parameterCount(),
                settings.steps(),
                settings.batchSize() * settings.accumulation(),
                seqLen,
                (double) settings.steps() * settings.batchSize() * settings.accumulation() * seqLen / tokens);
        JsonObject info = new JsonObject();
        info.addProperty("command", training.commandLine());
        info.addProperty("corpus", corpus.toString());
        info.addProperty("documents", docs.size());
        info.addProperty("tokens", tokens);
        info.addProperty("parameters", config.parameterCount());
        info.addProperty("seq_len", seqLen);
        try (TorchLlama model = TorchLlama.fromWeights(init)) {
            Trainer.Summary s = new Trainer(
                            model,
                            new PretrainTask(ids, seqLen),
                            settings,
                            out,
                            tokenizer,
                            TrainCommand.parseDtype(dtype))
                    .run(training.start(), info);
            System.err.printf(
                    Locale.ROOT,
                    "pretrain: %d steps in %.1f s (%.2f steps/s), final loss %.4f; model in %s%n",
                    s.steps() - s.firstStep(),
                    s.seconds(),
                    s.stepsPerSecond(),
                    s.lastValues()[0],
                    out);
        }
        return 0;
    }
}
