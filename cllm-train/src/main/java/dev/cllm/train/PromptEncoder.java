package dev.cllm.train;

import dev.cllm.tokenizer.Tokenizer;
import java.util.Arrays;

/**
 * Turns a {@link PromptText} into token ids: the prompt as the tokenizer encodes it, and the answer (when
 * there is one) as the ids that continue the prompt, ending with end-of-sequence ({@code labels_ids}).
 */
public final class PromptEncoder {
    private final Tokenizer tokenizer;
    private final int eos;

    /** eos: the id appended to the labels (-1: none). */
    public PromptEncoder(Tokenizer tokenizer, int eos) {
        if (!tokenizer.canEncode()) {
            throw new IllegalArgumentException("the model has no tokenizer.json: trajectories need text prompts");
        }
        this.tokenizer = tokenizer;
        this.eos = eos;
    }

    public TrajectoryJob.Prompt encode(PromptText text) {
        int[] ids = tokenizer.encode(text.prompt());
        int[] labels = text.answer() == null ? null : continuation(text.prompt(), ids, text.answer());
        return new TrajectoryJob.Prompt(text.dataId(), ids, labels);
    }

    /**
     * The label ids of answer, the exact text that follows the prompt: the ids of prompt + answer after the
     * prompt's own ids (tokenizers merge across the boundary otherwise), then end-of-sequence.
     */
    int[] continuation(String prompt, int[] promptIds, String answer) {
        int[] all = tokenizer.encode(prompt + answer);
        int[] labels;
        if (all.length >= promptIds.length && Arrays.equals(promptIds, 0, promptIds.length, all, 0, promptIds.length)) {
            labels = Arrays.copyOfRange(all, promptIds.length, all.length);
        } else {
            int[] ids = tokenizer.encode(answer);
            int bos = tokenizer.bosId();
            labels = ids.length > 0 && bos >= 0 && ids[0] == bos ? Arrays.copyOfRange(ids, 1, ids.length) : ids;
        }
        if (eos < 0) return labels;
        int[] withEos = Arrays.copyOf(labels, labels.length + 1);
        withEos[labels.length] = eos;
        return withEos;
    }
}
