package dev.cllm.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cllm.model.GgufWriter;
import dev.cllm.model.LlamaConfig;
import dev.cllm.model.RandomWeights;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A SentencePiece-style vocabulary built here (byte tokens, characters, BPE merges learned on a corpus,
 * scores by merge order; characters above U+3000 left out so that byte fallback is used), written into a
 * GGUF file and read back. Checked against (1) a reference encoder written here the plain way: spaces to
 * '▁' with one in front, then merge the adjacent pair whose token has the highest score (leftmost on ties)
 * until none is a token, then byte fallback; and (2) Hugging Face tokenizers (DJL) loading the same
 * vocabulary as a Llama-style tokenizer.json (BPE with byte fallback, merges ranked by score).
 */
class SentencePieceTokenizerTest {
    private static final char SP = '\u2581';

    @TempDir
    static Path dir;

    static List<String> tokens;
    static float[] scores;
    static int[] types;
    static List<String> merges;
    static Map<String, Integer> normal;
    static List<String> samples;

    @BeforeAll
    static void buildVocabulary() {
        Random random = new Random(4);
        Map<List<String>, Integer> words = new HashMap<>();
        Map<String, Integer> chars = new HashMap<>();
        for (int line = 0; line < 300; line++) {
            String text = SP + TokenizerCorpus.text(random, 25).replace(' ', SP);
            for (String word : text.split("(?=" + SP + ")")) {
                List<String> symbols = new ArrayList<>();
                word.codePoints().forEach(cp -> symbols.add(new String(Character.toChars(cp))));
                words.merge(symbols, 1, Integer::sum);
                for (String s : symbols) chars.merge(s, 1, Integer::sum);
            }
        }
        tokens = new ArrayList<>(List.of("<unk>", "<s>", "</s>"));
        for (int b = 0; b < 256; b++) tokens.add(String.format("<0x%02X>", b));
        chars.entrySet().stream()
                .filter(e -> e.getValue() >= 2 && e.getKey().codePointAt(0) < 0x3000)
                .sorted(Map.Entry.<String, Integer>comparingByValue()
                        .reversed()
                        .thenComparing(Map.Entry.comparingByKey()))
                .forEach(e -> tokens.add(e.getKey()));
        int firstPiece = tokens.size();
        java.util.Set<String> known = new java.util.HashSet<>(tokens);
        // BPE training: merge the most frequent adjacent pair (ties: smallest text), 400 times.
        Map<List<String>, Integer> current = new HashMap<>(words);
        for (int m = 0; m < 400; m++) {
            Map<String, Integer> pairs = new HashMap<>();
            for (Map.Entry<List<String>, Integer> w : current.entrySet()) {
                List<String> s = w.getKey();
                for (int i = 0; i + 1 < s.size(); i++) {
                    if (known.contains(s.get(i)) && known.contains(s.get(i + 1))) {
                        pairs.merge(s.get(i) + "\u0000" + s.get(i + 1), w.getValue(), Integer::sum);
                    }
                }
            }
            String best = pairs.entrySet().stream()
                    .max(Map.Entry.<String, Integer>comparingByValue()
                            .thenComparing(Map.Entry.comparingByKey(Comparator.reverseOrder())))
                    .map(Map.Entry::getKey)
                    .orElse(null);
            if (best == null) break;
            String[] ab = best.split("\u0000");
            String merged = ab[0] + ab[1];
            if (known.add(merged)) tokens.add(merged);
            Map<List<String>, Integer> next = new HashMap<>();
            for (Map.Entry<List<String>, Integer> w : current.entrySet()) {
                List<String> s = new ArrayList<>();
                for (int i = 0; i < w.getKey().size(); i++) {
                    if (i + 1 < w.getKey().size()
                            && w.getKey().get(i).equals(ab[0])
                            && w.getKey().get(i + 1).equals(ab[1])) {
                        s.add(merged);
                        i++;
                    } else {
                        s.add(w.getKey().get(i));
                    }
                }
                next.merge(s, w.getValue(), Integer::sum);
            }
            current = next;
        }
        scores = new float[tokens.size()];
        types = new int[tokens.size()];
        normal = new LinkedHashMap<>();
        for (int i = 0; i < tokens.size(); i++) {
            types[i] = i == 0
                    ? GgufVocabulary.UNKNOWN
                    : i < 3 ? GgufVocabulary.CONTROL : i < 259 ? GgufVocabulary.BYTE : GgufVocabulary.NORMAL;
            scores[i] = i < firstPiece ? -1e6f - i : -(i - firstPiece);
            if (types[i] == GgufVocabulary.NORMAL) normal.put(tokens.get(i), i);
        }
        // Hugging Face's form: every split of a piece into two pieces is a merge, ranked by the piece's score.
        merges = new ArrayList<>();
        for (int i = firstPiece; i < tokens.size(); i++) {
            String p = tokens.get(i);
            for (int k = p.offsetByCodePoints(0, 1); k < p.length(); k = p.offsetByCodePoints(k, 1)) {
                if (normal.containsKey(p.substring(0, k)) && normal.containsKey(p.substring(k))) {
                    merges.add(p.substring(0, k) + " " + p.substring(k));
                }
            }
        }
        samples = TokenizerCorpus.samples(5, 300);
    }

    static GgufVocabulary vocabulary() {
        return new GgufVocabulary(
                GgufVocabulary.LLAMA,
                null,
                tokens.toArray(new String[0]),
                scores,
                types,
                null,
                1,
                2,
                0,
                -1,
                true,
                false,
                true);
    }

    /** The plain greedy SentencePiece encoder. */
    static int[] reference(String text) {
        List<Integer> out = new ArrayList<>(List.of(1));
        List<String> specials = List.of("<unk>", "<s>", "</s>");
        int start = 0;
        for (int i = 0; i <= text.length(); i++) {
            String special = null;
            for (String s : specials) {
                if (i < text.length() && text.startsWith(s, i) && (special == null || s.length() > special.length()))
                    special = s;
            }
            if (special == null && i < text.length()) continue;
            if (start < i) encodeStretch(SP + text.substring(start, i).replace(' ', SP), out);
            if (special != null) {
                out.add(specials.indexOf(special));
                i += special.length() - 1;
            }
            start = i + 1;
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    private static void encodeStretch(String s, List<Integer> out) {
        List<String> symbols = new ArrayList<>();
        s.codePoints().forEach(cp -> symbols.add(new String(Character.toChars(cp))));
        while (true) {
            int best = -1;
            float bestScore = Float.NEGATIVE_INFINITY;
            for (int i = 0; i + 1 < symbols.size(); i++) {
                Integer id = normal.get(symbols.get(i) + symbols.get(i + 1));
                if (id != null && scores[id] > bestScore) {
                    best = i;
                    bestScore = scores[id];
                }
            }
            if (best < 0) break;
            symbols.set(best, symbols.get(best) + symbols.remove(best + 1));
        }
        for (String symbol : symbols) {
            Integer id = normal.get(symbol);
            if (id != null) {
                out.add(id);
            } else {
                for (byte b : symbol.getBytes(java.nio.charset.StandardCharsets.UTF_8)) out.add(3 + (b & 0xff));
            }
        }
    }

    @Test
    void throughGgufItEncodesAsTheReferenceAndDecodesBack() {
        LlamaConfig c = LlamaConfig.of(32, 64, 1, 2, 1, tokens.size(), 16, true);
        Path file = dir.resolve("spm.gguf");
        GgufWriter.write(RandomWeights.create(c, 5), file, null, vocabulary().toMetadata());
        Tokenizer t = Tokenizers.forCheckpoint(file, c);
        assertInstanceOf(SentencePieceTokenizer.class, t);
        int merged = 0, fallback = 0;
        for (String text : samples) {
            int[] ids = t.encode(text);
            assertArrayEquals(reference(text), ids, "encode: " + text);
            for (int id : ids) {
                if (id >= 259 && tokens.get(id).length() > 1) merged++;
                if (id >= 3 && id < 259) fallback++;
            }
            if (!text.contains("<s>") && !text.contains("</s>") && !text.contains("<unk>") && text.indexOf(SP) < 0) {
                assertEquals(text, t.decode(ids), "round trip: " + text);
            }
        }
        assertTrue(
                merged > 1000 && fallback > 100,
                "merges (" + merged + ") and byte fallback (" + fallback + ") are used");
        assertArrayEquals(new int[] {1}, t.encode(""));
    }

    @Test
    void huggingFaceTokenizersAgreeOnTheSameVocabulary() throws Exception {
        Tokenizer ours = vocabulary().tokenizer("test");
        Path json = TestTokenizerFiles.llamaStyle(Files.createDirectories(dir.resolve("hf")), tokens, merges);
        // The same tokenizer.json exported to a GGUF vocabulary (scores from merge ranks), as cllm convert does.
        GgufVocabulary exported = GgufTokenizerExport.fromTokenizerJson(json);
        assertEquals(GgufVocabulary.LLAMA, exported.model());
        assertArrayEquals(types, exported.types());
        Tokenizer converted = exported.tokenizer("exported");
        try (HfTokenizer hf = Tokenizers.load(json)) {
            for (String text : samples) {
                int[] expected = hf.encode(text);
                assertArrayEquals(expected, ours.encode(text), "encode: " + text);
                assertArrayEquals(expected, converted.encode(text), "exported: " + text);
                assertEquals(hf.decode(expected), ours.decode(expected), "decode: " + text);
            }
        }
    }
}
