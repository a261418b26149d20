package dev.cllm.tokenizer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * Finds special tokens (control, user-defined and unknown tokens of a GGUF vocabulary) in raw text, as
 * Hugging Face tokenizers find added tokens: at each position the longest special token that starts
 * there wins; the text between matches is encoded normally.
 */
final class SpecialTokenMatcher {
    private final Map<Character, int[]> byFirstChar = new HashMap<>();
    private final String[] tokens;

    /** @param special ids of the tokens to match (empty texts are ignored) */
    SpecialTokenMatcher(String[] tokens, List<Integer> special) {
        this.tokens = tokens;
        Map<Character, List<Integer>> lists = new HashMap<>();
        for (int id : special) {
            if (!tokens[id].isEmpty())
                lists.computeIfAbsent(tokens[id].charAt(0), c -> new ArrayList<>())
                        .add(id);
        }
        lists.forEach((c, ids) -> {
            ids.sort(Comparator.comparingInt((Integer id) -> -tokens[id].length())
                    .thenComparingInt(id -> id));
            byFirstChar.put(c, ids.stream().mapToInt(Integer::intValue).toArray());
        });
    }

    /** Calls text with each stretch of ordinary text and special with each special token id, in order. */
    void split(String input, Consumer<String> text, IntConsumer special) {
        int start = 0;
        for (int i = 0; i < input.length(); ) {
            int id = byFirstChar.isEmpty() ? -1 : match(input, i);
            if (id < 0) {
                i++;
                continue;
            }
            if (start < i) text.accept(input.substring(start, i));
            special.accept(id);
            i += tokens[id].length();
            start = i;
        }
        if (start < input.length()) text.accept(input.substring(start));
    }

    private int match(String input, int i) {
        int[] candidates = byFirstChar.get(input.charAt(i));
        if (candidates == null) return -1;
        for (int id : candidates) {
            if (input.startsWith(tokens[id], i)) return id;
        }
        return -1;
    }
}
