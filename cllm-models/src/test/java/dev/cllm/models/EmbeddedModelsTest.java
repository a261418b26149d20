package dev.cllm.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cllm.Decoding;
import dev.cllm.Device;
import dev.cllm.Generation;
import dev.cllm.Model;
import dev.cllm.Session;
import dev.cllm.WeightType;
import dev.cllm.data.AnswerChecker;
import dev.cllm.data.MathGenerator;
import dev.cllm.data.MathProblem;
import dev.cllm.data.MathPrompt;
import dev.cllm.data.Split;
import dev.cllm.decode.StopReason;
import dev.cllm.engine.NativeSession;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The models shipped in the jar: present, loadable, and decoding losslessly with Jacobi. */
class EmbeddedModelsTest {
    @Test
    void bothModelsShipAndExtract() {
        for (String name : EmbeddedModels.names()) {
            assertTrue(EmbeddedModels.available(name), name + " is in the jar");
            var dir = EmbeddedModels.path(name);
            assertTrue(Files.exists(dir.resolve("model.safetensors")) && Files.exists(dir.resolve("tokenizer.json")));
            assertEquals(dir, EmbeddedModels.path(name), "extracted once");
        }
        assertThrows(IllegalArgumentException.class, () -> EmbeddedModels.path("nope"));
    }

    /** The README's "From Java" example, as written there (the embedded CLLM has a 512-token context). */
    @Test
    void theReadmeExampleRuns() {
        StringBuilder streamed = new StringBuilder();
        try (Model model = EmbeddedModels.load(EmbeddedModels.CLLM, Device.auto());
                Session session = model.newSession()) {
            Generation g = session.generate(
                    "Question: Tom has 5 apples and buys 7 more. How many apples does he have?\nAnswer:",
                    Decoding.jacobi(16).withMaxNewTokens(256),
                    token -> streamed.append(token.text()));
            assertEquals(g.text(), streamed.toString());
            assertTrue(g.stats().tokensPerIteration() >= 1.0, g.stats().toString());
            assertEquals(model.config().maxSeqLen(), session.capacity());
        }
    }

    @Test
    void theCllmSolvesQuestionsAndJacobiEqualsAr() {
        List<MathProblem> problems = new MathGenerator(Split.TEST, 99).generate(8);
        int correct = 0;
        int endedWithEos = 0;
        try (Model model = EmbeddedModels.load(EmbeddedModels.CLLM, Device.cpu());
                Session session = model.newSession()) {
            for (MathProblem p : problems) {
                String prompt = MathPrompt.format(p.question());
                Generation ar = session.generate(prompt, Decoding.ar(), null);
                Generation jacobi = session.generate(prompt, Decoding.jacobi(16), null);
                assertArrayEquals(ar.tokens(), jacobi.tokens(), p.question());
                assertEquals(ar.text(), jacobi.text());
                // A small CLLM sometimes falls into a repetition loop (a known CLLM failure mode) and runs to
                // the token limit; most answers must still end the way the training data does.
                if (ar.stopReason() == StopReason.EOS && ar.text().contains("####")) endedWithEos++;
                if (AnswerChecker.isCorrect(ar.text(), p.finalAnswer())) correct++;
            }
        }
        assertTrue(
                endedWithEos >= 5, "most answers end with '#### n' and end-of-sequence, got " + endedWithEos + " of 8");
        assertTrue(correct >= 2, "a trained model solves some of 8 questions, got " + correct);
    }

    /**
     * The CLLM at each weight type: logits against its f32 logits (the errors are printed; the README quotes
     * them) and Jacobi == AR. The model's own type is bf16, so f32 holds exactly its values.
     */
    @Test
    void theCllmAtEveryWeightTypeStaysCloseToF32AndJacobiEqualsAr() {
        List<MathProblem> problems = new MathGenerator(Split.TEST, 7).generate(3);
        float[] reference = null;
        for (WeightType type : WeightType.values()) {
            try (Model model = EmbeddedModels.load(EmbeddedModels.CLLM, Device.cpu(), type);
                    Session session = model.newSession(512)) {
                assertEquals(type, model.weightType());
                int[] prompt = model.tokenizer()
                        .encode(MathPrompt.format(problems.get(0).question()));
                float[] logits;
                try (NativeSession raw = model.engine().newSession(prompt.length)) {
                    logits = raw.forward(prompt, true);
                }
                if (reference == null) {
                    reference = logits;
                } else {
                    double diff = 0, scale = 0;
                    for (int i = 0; i < logits.length; i++) {
                        diff = Math.max(diff, Math.abs((double) logits[i] - reference[i]));
                        scale = Math.max(scale, Math.abs(reference[i]));
                    }
                    System.out.printf(
                            "embedded CLLM, %s weights: logits relative error %.3g vs f32 (%d positions)%n",
                            type.cliName(), diff / scale, prompt.length);
                    assertTrue(diff / scale < (type == WeightType.BF16 ? 1.5e-2 : 4e-2), type + ": " + diff / scale);
                }
                for (MathProblem p : problems) {
                    String text = MathPrompt.format(p.question());
                    Generation ar = session.generate(text, Decoding.ar().withMaxNewTokens(96), null);
                    Generation jacobi =
                            session.generate(text, Decoding.jacobi(16).withMaxNewTokens(96), null);
                    assertArrayEquals(ar.tokens(), jacobi.tokens(), type + ": " + p.question());
                }
            }
        }
    }
}
