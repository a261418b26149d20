package dev.cllm.data;

/**
 * One line of a math JSONL file: {@code {"question": ..., "answer": full solution, "final": "72"}}.
 *
 * @param question the question
 * @param answer the full solution, ending with the line {@code #### 72}
 * @param finalAnswer the gold final answer ("final" in the file)
 */
public record MathExample(String question, String answer, String finalAnswer) {
    /** {@link MathPrompt#format(String)} of the question. */
    public String prompt() {
        return MathPrompt.format(question);
    }

    /** {@link MathPrompt#formatWithAnswer(String, String)} (EOS not included). */
    public String promptWithAnswer() {
        return MathPrompt.formatWithAnswer(question, answer);
    }
}
