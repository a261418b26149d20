package dev.cllm.data;

import java.math.BigDecimal;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the final answer of a GSM8K-style solution: the number after the first {@code ####}. The number
 * may be preceded by whitespace, a minus sign and a dollar sign, may use comma thousands separators
 * ({@code 1,234}, correctly grouped only), a decimal part, and one trailing period; it must end at
 * whitespace or at the end of the text. Anything else (no {@code ####}, no number, {@code 12abc},
 * {@code 1,23}) is malformed and never correct.
 */
public final class AnswerChecker {
    private static final String MARK = "####";
    private static final Pattern NUMBER =
            Pattern.compile("[ \\t]*(-?)\\$?((?:\\d{1,3}(?:,\\d{3})+)|\\d+)(\\.\\d+)?\\.?(?=\\s|$)");

    private AnswerChecker() {}

    /** The number after the first {@code ####} of {@code output}, or empty if there is none or it is malformed. */
    public static Optional<BigDecimal> finalAnswer(String output) {
        if (output == null) return Optional.empty();
        int at = output.indexOf(MARK);
        if (at < 0) return Optional.empty();
        Matcher m = NUMBER.matcher(output);
        m.region(at + MARK.length(), output.length());
        m.useTransparentBounds(true);
        if (!m.lookingAt()) return Optional.empty();
        String digits = m.group(2).replace(",", "");
        String frac = m.group(3) == null ? "" : m.group(3);
        return Optional.of(new BigDecimal(m.group(1) + digits + frac));
    }

    /**
     * Whether the final answer of {@code output} equals {@code gold} numerically ({@code "72"} equals
     * {@code "72.0"}). False when the output is malformed; a malformed gold answer throws
     * {@link IllegalArgumentException}.
     */
    public static boolean isCorrect(String output, String gold) {
        BigDecimal g = parseGold(gold);
        return finalAnswer(output).map(a -> a.compareTo(g) == 0).orElse(false);
    }

    /** Whether the final answer of {@code output} equals {@code gold}. */
    public static boolean isCorrect(String output, long gold) {
        return finalAnswer(output)
                .map(a -> a.compareTo(BigDecimal.valueOf(gold)) == 0)
                .orElse(false);
    }

    private static BigDecimal parseGold(String gold) {
        if (gold == null) throw new IllegalArgumentException("gold must not be null");
        Optional<BigDecimal> g = finalAnswer(MARK + " " + gold.strip());
        if (g.isEmpty()) throw new IllegalArgumentException("gold is not a number: '" + gold + "'");
        return g.get();
    }
}
