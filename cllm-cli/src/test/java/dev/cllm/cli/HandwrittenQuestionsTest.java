package dev.cllm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cllm.data.MathGenerator;
import dev.cllm.data.MathProblem;
import dev.cllm.data.Split;
import dev.cllm.demo.HandwrittenQuestions;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The handwritten questions load, each with an integer answer, none twice, none the generator's. */
class HandwrittenQuestionsTest {
    static final int COUNT = 50;

    @Test
    void loadAndDifferFromTheGeneratedOnes() {
        List<MathProblem> questions = HandwrittenQuestions.load();
        assertEquals(COUNT, questions.size());
        Set<String> seen = new HashSet<>();
        for (MathProblem q : questions) {
            assertTrue(q.finalAnswer().matches("\\d+"), q.question());
            assertTrue(seen.add(q.question()), "twice: " + q.question());
        }
        Set<String> generated = new HashSet<>();
        for (Split split : Split.values()) {
            for (MathProblem p : new MathGenerator(split, 1).generate(20_000)) generated.add(p.question());
        }
        for (MathProblem q : questions) assertFalse(generated.contains(q.question()), "generated: " + q.question());
    }
}
