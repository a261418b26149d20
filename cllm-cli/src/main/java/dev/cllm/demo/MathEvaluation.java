package dev.cllm.demo;

import dev.cllm.Decoding;
import dev.cllm.Generation;
import dev.cllm.Session;
import dev.cllm.data.AnswerChecker;
import dev.cllm.data.MathProblem;
import dev.cllm.data.MathPrompt;
import dev.cllm.decode.DecodeStats;
import dev.cllm.decode.StopReason;
import dev.cllm.util.ProgressBar;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a model over math questions with one decoding setting: accuracy (the number after ####), the
 * decoding statistics summed over all questions, and the generated token ids (to compare decoders).
 */
public final class MathEvaluation {
    /**
     * The outcome over all questions; limitHits counts the answers that ran to the token limit instead of
     * ending (end-of-sequence), the sign of a model caught in a loop.
     */
    public record Result(int questions, int correct, int limitHits, DecodeStats stats, List<int[]> outputs) {
        public double accuracy() {
            return questions == 0 ? 0 : (double) correct / questions;
        }

        /** Fraction of questions whose output equals other's output for the same question. */
        public double agreement(Result other) {
            int same = 0;
            for (int i = 0; i < outputs.size(); i++)
                if (java.util.Arrays.equals(outputs.get(i), other.outputs.get(i))) same++;
            return outputs.isEmpty() ? 0 : (double) same / outputs.size();
        }
    }

    private MathEvaluation() {}

    public static Result run(Session session, List<MathProblem> problems, Decoding decoding, String label) {
        int correct = 0, limitHits = 0;
        DecodeStats total = DecodeStats.ZERO;
        List<int[]> outputs = new ArrayList<>();
        try (ProgressBar bar = label == null ? null : new ProgressBar(label, problems.size())) {
            for (MathProblem p : problems) {
                Generation g = session.generate(MathPrompt.format(p.question()), decoding, null);
                if (AnswerChecker.isCorrect(g.text(), p.finalAnswer())) correct++;
                if (g.stopReason() == StopReason.MAX_TOKENS) limitHits++;
                total = total.plus(g.stats());
                outputs.add(g.tokens());
                if (bar != null) {
                    bar.step(String.format(
                            java.util.Locale.ROOT,
                            "acc %.1f%% %.0f tok/s",
                            100.0 * correct / outputs.size(),
                            total.tokensPerSecond()));
                }
            }
        }
        return new Result(problems.size(), correct, limitHits, total, outputs);
    }
}
