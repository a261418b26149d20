package dev.cllm.train;

/**
 * Linear warmup to the peak rate, then cosine decay to {@code minRatio * peak} at the last step (the
 * reference uses cosine with 3% warmup).
 */
public record LearningRateSchedule(double peak, int warmupSteps, int totalSteps, double minRatio) {
    public LearningRateSchedule {
        if (!(peak > 0)) throw new IllegalArgumentException("learning rate must be positive, got " + peak);
        if (totalSteps < 1) throw new IllegalArgumentException("steps must be >= 1, got " + totalSteps);
        if (warmupSteps < 0 || warmupSteps > totalSteps) {
            throw new IllegalArgumentException("warmup steps must be in [0, steps], got " + warmupSteps);
        }
        if (minRatio < 0 || minRatio > 1)
            throw new IllegalArgumentException("min ratio must be in [0, 1], got " + minRatio);
    }

    /** Warmup of a fraction of the steps (at least one step when the fraction is positive). */
    public static LearningRateSchedule cosine(double peak, int totalSteps, double warmupFraction) {
        int warmup = warmupFraction <= 0 ? 0 : Math.max(1, (int) Math.round(totalSteps * warmupFraction));
        return new LearningRateSchedule(peak, Math.min(warmup, totalSteps), totalSteps, 0.1);
    }

    /** The rate for step (0-based). */
    public double at(int step) {
        if (step < warmupSteps) return peak * (step + 1) / warmupSteps;
        int decaySteps = Math.max(1, totalSteps - warmupSteps);
        double progress = Math.min(1.0, (double) (step - warmupSteps) / decaySteps);
        double cosine = 0.5 * (1 + Math.cos(Math.PI * progress));
        return peak * (minRatio + (1 - minRatio) * cosine);
    }
}
