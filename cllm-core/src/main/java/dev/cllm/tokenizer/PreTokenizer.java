package dev.cllm.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The pre-tokenizer of our tokenizer.json, in Java: Hugging Face {@code Sequence[Digits(individual_digits=true),
 * ByteLevel(add_prefix_space=false, use_regex=true)]}. Every numeric character becomes its own piece; the rest
 * is split with the GPT-2 regex (contractions, optional-space + letters, optional-space + numbers,
 * optional-space + other symbols, whitespace). Pieces are returned as raw text (not byte-mapped).
 * Special tokens must be split out before (see {@link ByteBpeTokenizer}).
 */
public final class PreTokenizer {
    /** The GPT-2 / Hugging Face ByteLevel split regex. */
    static final String GPT2_REGEX =
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

    private static final Pattern PATTERN = Pattern.compile(GPT2_REGEX, Pattern.UNICODE_CHARACTER_CLASS);

    private PreTokenizer() {}

    /** Rust's {@code char::is_numeric}: general categories Nd, Nl and No. */
    static boolean isNumeric(int cp) {
        int t = Character.getType(cp);
        return t == Character.DECIMAL_DIGIT_NUMBER || t == Character.LETTER_NUMBER || t == Character.OTHER_NUMBER;
    }

    /** Calls {@code out} with each piece of {@code text}, in order. */
    public static void split(CharSequence text, Consumer<String> out) {
        Matcher m = PATTERN.matcher("");
        int n = text.length();
        int runStart = 0;
        int i = 0;
        while (i < n) {
            int cp = Character.codePointAt(text, i);
            int len = Character.charCount(cp);
            if (isNumeric(cp)) {
                if (runStart < i) regexSplit(m, text.subSequence(runStart, i), out);
                out.accept(text.subSequence(i, i + len).toString());
                runStart = i + len;
            }
            i += len;
        }
        if (runStart < n) regexSplit(m, text.subSequence(runStart, n), out);
    }

    /** The pieces of {@code text} as a list. */
    public static List<String> split(CharSequence text) {
        List<String> out = new ArrayList<>();
        split(text, out::add);
        return out;
    }

    /** The matches of m in s and the text between them, in order (Hugging Face Split, behaviour Isolated). */
    static void regexSplit(Matcher m, CharSequence s, Consumer<String> out) {
        m.reset(s);
        int last = 0;
        while (m.find()) {
            if (m.start() > last) out.accept(s.subSequence(last, m.start()).toString());
            if (m.end() > m.start())
                out.accept(s.subSequence(m.start(), m.end()).toString());
            last = m.end();
        }
        if (last < s.length()) out.accept(s.subSequence(last, s.length()).toString());
    }
}
