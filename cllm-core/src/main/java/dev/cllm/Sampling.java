package dev.cllm;

/**
 * How each next token is chosen: greedy argmax ({@link #greedy()}, temperature 0) or a seeded draw from
 * the model's softmax, optionally narrowed by top-k, top-p and min-p and shaped by repetition, presence
 * and frequency penalties.
 *
 * <p>Sampling is lossless for Jacobi decoding: the token drawn for a position is a fixed function of
 * (these settings, the seed, the position, the logits, the tokens before it), computed in native code
 * where the argmax is (cllm.h, "Sampling"). A Jacobi guess is accepted exactly when it equals what AR
 * sampling draws there, so Jacobi output equals AR output token for token for the same seed, and
 * consistency-trained models speed up sampled decoding as they do greedy decoding.
 *
 * <ul>
 *   <li>{@code temperature}: 0 for greedy (the other filters are then unused), else &gt; 0;</li>
 *   <li>{@code topK}: keep the k most likely tokens (ties with the k-th kept too); 0: off;</li>
 *   <li>{@code topP}: keep the most likely tokens holding this much probability; 1: off;</li>
 *   <li>{@code minP}: keep tokens at least this fraction as likely as the most likely one; 0: off;</li>
 *   <li>{@code repetitionPenalty}: logits of tokens already seen are divided by it (multiplied when
 *       negative); 1: off;</li>
 *   <li>{@code presencePenalty}, {@code frequencyPenalty}: subtracted from a seen token's logit once,
 *       and once per occurrence; 0: off;</li>
 *   <li>{@code penalizePrompt}: whether the penalties look at the prompt too (else the output only);</li>
 *   <li>{@code seed}: the draws' seed; the same seed gives the same output.</li>
 * </ul>
 */
public record Sampling(
        double temperature,
        int topK,
        double topP,
        double minP,
        double repetitionPenalty,
        double presencePenalty,
        double frequencyPenalty,
        boolean penalizePrompt,
        long seed) {
    private static final Sampling GREEDY = new Sampling(0, 0, 1, 0, 1, 0, 0, false, 0);

    public Sampling {
        if (!Double.isFinite(temperature) || temperature < 0) {
            throw new IllegalArgumentException(
                    "temperature must be a finite number >= 0 (0: greedy), got " + temperature);
        }
        if (topK < 0) throw new IllegalArgumentException("topK must be >= 0 (0: off), got " + topK);
        if (!(topP > 0 && topP <= 1))
            throw new IllegalArgumentException("topP must be in (0, 1] (1: off), got " + topP);
        if (!(minP >= 0 && minP <= 1))
            throw new IllegalArgumentException("minP must be in [0, 1] (0: off), got " + minP);
        if (!Double.isFinite(repetitionPenalty) || repetitionPenalty <= 0) {
            throw new IllegalArgumentException(
                    "repetitionPenalty must be a finite number > 0 (1: off), got " + repetitionPenalty);
        }
        if (!Double.isFinite(presencePenalty)) throw new IllegalArgumentException("presencePenalty must be finite");
        if (!Double.isFinite(frequencyPenalty)) throw new IllegalArgumentException("frequencyPenalty must be finite");
    }

    /** Greedy argmax, no penalties. */
    public static Sampling greedy() {
        return GREEDY;
    }

    /** A seeded draw at a temperature, no other filter. */
    public static Sampling temperature(double temperature, long seed) {
        return GREEDY.withTemperature(temperature).withSeed(seed);
    }

    /** Temperature 0 and no penalty: the engine's plain argmax. */
    public boolean isGreedy() {
        return temperature == 0 && !hasPenalties();
    }

    public boolean hasPenalties() {
        return repetitionPenalty != 1 || presencePenalty != 0 || frequencyPenalty != 0;
    }

    public Sampling withTemperature(double temperature) {
        return new Sampling(
                temperature,
                topK,
                topP,
                minP,
                repetitionPenalty,
                presencePenalty,
                frequencyPenalty,
                penalizePrompt,
                seed);
    }

    public Sampling withTopK(int topK) {
        return new Sampling(
                temperature,
                topK,
                topP,
                minP,
                repetitionPenalty,
                presencePenalty,
                frequencyPenalty,
                penalizePrompt,
                seed);
    }

    public Sampling withTopP(double topP) {
        return new Sampling(
                temperature,
                topK,
                topP,
                minP,
                repetitionPenalty,
                presencePenalty,
                frequencyPenalty,
                penalizePrompt,
                seed);
    }

    public Sampling withMinP(double minP) {
        return new Sampling(
                temperature,
                topK,
                topP,
                minP,
                repetitionPenalty,
                presencePenalty,
                frequencyPenalty,
                penalizePrompt,
                seed);
    }

    public Sampling withRepetitionPenalty(double repetitionPenalty) {
        return new Sampling(
                temperature,
                topK,
                topP,
                minP,
                repetitionPenalty,
                presencePenalty,
                frequencyPenalty,
                penalizePrompt,
                seed);
    }

    public Sampling withPresencePenalty(double presencePenalty) {
        return new Sampling(
                temperature,
                topK,
                topP,
                minP,
                repetitionPenalty,
                presencePenalty,
                frequencyPenalty,
                penalizePrompt,
                seed);
    }

    public Sampling withFrequencyPenalty(double frequencyPenalty) {
        return new Sampling(
                temperature,
                topK,
                topP,
                minP,
                repetitionPenalty,
                presencePenalty,
                frequencyPenalty,
                penalizePrompt,
                seed);
    }

    public Sampling withPenalizePrompt(boolean penalizePrompt) {
        return new Sampling(
                temperature,
                topK,
                topP,
                minP,
                repetitionPenalty,
                presencePenalty,
                frequencyPenalty,
                penalizePrompt,
                seed);
    }

    public Sampling withSeed(long seed) {
        return new Sampling(
                temperature,
                topK,
                topP,
                minP,
                repetitionPenalty,
                presencePenalty,
                frequencyPenalty,
                penalizePrompt,
                seed);
    }

    @Override
    public String toString() {
        if (isGreedy()) return "greedy";
        StringBuilder b = new StringBuilder(temperature == 0 ? "greedy" : "T=" + temperature);
        if (temperature > 0) {
            if (topK > 0) b.append(", top-k ").append(topK);
            if (topP < 1) b.append(", top-p ").append(topP);
            if (minP > 0) b.append(", min-p ").append(minP);
        }
        if (repetitionPenalty != 1) b.append(", repetition ").append(repetitionPenalty);
        if (presencePenalty != 0) b.append(", presence ").append(presencePenalty);
        if (frequencyPenalty != 0) b.append(", frequency ").append(frequencyPenalty);
        if (temperature > 0) b.append(", seed ").append(seed);
        return b.toString();
    }
}
