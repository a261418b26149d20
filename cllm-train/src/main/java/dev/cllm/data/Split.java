package dev.cllm.data;

import java.util.Locale;

/** Which split a generator produces. Train and test never share a question text. */
public enum Split {
    TRAIN,
    TEST;

    /** Parses "train" or "test" (any case). */
    public static Split parse(String s) {
        if (s == null) throw new IllegalArgumentException("split must be train or test");
        switch (s.toLowerCase(Locale.ROOT)) {
            case "train":
                return TRAIN;
            case "test":
                return TEST;
            default:
                throw new IllegalArgumentException("split must be train or test, not '" + s + "'");
        }
    }
}
