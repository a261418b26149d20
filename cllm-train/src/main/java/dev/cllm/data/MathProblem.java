package dev.cllm.data;

/**
 * One generated grade-school math problem.
 *
 * @param question the question in plain English
 * @param answer the step-by-step solution with inline calculations ({@code 48/2 = <<48/2=24>>24}); its last
 *     line is {@code #### } followed by the final answer
 * @param finalAnswer the final answer as written after {@code ####} (an integer, no separators)
 * @param family the problem family that produced it
 * @param phrasing the index of the question phrasing within the family
 * @param heldOutPhrasing whether that phrasing is reserved for the test split
 * @param steps the number of inline calculations in the solution
 */
public record MathProblem(
        String question,
        String answer,
        String finalAnswer,
        String family,
        int phrasing,
        boolean heldOutPhrasing,
        int steps) {

    /** The prompt of this problem, {@link MathPrompt#format(String)}. */
    public String prompt() {
        return MathPrompt.format(question);
    }

    /** Prompt plus solution, {@link MathPrompt#formatWithAnswer(String, String)} (EOS not included). */
    public String promptWithAnswer() {
        return MathPrompt.formatWithAnswer(question, answer);
    }
}
