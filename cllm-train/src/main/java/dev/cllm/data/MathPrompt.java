package dev.cllm.data;

/**
 * The one prompt format of the whole pipeline (teacher pre-training, trajectory collection, consistency
 * fine-tuning, evaluation).
 *
 * <pre>
 * prompt       = "Question: " + question + "\nAnswer:"
 * continuation = " " + solution              (the solution ends with the line "#### 72")
 * document     = prompt + continuation, followed by the EOS token
 * </pre>
 *
 * Token ids for a training document are {@code tokenizer.encode(formatWithAnswer(q, s))} (the tokenizer's
 * post-processor prepends BOS) followed by the tokenizer's EOS id. For the tokenizers of this project the
 * ids of {@link #format(String)} are a prefix of the ids of {@link #formatWithAnswer(String, String)}: the
 * prompt ends with ':' and the continuation starts with a space, which the pre-tokenizer always splits.
 * In plain-text corpora EOS is written as the literal text {@link #EOS_TEXT}, which the tokenizer maps to
 * the EOS id (it is a special added token), and documents are separated by {@link #DOC_SEPARATOR}.
 */
public final class MathPrompt {
    /** The text of the EOS special token, as it appears in plain-text corpora. */
    public static final String EOS_TEXT = "</s>";
    /** The text of the BOS special token. */
    public static final String BOS_TEXT = "<s>";
    /** The text of the padding special token. */
    public static final String PAD_TEXT = "<pad>";
    /** Written after each EOS in a plain-text corpus; not part of any document. */
    public static final String DOC_SEPARATOR = "\n";

    private static final String PREFIX = "Question: ";
    private static final String SUFFIX = "\nAnswer:";

    private MathPrompt() {}

    /** The prompt: {@code "Question: " + question + "\nAnswer:"}. */
    public static String format(String question) {
        if (question == null) throw new IllegalArgumentException("question must not be null");
        return PREFIX + question + SUFFIX;
    }

    /** The continuation the model must produce after the prompt: {@code " " + solution} (EOS not included). */
    public static String continuation(String solution) {
        if (solution == null) throw new IllegalArgumentException("solution must not be null");
        return " " + solution;
    }

    /** Prompt plus continuation: {@code format(question) + " " + solution} (EOS not included). */
    public static String formatWithAnswer(String question, String solution) {
        return format(question) + continuation(solution);
    }

    /** One document of a plain-text corpus: {@code formatWithAnswer(q, s) + "</s>"}. */
    public static String document(String question, String solution) {
        return formatWithAnswer(question, solution) + EOS_TEXT;
    }

    /**
     * The question of a prompt made by {@link #format(String)} (or of a full document), or null if the
     * text does not start with the prompt prefix.
     */
    public static String questionOf(String text) {
        if (text == null || !text.startsWith(PREFIX)) return null;
        int end = text.indexOf(SUFFIX, PREFIX.length());
        return end < 0 ? null : text.substring(PREFIX.length(), end);
    }
}
