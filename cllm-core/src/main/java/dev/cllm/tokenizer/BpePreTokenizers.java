package dev.cllm.tokenizer;

import dev.cllm.CllmException;
import dev.cllm.model.GgufFile;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The pre-tokenizers of byte-level BPE vocabularies in GGUF files, chosen by {@code tokenizer.ggml.pre}
 * (llama.cpp's names). Each splits text into pieces that BPE then encodes separately; the regexes are
 * those of the models' Hugging Face tokenizer.json files ({@code Split} with behaviour Isolated: the
 * matches and the text between them are pieces).
 * <ul>
 *   <li>{@code refact}, {@code starcoder}, {@code smollm}, ...: every digit alone, then the GPT-2 regex
 *       ({@link PreTokenizer}, the pre-tokenizer of our own tokenizers);</li>
 *   <li>{@code gpt-2}, {@code mpt}, {@code olmo} (and an absent {@code pre}): the GPT-2 regex;</li>
 *   <li>{@code llama-bpe} (Llama 3) and relatives: Llama 3's regex (digits in groups of up to three);</li>
 *   <li>{@code qwen2}, {@code stablelm2}, {@code deepseek-r1-qwen}: Llama 3's regex with single digits.</li>
 * </ul>
 * Other names are UNSUPPORTED: guessing a pre-tokenizer would give wrong token ids silently.
 */
final class BpePreTokenizers {
    /** A pre-tokenizer: calls out with each piece of text, in order. */
    interface Splitter {
        void split(CharSequence text, Consumer<String> out);
    }

    static final String LLAMA3_REGEX = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    static final String QWEN2_REGEX = LLAMA3_REGEX.replace("\\p{N}{1,3}", "\\p{N}");

    private static final List<String> DIGITS_THEN_GPT2 =
            List.of("refact", "starcoder", "smollm", "command-r", "codeshell", "exaone", "minerva");
    private static final List<String> GPT2 = List.of("gpt-2", "gpt2", "mpt", "olmo", "jais");
    private static final List<String> LLAMA3 = List.of("llama-bpe", "llama3", "llama-v3", "smaug-bpe", "dbrx");
    private static final List<String> QWEN2 = List.of("qwen2", "stablelm2", "deepseek-r1-qwen");

    private BpePreTokenizers() {}

    /** The pre-tokenizer for a {@code tokenizer.ggml.pre} name (null: GPT-2, as old files without the key). */
    static Splitter forName(String pre, Object source) {
        if (pre == null || GPT2.contains(pre)) return regex(PreTokenizer.GPT2_REGEX);
        if (DIGITS_THEN_GPT2.contains(pre)) return PreTokenizer::split;
        if (LLAMA3.contains(pre)) return regex(LLAMA3_REGEX);
        if (QWEN2.contains(pre)) return regex(QWEN2_REGEX);
        throw new CllmException(
                CllmException.Status.UNSUPPORTED,
                source + ": tokenizer.ggml.pre '" + GgufFile.printable(pre)
                        + "' is not supported (supported: " + String.join(", ", DIGITS_THEN_GPT2) + ", "
                        + String.join(", ", GPT2) + ", " + String.join(", ", LLAMA3) + ", " + String.join(", ", QWEN2)
                        + ")");
    }

    private static Splitter regex(String regex) {
        Pattern pattern = Pattern.compile(regex, Pattern.UNICODE_CHARACTER_CLASS);
        return (text, out) -> {
            Matcher m = pattern.matcher("");
            PreTokenizer.regexSplit(m, text, out);
        };
    }
}
