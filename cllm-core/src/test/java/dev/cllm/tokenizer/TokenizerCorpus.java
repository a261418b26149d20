package dev.cllm.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Varied text for tokenizer comparisons: prose, numbers, code, whitespace runs, many scripts, emoji, specials. */
final class TokenizerCorpus {
    private TokenizerCorpus() {}

    private static final String[] WORDS = {
        "the",
        "apples",
        "Tom",
        "buys",
        "seven",
        "more",
        "How",
        "many",
        "does",
        "he",
        "have",
        "Answer",
        "question",
        "don't",
        "I'LL",
        "we're",
        "they've",
        "façade",
        "naïve",
        "Ünïcödé",
        "straße",
        "über",
        "中文",
        "字符",
        "日本語",
        "テキスト",
        "한국어",
        "русский",
        "ελληνικά",
        "עברית",
        "العربية",
        "हिन्दी",
        "😀",
        "👍🏽",
        "🇩🇪",
        "e\u0301",
        "zero\u200bwidth",
        "x²",
        "½",
        "١٢٣",
        "3.14159",
        "1,000,000",
        "2024-11-26",
        "$42",
        "100%",
        "a+b=c",
        "(x)",
        "[y]",
        "{z}",
        "<s>",
        "</s>",
        "<pad>",
        "<s",
        "s>",
        "'s",
        "'t",
        "--",
        "...",
        "…",
        "—",
        "“quoted”"
    };
    private static final String[] SEPARATORS = {" ", " ", " ", "  ", "\t", "\n", "\r\n", "\n\n", " \n", "", ",", ". "};

    /** Fixed edge cases. */
    static List<String> edgeCases() {
        return List.of(
                "",
                " ",
                "  ",
                "\n",
                "a",
                "Hello, world! It's 2024-11-26; don't panic.",
                "  leading and trailing   ",
                "tabs\tand\nnewlines\r\n\n\nmulti",
                "</s> specials <s> inside <pad> text <s",
                "<s><s></s>",
                "numbers 1234567890 3.14159 ١٢٣ ½ ²",
                "I'LL WE'RE they've 's 't",
                "for (int i = 0; i < n; i++) { x += a[i]; }",
                "emoji 😀👍🏽 and 🇩🇪",
                "中文字符和日本語のテキスト",
                "\u2581already\u2581spaced",
                "x\u0000y\u0007z");
    }

    /** Seeded random text of about {@code words} words. */
    static String text(Random random, int words) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < words; i++) {
            sb.append(WORDS[random.nextInt(WORDS.length)]).append(SEPARATORS[random.nextInt(SEPARATORS.length)]);
            if (random.nextInt(12) == 0) sb.append(random.nextInt(100_000));
            if (random.nextInt(30) == 0) {
                // Only characters Java 17's Unicode tables know: newer ones (e.g. U+0885, Unicode 14) are letters to
                // the Rust tokenizers but unassigned to java.util.regex, a difference of Unicode versions, not of code.
                int cp = 0x20 + random.nextInt(0x2000);
                if (Character.isDefined(cp)) sb.appendCodePoint(cp);
            }
        }
        return sb.toString();
    }

    /** Edge cases plus n random texts. */
    static List<String> samples(long seed, int n) {
        Random random = new Random(seed);
        List<String> out = new ArrayList<>(edgeCases());
        for (int i = 0; i < n; i++) out.add(text(random, 1 + random.nextInt(40)));
        return out;
    }
}
