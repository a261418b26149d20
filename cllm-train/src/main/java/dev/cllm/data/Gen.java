package dev.cllm.data;

import java.util.SplittableRandom;

/** Per-problem drawing context handed to a family: random numbers, people, words, and the solution. */
final class Gen {
    /** A person in a problem, with pronouns. */
    record Person(String name, boolean female) {
        String he() {
            return female ? "she" : "he";
        }

        String He() {
            return female ? "She" : "He";
        }

        String his() {
            return female ? "her" : "his";
        }

        String him() {
            return female ? "her" : "him";
        }

        @Override
        public String toString() {
            return name;
        }
    }

    final SplittableRandom rng;
    /** The phrasing index the family must use for the question. */
    final int t;

    final Solution s = new Solution();
    private final String[] used = new String[6];
    private int nUsed;

    Gen(SplittableRandom rng, int phrasing) {
        this.rng = rng;
        this.t = phrasing;
    }

    void reset() {
        s.reset();
        nUsed = 0;
    }

    /** Uniform in [lo, hi]. */
    int n(int lo, int hi) {
        return lo + rng.nextInt(hi - lo + 1);
    }

    /** A multiple of k in [lo, hi] (lo and hi need not be multiples). */
    int m(int lo, int hi, int k) {
        int a = (lo + k - 1) / k;
        int b = hi / k;
        return k * n(a, b);
    }

    boolean coin() {
        return rng.nextBoolean();
    }

    @SafeVarargs
    final <T> T pick(T... xs) {
        return xs[rng.nextInt(xs.length)];
    }

    /** A person whose name differs from the others of this problem. */
    Person person() {
        while (true) {
            boolean female = rng.nextBoolean();
            String[] names = female ? Lexicon.FEMALE : Lexicon.MALE;
            String name = names[rng.nextInt(names.length)];
            boolean dup = false;
            for (int i = 0; i < nUsed; i++) dup |= used[i].equals(name);
            if (!dup && nUsed < used.length) {
                used[nUsed++] = name;
                return new Person(name, female);
            }
        }
    }

    /** A noun from a list, distinct from {@code other} (may be null). */
    String word(String[] list, String other) {
        while (true) {
            String w = list[rng.nextInt(list.length)];
            if (!w.equals(other)) return w;
        }
    }

    static String plural(String noun) {
        return Lexicon.plural(noun);
    }

    static String cap(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    /** "a" or "an". */
    static String a(String noun) {
        return ("aeiou".indexOf(noun.charAt(0)) >= 0 ? "an " : "a ") + noun;
    }
}
