package dev.cllm.cli;

import dev.cllm.Cllm;
import dev.cllm.Decoding;
import dev.cllm.Device;
import dev.cllm.models.EmbeddedModels;
import dev.cllm.Generation;
import dev.cllm.Model;
import dev.cllm.Session;
import dev.cllm.WeightType;
import dev.cllm.data.AnswerChecker;
import dev.cllm.data.MathGenerator;
import dev.cllm.data.MathProblem;
import dev.cllm.data.MathPrompt;
import dev.cllm.data.Split;
import dev.cllm.decode.InitialGuess;
import dev.cllm.decode.WindowMode;
import dev.cllm.demo.DemoReport;
import dev.cllm.demo.DemoRow;
import dev.cllm.demo.JacobiTrace;
import dev.cllm.demo.MathEvaluation;
import dev.cllm.demo.TraceRenderer;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code cllm demo}: the embedded teacher and CLLM on held-out math questions. Teacher with AR, teacher
 * with Jacobi, CLLM with AR and with Jacobi: accuracy, tokens per iteration, tokens/s, speedup over the
 * teacher's AR, and agreement with the same model's AR output. Then one question drawn live.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Compare the embedded teacher (AR, Jacobi) and CLLM (AR, Jacobi) on held-out grade-school math "
                + "questions, then draw the CLLM's Jacobi iterations on one question.")
public final class DemoCommand implements Callable<Integer> {
    @Option(names = "--questions", defaultValue = "100", description = "Held-out test questions (default: ${DEFAULT-VALUE}).")
    int questions;

    @Option(names = "--block", defaultValue = "16", description = "Jacobi block size n (default: ${DEFAULT-VALUE}).")
    int block;

    @Option(names = "--window", defaultValue = "refill", description = "Jacobi window: refill or shrink (default: ${DEFAULT-VALUE}).")
    String window;

    @Option(names = "--max-new-tokens", defaultValue = "256", description = "Token limit per answer (default: ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Option(names = "--seed", defaultValue = "2026", description = "Seed of the test questions (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--teacher", paramLabel = "PATH", description = "Teacher checkpoint (default: the embedded one).")
    Path teacher;

    @Option(names = "--cllm", paramLabel = "PATH", description = "CLLM checkpoint (default: the embedded one).")
    Path cllm;

    @Option(names = "--device", defaultValue = "auto", description = "auto, cpu, cuda or cuda:N (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--weights", paramLabel = "TYPE", description = "Weight type the engine computes with: f32, bf16 "
            + "or q8_0 (default: the checkpoint's own).")
    String weights;

    @Option(names = "--json", paramLabel = "FILE", description = "Write the table as JSON.")
    Path json;

    @Option(names = "--html", paramLabel = "FILE", description = "Write the live question's iterations as an HTML page.")
    Path html;

    @Option(names = "--no-live", description = "Skip drawing one question's iterations.")
    boolean noLive;

    @Override
    public Integer call() throws IOException {
        if (questions < 1) throw new IllegalArgumentException("--questions must be >= 1");
        if (block < 1) throw new IllegalArgumentException("--block must be >= 1");
        WindowMode mode = switch (window.toLowerCase(Locale.ROOT)) {
            case "refill" -> WindowMode.REFILL;
            case "shrink" -> WindowMode.SHRINK;
            default -> throw new IllegalArgumentException("--window must be refill or shrink, got '" + window + "'");
        };
        Device target = Device.parse(device);
        WeightType weightType = weights == null ? null : WeightType.parse(weights);
        List<MathProblem> problems = new MathGenerator(Split.TEST, seed).generate(questions);
        Decoding ar = Decoding.ar().withMaxNewTokens(maxNewTokens);
        Decoding jacobi = Decoding.jacobi(block).withMaxNewTokens(maxNewTokens).withWindow(mode)
                .withInitialGuess(InitialGuess.random(seed));
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        List<DemoRow> rows = new ArrayList<>();
        try (Model teacherModel = open(teacher, EmbeddedModels.TEACHER, target, weightType);
             Model cllmModel = open(cllm, EmbeddedModels.CLLM, target, weightType)) {
            out.printf(Locale.ROOT, "cllm demo: %d held-out questions, Jacobi n=%d (%s window), on %s, %s weights%n",
                    questions, block, mode.name().toLowerCase(Locale.ROOT), cllmModel.device(), cllmModel.weightType().cliName());
            out.printf(Locale.ROOT, "teacher: %s (%,d parameters); CLLM: %s%n%n", teacherModel.name(),
                    teacherModel.config().parameterCount(), cllmModel.name());
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
            if (json != null) Files.writeString(json, DemoReport.json(rows));
            if (!noLive || html != null) live(cllmModel, problems.get(0), jacobi, out, !noLive);
        }
        return 0;
    }

    private static Model open(Path path, String embedded, Device device, WeightType weights) {
        return path != null ? Cllm.load(path, device, weights) : EmbeddedModels.load(embedded, device, weights);
    }

    private int capacity(Model m) {
        return Math.min(m.config().maxSeqLen(), 160 + maxNewTokens);
    }

    private static DemoRow row(String mode, String model, MathEvaluation.Result r, MathEvaluation.Result ar, double base) {
        return new DemoRow(mode, model, r.questions(), r.accuracy(), r.stats().tokensPerIteration(),
                r.stats().tokensPerSecond(), base == 0 ? 0 : r.stats().tokensPerSecond() / base, r.agreement(ar));
    }

    /** Draws the CLLM's Jacobi iterations on one question (and writes the HTML page when asked). */
    private void live(Model model, MathProblem problem, Decoding jacobi, PrintStream out, boolean print) throws IOException {
        JacobiTrace trace = new JacobiTrace();
        Generation g;
        try (Session s = model.newSession(capacity(model))) {
            g = s.generate(model.tokenizer().encode(MathPrompt.format(problem.question())), jacobi, null, trace);
        }
        TraceRenderer renderer = new TraceRenderer(trace, id -> model.tokenizer().decode(new int[] {id}));
        if (print) {
            boolean colour = System.console() != null && System.getenv("NO_COLOR") == null;
            out.printf(Locale.ROOT, "%nOne question, every Jacobi iteration of the CLLM (%s):%n%s%n%n", colour
                    ? "\u001b[32mfinal\u001b[0m, \u001b[36mguess already right\u001b[0m, \u001b[31mguess that will change\u001b[0m"
                    : "final text, then [guesses], ~ marks a guess that will change", MathPrompt.format(problem.question()));
            renderer.printIterations(out, colour, 60);
            out.printf(Locale.ROOT, "%n%d tokens in %d iterations (%.2f tokens/iteration); answer %s, expected %s%n",
                    g.tokens().length, g.stats().iterations(), g.stats().tokensPerIteration(),
                    AnswerChecker.finalAnswer(g.text()).map(Object::toString).orElse("none"), problem.finalAnswer());
        }
        if (html != null) {
            Files.writeString(html, renderer.html("CLLM Jacobi decoding, one question", MathPrompt.format(problem.question())));
            out.println("wrote " + html);
        }
    }
}
