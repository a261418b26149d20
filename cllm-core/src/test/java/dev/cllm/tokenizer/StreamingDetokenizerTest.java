package dev.cllm.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StreamingDetokenizerTest {
    @TempDir
    Path dir;

    private static List<String> stream(Tokenizer t, int[] ids) {
        StreamingDetokenizer s = new StreamingDetokenizer(t);
        List<String> pieces = new ArrayList<>();
        for (int id : ids) pieces.add(s.accept(id));
        pieces.add(s.flush());
        return pieces;
    }

    @Test
    void streamedPiecesConcatenateToTheFullDecodeAndNeverSplitACharacter() throws IOException {
        try (HfTokenizer t = Tokenizers.load(TestTokenizerFiles.llamaStyle(dir))) {
            String text = "hello world héllo € wörld 😀😀 hello";
            int[] ids = t.encode(text);
            List<String> pieces = stream(t, ids);
            assertEquals(text, String.join("", pieces));
            for (String p : pieces) assertFalse(p.contains("\uFFFD"), "no replacement char printed: " + pieces);
            // "€" is three byte tokens: nothing is printed until the third arrives.
            int e2 = 3 + 0xE2;
            int at = -1;
            for (int i = 0; i < ids.length; i++) if (ids[i] == e2) at = i;
            assertTrue(at > 0, "€ falls back to bytes");
            assertEquals("", pieces.get(at));
            assertEquals("", pieces.get(at + 1));
            assertTrue(pieces.get(at + 2).endsWith("€"), pieces.get(at + 2));
            assertEquals(" world", pieces.get(2), "a word's leading space is kept after the first token");
        }
    }

    /**
     * Random mixes of ordinary tokens, special tokens and characters spelled as UTF-8 byte tokens.
     * (Invalid byte runs are excluded: the decoder replaces a whole invalid run, which no streaming
     * printer can foresee.)
     */
    @Test
    void randomIdSequencesStreamToTheirDecode() throws IOException {
        try (HfTokenizer t = Tokenizers.load(TestTokenizerFiles.llamaStyle(dir))) {
            Random r = new Random(5);
            for (int round = 0; round < 300; round++) {
                List<Integer> ids = new ArrayList<>();
                int n = 1 + r.nextInt(20);
                for (int i = 0; i < n; i++) {
                    int kind = r.nextInt(4);
                    if (kind == 0) {
                        ids.add(r.nextInt(3));
                    } else if (kind == 1) {
                        int cp;
                        do {
                            cp = r.nextBoolean() ? 0x20 + r.nextInt(0x7ff) : 1 + r.nextInt(0x10ffff);
                        } while (cp >= 0xd800 && cp < 0xe000);
                        for (byte b : new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8)) {
                            ids.add(3 + (b & 0xff));
                        }
                    } else {
                        ids.add(259 + r.nextInt(t.vocabSize() - 259));
                    }
                }
                int[] array = ids.stream().mapToInt(Integer::intValue).toArray();
                List<String> pieces = stream(t, array);
                assertEquals(t.decode(array), String.join("", pieces), "round " + round + ": " + ids);
                for (String p : pieces) assertFalse(p.contains("\uFFFD"), "round " + round + ": " + pieces);
            }
        }
    }

    @Test
    void worksWithoutATokenizer() {
        assertEquals("5 6 7", String.join("", stream(Tokenizer.none(10), new int[] {5, 6, 7})));
    }

    @Test
    void aGenuineReplacementCharacterIsEventuallyPrinted() throws IOException {
        try (HfTokenizer t = Tokenizers.load(TestTokenizerFiles.llamaStyle(dir))) {
            StreamingDetokenizer s = new StreamingDetokenizer(t);
            StringBuilder out = new StringBuilder();
            out.append(s.accept(271)); // ▁hello
            int invalid = 3 + 0xFF; // never valid UTF-8
            for (int i = 0; i < StreamingDetokenizer.MAX_PENDING; i++) out.append(s.accept(invalid));
            assertTrue(out.toString().contains("\uFFFD"), "printed without waiting for the end: " + out);
            out.append(s.accept(276)).append(s.flush());
            int[] ids = new int[2 + StreamingDetokenizer.MAX_PENDING];
            ids[0] = 271;
            for (int i = 1; i <= StreamingDetokenizer.MAX_PENDING; i++) ids[i] = invalid;
            ids[ids.length - 1] = 276;
            assertEquals(t.decode(ids), out.toString());
        }
    }
}
