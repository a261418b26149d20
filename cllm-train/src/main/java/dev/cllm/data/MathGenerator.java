package dev.cllm.data;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A seeded generator of GSM8K-style grade-school math word problems.
 *
 * <p>Problem {@code i} depends only on (split, seed, i): {@link #problem(long)} is random access, and the
 * first n problems of {@code generate(n + m)} are {@code generate(n)}. Each problem picks one of
 * {@link #familyCount()} families uniformly and one of the family's phrasings; calculations are
 * single-operation steps on non-negative integers below 10000, 1 to 6 steps per problem.
 *
 * <p>Train and test are disjoint three ways: the two splits draw from different random streams for the
 * same seed; the last phrasing of every family is held out (test only); and every question text is assigned
 * to exactly one split by a fixed hash ({@link #isTestQuestion(String)}: about 1 in 5 texts belongs to test),
 * so no test question can ever appear in a train set, whatever the seeds and counts.
 */
public final class MathGenerator {
    private static final long TRAIN_SALT = 0x7a1e_5eed_0000_0001L;
    private static final long TEST_SALT = 0x7e57_5eed_0000_0002L;
    private static final int MAX_TRIES = 100_000;

    private final Split split;
    private final long seed;
    private final long base;

    public MathGenerator(Split split, long seed) {
        if (split == null) throw new IllegalArgumentException("split must not be null");
        this.split = split;
        this.seed = seed;
        this.base = mix(seed ^ (split == Split.TRAIN ? TRAIN_SALT : TEST_SALT));
    }

    public Split split() {
        return split;
    }

    public long seed() {
        return seed;
    }

    /** Problem number {@code index} (non-negative) of this split and seed. */
    public MathProblem problem(long index) {
        if (index < 0) throw new IllegalArgumentException("index must be >= 0, got " + index);
        SplittableRandom rng = new SplittableRandom(mix(base + index * 0x9E3779B97F4A7C15L));
        List<Family> fams = Families.ALL;
        Family fam = fams.get(rng.nextInt(fams.size()));
        int shared = fam.phrasings() - 1;
        int t = split == Split.TRAIN ? rng.nextInt(shared) : rng.nextInt(fam.phrasings());
        Gen g = new Gen(rng, t);
        for (int tries = 0; tries < MAX_TRIES; tries++) {
            g.reset();
            String q;
            try {
                q = fam.body().apply(g);
            } catch (Solution.Reject r) {
                continue;
            }
            if (isTestQuestion(q) != (split == Split.TEST)) continue;
            Solution s = g.s;
            return new MathProblem(
                    q, s.render(), Long.toString(s.finalValue()), fam.name(), t, t == fam.heldOutPhrasing(), s.steps());
        }
        throw new IllegalStateException("family " + fam.name() + " rejected " + MAX_TRIES + " draws");
    }

    /** Problems 0 to count-1. */
    public List<MathProblem> generate(int count) {
        if (count < 0) throw new IllegalArgumentException("count must be >= 0, got " + count);
        List<MathProblem> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) out.add(problem(i));
        return out;
    }

    /** Number of problem families. */
    public static int familyCount() {
        return Families.ALL.size();
    }

    /** Names of the problem families, in a fixed order. */
    public static List<String> familyNames() {
        List<String> names = new ArrayList<>();
        for (Family f : Families.ALL) names.add(f.name());
        return names;
    }

    /** Whether a question text belongs to the test split (a fixed hash of the text; about 20% of texts). */
    public static boolean isTestQuestion(String question) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < question.length(); i++) {
            h ^= question.charAt(i);
            h *= 0x100000001b3L;
        }
        return Long.remainderUnsigned(mix(h), 5) == 0;
    }

    /** SplitMix64 finalizer. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
