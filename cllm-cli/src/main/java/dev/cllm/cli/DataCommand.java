package dev.cllm.cli;

import dev.cllm.CllmException;
import dev.cllm.data.MathDatasets;
import dev.cllm.data.MathExample;
import dev.cllm.data.MathGenerator;
import dev.cllm.data.MathProblem;
import dev.cllm.data.Split;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cllm data}: generated data sets. */
@Command(
        name = "data",
        mixinStandardHelpOptions = true,
        description = "Generate and check data sets.",
        subcommands = {DataCommand.Math.class, DataCommand.Check.class})
public final class DataCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required (math, check)");
    }

    enum Format {
        jsonl,
        text,
        prompts
    }

    /** {@code cllm data math}: GSM8K-style problems as JSONL (or a plain-text corpus). */
    @Command(
            name = "math",
            mixinStandardHelpOptions = true,
            description = "Write generated grade-school math problems (GSM8K style) as JSONL "
                    + "{\"question\",\"answer\",\"final\"}, or as a plain-text pre-training corpus "
                    + "(Question: ...\\nAnswer: ...</s> per problem).")
    static final class Math implements Callable<Integer> {
        @Option(names = "--split", required = true, description = "train or test")
        String split;

        @Option(names = "--count", required = true, description = "number of problems")
        int count;

        @Option(names = "--seed", defaultValue = "1", description = "generator seed (default ${DEFAULT-VALUE})")
        long seed;

        @Option(names = "--out", required = true, description = "output file")
        Path out;

        @Option(
                names = "--format",
                defaultValue = "jsonl",
                description = "jsonl, text (a pre-training corpus) or prompts "
                        + "(JSONL {\"prompt\",\"answer\",\"final\"} in the pipeline's prompt format, the input of "
                        + "cllm trajectories) (default ${DEFAULT-VALUE})")
        Format format;

        @Option(names = "--meta", description = "also write family, phrasing, held_out and steps (JSONL only)")
        boolean meta;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            Split s = Split.parse(split);
            if (count < 0) throw new IllegalArgumentException("--count must be >= 0, got " + count);
            MathGenerator gen = new MathGenerator(s, seed);
            long t0 = System.nanoTime();
            try {
                Path parent = out.toAbsolutePath().getParent();
                if (parent != null) Files.createDirectories(parent);
                try (Writer w = new BufferedWriter(Files.newBufferedWriter(out, StandardCharsets.UTF_8), 1 << 16)) {
                    for (int i = 0; i < count; i++) {
                        MathProblem p = gen.problem(i);
                        if (format == Format.jsonl) {
                            w.write(MathDatasets.toJson(p, meta));
                            w.write('\n');
                        } else if (format == Format.prompts) {
                            w.write(MathDatasets.toPromptJson(p));
                            w.write('\n');
                        } else {
                            MathDatasets.writeCorpus(List.of(p), w);
                        }
                    }
                }
            } catch (IOException e) {
                throw new CllmException(CllmException.Status.IO, "cannot write " + out + ": " + e.getMessage(), e);
            }
            spec.commandLine()
                    .getErr()
                    .printf(
                            "wrote %d %s problems (seed %d) to %s in %.1f s%n",
                            count,
                            s.name().toLowerCase(java.util.Locale.ROOT),
                            seed,
                            out,
                            (System.nanoTime() - t0) / 1e9);
            return 0;
        }
    }

    /** {@code cllm data check}: no test question may appear in the train file. */
    @Command(
            name = "check",
            mixinStandardHelpOptions = true,
            description = "Check that no question of the test JSONL appears in the train JSONL (exit 1 if any does).")
    static final class Check implements Callable<Integer> {
        @Option(names = "--train", required = true, description = "train JSONL")
        Path train;

        @Option(names = "--test", required = true, description = "test JSONL")
        Path test;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            List<MathExample> tr = MathDatasets.readJsonl(train);
            List<MathExample> te = MathDatasets.readJsonl(test);
            Set<String> both = MathDatasets.overlap(
                    tr.stream().map(MathExample::question).toList(),
                    te.stream().map(MathExample::question).toList());
            if (!both.isEmpty()) {
                throw new CllmException(
                        CllmException.Status.BAD_FORMAT,
                        both.size() + " test questions appear in " + train + ", e.g. '"
                                + both.iterator().next() + "'");
            }
            spec.commandLine()
                    .getOut()
                    .printf("ok: %d train and %d test questions, none shared%n", tr.size(), te.size());
            return 0;
        }
    }
}
