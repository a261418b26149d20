package dev.cllm.cli;

import dev.cllm.tokenizer.BpeTrainer;
import dev.cllm.tokenizer.ByteBpeTokenizer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cllm tokenizer}: tokenizer tools. */
@Command(
        name = "tokenizer",
        mixinStandardHelpOptions = true,
        description = "Tokenizer tools.",
        subcommands = {TokenizerCommand.Train.class})
public final class TokenizerCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required (train)");
    }

    /** {@code cllm tokenizer train}: byte-level BPE on a text file, written as a Hugging Face tokenizer.json. */
    @Command(
            name = "train",
            mixinStandardHelpOptions = true,
            description = "Train a byte-level BPE tokenizer (digits split one per token; <s>=0 BOS, </s>=1 EOS, "
                    + "<pad>=2) on a UTF-8 text file and write a Hugging Face tokenizer.json.")
    static final class Train implements Callable<Integer> {
        @Option(
                names = "--input",
                required = true,
                description = "UTF-8 training text (e.g. from cllm data math --format text)")
        Path input;

        @Option(
                names = "--vocab",
                defaultValue = "1024",
                description = "vocabulary size incl. specials and bytes (default ${DEFAULT-VALUE})")
        int vocab;

        @Option(
                names = "--min-frequency",
                defaultValue = "2",
                description = "least count of a merged pair (default ${DEFAULT-VALUE})")
        int minFrequency;

        @Option(names = "--out", required = true, description = "tokenizer.json to write")
        Path out;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            long t0 = System.nanoTime();
            ByteBpeTokenizer tok =
                    new BpeTrainer().vocabSize(vocab).minFrequency(minFrequency).trainFile(input);
            tok.save(out);
            spec.commandLine()
                    .getErr()
                    .printf(
                            "trained %d tokens (%d merges) in %.1f s; wrote %s%n",
                            tok.vocabSize(), tok.mergeCount(), (System.nanoTime() - t0) / 1e9, out);
            if (tok.vocabSize() < vocab) {
                spec.commandLine()
                        .getErr()
                        .printf(
                                "note: the text has no more pairs occurring %d+ times; " + "vocabulary is %d, not %d%n",
                                minFrequency, tok.vocabSize(), vocab);
            }
            return 0;
        }
    }
}
