package dev.cllm.data;

import java.util.function.Function;

/**
 * A problem family: draws numbers, writes the solution into {@link Gen#s} and returns the question in
 * phrasing {@link Gen#t}. Phrasing {@code phrasings - 1} is held out: only the test split uses it.
 */
record Family(String name, int phrasings, Function<Gen, String> body) {
    Family {
        if (phrasings < 2) throw new IllegalArgumentException(name + ": needs a held-out phrasing and a shared one");
    }

    int heldOutPhrasing() {
        return phrasings - 1;
    }
}
