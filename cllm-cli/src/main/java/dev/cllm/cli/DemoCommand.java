package dev.cllm.cli;

import dev.cllm.Decoding;
import dev.cllm.Device;
import dev.cllm.Generation;
import dev.cllm.Model;
import dev.cllm.Session;
import dev.cllm.data.AnswerChecker;
import dev.cllm.data.MathGenerator;
import dev.cllm.data.MathProblem;
import dev.cllm.data.MathPrompt;
import dev.cllm.data.Split;
import dev.cllm.demo.DemoReport;
import dev.cllm.demo.DemoRow;
import dev.cllm.demo.HandwrittenQuestions;
import dev.cllm.demo.JacobiTrace;
import dev.cllm.demo.MathEvaluation;
import dev.cllm.demo.TraceRenderer;
import java.io.IOException;
import java.io.PrintStream;
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

/**
 * {@code cllm demo}: the embedded teacher and CLLM on held-out math questions. Teacher with AR, teacher
 * with Jacobi, CLLM with AR and with Jacobi: accuracy, tokens per iteration, tokens/s, speedup over the
 * teacher's AR, and agreement with the same model's AR output. Then one question drawn live.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = "Compare the embedded teacher (AR, Jacobi) and CLLM (AR, Jacobi) on held-out grade-school math "
                + "questions, then draw the CLLM's Jacobi iterations on one question.")
public final class DemoCommand implements Callable<Integer> {
    @Option(
            names = "--questions",
            defaultValue = "100",
            description = "Held-out test questions (default: ${DEFAULT-VALUE}).")
    int questions;

    @Mixin
    DecodingOptions decoding = new DecodingOptions(DecodingOptions.AUTO, 256, 2026);

    @Mixin
    WindowOptions window;

    @Option(
            names = "--teacher",
            paramLabel = "MODEL",
            defaultValue = "embedded:teacher",
            description = "Teacher checkpoint (default: ${DEFAULT-VALUE}).")
    ModelLocation teacher;

    @Option(
            names = "--cllm",
            paramLabel = "MODEL",
            defaultValue = "embedded:cllm",
            description = "CLLM checkpoint (default: ${DEFAULT-VALUE}).")
    ModelLocation cllm;

    @Mixin
    DeviceOption device;

    @Mixin
    WeightsOption weights;

    @Option(names = "--json", paramLabel = "FILE", description = "Write the table as JSON.")
    Path json;

    @Option(
            names = "--html",
            paramLabel = "FILE",
            description = "Write the live question's iterations as an HTML page.")
    Path html;

    @Option(names = "--no-live", description = "Skip drawing one question's iterations.")
    boolean noLive;

    @Option(
            names = "--no-handwritten",
            description = "Skip the questions written by hand (outside the generator's "
                    + "families), on which the teacher's AR and the CLLM's Jacobi are compared too.")
    boolean noHandwritten;

    @Override
    public Integer call() throws IOException {
        if (questions < 1) throw new IllegalArgumentException("--questions must be >= 1, got " + questions);
        Decoding ar = decoding.ar();
        Decoding jacobi = decoding.jacobi(window);
        Device target = device.device();
        List<MathProblem> problems = new MathGenerator(Split.TEST, decoding.seed()).generate(questions);
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        List<DemoRow> rows = new ArrayList<>();
        try (Model teacherModel = teacher.open(target, weights.weightType());
                Model cllmModel = cllm.open(target, weights.weightType())) {
            int block = decoding.blockSizeOrAuto();
            out.printf(
                    Locale.ROOT,
                    "cllm demo: %d held-out questions, Jacobi n=%s (%s window), on %s, %s weights%n",
                    questions,
                    block == Decoding.AUTO_BLOCK ? "auto" : block,
                    window.mode().name().toLowerCase(Locale.ROOT),
                    cllmModel.device(),
                    cllmModel.weightType().cliName());
            out.printf(
                    Locale.ROOT,
                    "teacher: %s (%,d parameters); CLLM: %s%n%n",
                    teacherModel.name(),
                    teacherModel.config().parameterCount(),
                    cllmModel.name());
            MathEvaluation.Result teacherAr, teacherJacobi, cllmAr, cllmJacobi;
            try (Session s = teacherModel.newSession(capacity(teacherModel))) {
                teacherAr = MathEvaluation.run(s, problems, ar, "teacher ar    ");
                teacherJacobi = MathEvaluation.run(s, problems, jacobi, "teacher jacobi");
            }
            try (Session s = cllmModel.newSession(capacity(cllmModel))) {
                cllmAr = MathEvaluation.run(s, problems, ar, "cllm ar       ");
                cllmJacobi = MathEvaluation.run(s, problems, jacobi, "cllm jacobi   ");
            }
            double base = teacherAr.stats().tokensPerSecond();
            rows.add(row("ar", "teacher", teacherAr, teacherAr, base));
            rows.add(row("jacobi", "teacher", teacherJacobi, teacherAr, base));
            rows.add(row("ar", "cllm", cllmAr, cllmAr, base));
            rows.add(row("jacobi", "cllm", cllmJacobi, cllmAr, base));
            out.print(DemoReport.table(rows));
            out.print(DemoReport.speedup(cllmJacobi.stats(), teacherAr.stats()));
            if (!noHandwritten) rows.addAll(handwritten(teacherModel, cllmModel, ar, jacobi, out));
            if (json != null) Files.writeString(json, DemoReport.json(rows));
            if (!noLive || html != null) live(cllmModel, problems.get(0), jacobi, out, !noLive);
        }
        return 0;
    }

    /**
     * Questions written by hand, outside the generator's families, phrasings and numbers
     * ({@link HandwrittenQuestions}): the CLLM must stay as well-behaved there as its teacher, above all end
     * its answers instead of running to the token limit.
     */
    private List<DemoRow> handwritten(
            Model teacherModel, Model cllmModel, Decoding ar, Decoding jacobi, PrintStream out) {
        List<MathProblem> questions = HandwrittenQuestions.load();
        MathEvaluation.Result teacherAr, cllmJacobi;
        try (Session s = teacherModel.newSession(capacity(teacherModel))) {
            teacherAr = MathEvaluation.run(s, questions, ar, "handwritten: teacher ar");
        }
        try (Session s = cllmModel.newSession(capacity(cllmModel))) {
            cllmJacobi = MathEvaluation.run(s, questions, jacobi, "handwritten: cllm jacobi");
        }
        double base = teacherAr.stats().tokensPerSecond();
        List<DemoRow> rows = List.of(
                row("ar", "teacher-h", teacherAr, teacherAr, base),
                row("jacobi", "cllm-h", cllmJacobi, cllmJacobi, base));
        out.printf(
                Locale.ROOT,
                "%n%d questions written by hand (other phrasings, numbers and topics than the generator's):%n",
                questions.size());
        out.print(DemoReport.table(rows));
        return rows;
    }

    private int capacity(Model m) {
        return Math.min(m.config().maxSeqLen(), 160 + decoding.maxNewTokens());
    }

    private static DemoRow row(
            String mode, String model, MathEvaluation.Result r, MathEvaluation.Result ar, double base) {
        return new DemoRow(
                mode,
                model,
                r.questions(),
                r.accuracy(),
                r.stats().tokensPerIteration(),
                r.stats().tokensPerSecond(),
                base == 0 ? 0 : r.stats().tokensPerSecond() / base,
                r.agreement(ar),
                r.limitHits());
    }

    /** Draws the CLLM's Jacobi iterations on one question (and writes the HTML page when asked). */
    private void live(Model model, MathProblem problem, Decoding jacobi, PrintStream out, boolean print)
            throws IOException {
        JacobiTrace trace = new JacobiTrace();
        Generation g;
        try (Session s = model.newSession(capacity(model))) {
            g = s.generate(model.tokenizer().encode(MathPrompt.format(problem.question())), jacobi, null, trace);
        }
        TraceRenderer renderer =
                new TraceRenderer(trace, id -> model.tokenizer().decode(new int[] {id}));
        if (print) {
            boolean colour = System.console() != null && System.getenv("NO_COLOR") == null;
            out.printf(
                    Locale.ROOT,
                    "%nOne question, every Jacobi iteration of the CLLM (%s):%n%s%n%n",
                    colour
                            ? "\u001b[32mfinal\u001b[0m, \u001b[36mguess already right\u001b[0m, \u001b[31mguess that will change\u001b[0m"
                            : "final text, then [guesses], ~ marks a guess that will change",
                    MathPrompt.format(problem.question()));
            renderer.printIterations(out, colour, 60);
            out.printf(
                    Locale.ROOT,
                    "%n%d tokens in %d iterations (%.2f tokens/iteration, %s); answer %s, expected %s%n",
                    g.tokens().length,
                    g.stats().iterations(),
                    g.stats().tokensPerIteration(),
                    g.stats().blocks().summary(),
                    AnswerChecker.finalAnswer(g.text()).map(Object::toString).orElse("none"),
                    problem.finalAnswer());
        }
        if (html != null) {
            Files.writeString(
                    html, renderer.html("CLLM Jacobi decoding, one question", MathPrompt.format(problem.question())));
            out.println("wrote " + html);
        }
    }
}
