package dev.cllm.spark;

import dev.cllm.data.MathDatasets;
import dev.cllm.data.MathGenerator;
import dev.cllm.data.MathProblem;
import dev.cllm.data.Split;
import dev.cllm.model.CheckpointWriter;
import dev.cllm.model.DType;
import dev.cllm.model.LlamaConfig;
import dev.cllm.model.RandomWeights;
import dev.cllm.tokenizer.BpeTrainer;
import dev.cllm.tokenizer.ByteBpeTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A tiny random teacher with a tokenizer trained here, and math prompts for it (the tests' fixture). */
final class TinyTeacher {
    private TinyTeacher() {}

    /** Writes the model to dir/model and returns that directory. */
    static Path model(Path dir) throws IOException {
        StringBuilder text = new StringBuilder();
        for (MathProblem p : new MathGenerator(Split.TRAIN, 3).generate(300))
            text.append(p.promptWithAnswer()).append('\n');
        ByteBpeTokenizer tokenizer = new BpeTrainer().vocabSize(300).train(text);
        Path tokenizerFile = dir.resolve("tokenizer-source.json");
        tokenizer.save(tokenizerFile);
        LlamaConfig config = new LlamaConfig(
                48,
                96,
                2,
                4,
                2,
                12,
                tokenizer.vocabSize(),
                256,
                10000f,
                1e-5f,
                false,
                tokenizer.bosId(),
                tokenizer.eosId());
        Path model = dir.resolve("model");
        CheckpointWriter.write(RandomWeights.create(config, 91), model, DType.F32, tokenizerFile);
        return model;
    }

    /**
     * count math prompts with answers as JSONL; a blank line after the second prompt checks that ids count
     * prompts, not lines.
     */
    static Path prompts(Path file, int count, long seed) throws IOException {
        List<String> lines = new ArrayList<>();
        for (MathProblem p : new MathGenerator(Split.TEST, seed).generate(count)) {
            lines.add(MathDatasets.toPromptJson(p));
            if (lines.size() == 2) lines.add("");
        }
        Files.write(file, lines);
        return file;
    }
}
