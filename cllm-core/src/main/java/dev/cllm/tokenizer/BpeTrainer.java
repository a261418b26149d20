package dev.cllm.tokenizer;

import dev.cllm.CllmException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.stream.IntStream;

/**
 * Trains our byte-level BPE tokenizer ({@link ByteBpeTokenizer}) on text.
 *
 * <p>The text is split on special-token texts ({@code <s>}, {@code </s>}, {@code <pad>}: never learned),
 * pre-tokenized with {@link PreTokenizer} into a word-frequency table (in parallel), and merges are learned
 * on that table with incremental pair counts: a pair index records which words contain each pair, a merge
 * re-counts only those words, and a lazy max-heap picks the most frequent pair (ties: lower left id, then
 * lower right id). Training stops at the requested vocabulary size or when no pair occurs at least
 * {@link #minFrequency(int)} times, so a small corpus can give a smaller vocabulary. Deterministic.
 */
public final class BpeTrainer {
    public static final int DEFAULT_VOCAB_SIZE = 1024;
    public static final int MAX_VOCAB_SIZE = 1 << 20;

    private int vocabSize = DEFAULT_VOCAB_SIZE;
    private int minFrequency = 2;
    private int threads = Runtime.getRuntime().availableProcessors();

    /** Target vocabulary size including the 3 specials and 256 bytes (259 to 2^20; default 1024). */
    public BpeTrainer vocabSize(int n) {
        if (n < ByteBpeTokenizer.BASE_VOCAB || n > MAX_VOCAB_SIZE) {
            throw new IllegalArgumentException(
                    "vocabSize must be in [" + ByteBpeTokenizer.BASE_VOCAB + ", " + MAX_VOCAB_SIZE + "], got " + n);
        }
        this.vocabSize = n;
        return this;
    }

    /** A pair must occur at least this often to be merged (default 2). */
    public BpeTrainer minFrequency(int n) {
        if (n < 1) throw new IllegalArgumentException("minFrequency must be >= 1, got " + n);
        this.minFrequency = n;
        return this;
    }

    /** Threads for pre-tokenization (default: available processors). */
    public BpeTrainer threads(int n) {
        if (n < 1) throw new IllegalArgumentException("threads must be >= 1, got " + n);
        this.threads = n;
        return this;
    }

    /** Trains on the UTF-8 text of a file. */
    public ByteBpeTokenizer trainFile(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CllmException(CllmException.Status.IO, "cannot read " + file + ": " + e.getMessage(), e);
        }
        return train(text);
    }

    /** Trains on text. */
    public ByteBpeTokenizer train(CharSequence text) {
        return train(countWords(text, threads));
    }

    /** Trains on a table of pre-token (raw text) frequencies. */
    public ByteBpeTokenizer train(Map<String, Long> wordCounts) {
        // Words as symbol-id arrays; sorted so that the result never depends on map iteration order.
        List<String> keys = new ArrayList<>(wordCounts.keySet());
        keys.sort(null);
        int nw = keys.size();
        int[][] words = new int[nw][];
        long[] counts = new long[nw];
        for (int w = 0; w < nw; w++) {
            byte[] b = keys.get(w).getBytes(StandardCharsets.UTF_8);
            int[] s = new int[b.length];
            for (int i = 0; i < b.length; i++) s[i] = ByteBpeTokenizer.FIRST_BYTE_ID + (b[i] & 0xFF);
            words[w] = s;
            counts[w] = wordCounts.get(keys.get(w));
        }

        List<String> tokens = new ArrayList<>(vocabSize);
        Map<String, Integer> tokenIds = new HashMap<>();
        for (String s : ByteBpeTokenizer.SPECIALS) {
            tokenIds.put(s, tokens.size());
            tokens.add(s);
        }
        for (int b = 0; b < 256; b++) {
            String t = String.valueOf(ByteLevel.charOf(b));
            tokenIds.put(t, tokens.size());
            tokens.add(t);
        }

        PairCounts pc = new PairCounts();
        for (int w = 0; w < nw; w++) {
            int[] s = words[w];
            for (int i = 0; i + 1 < s.length; i++) pc.add(key(s[i], s[i + 1]), counts[w], w);
        }
        PriorityQueue<long[]> heap = new PriorityQueue<>(BpeTrainer::compareEntries);
        pc.forEach((k, c) -> heap.add(new long[] {c, k}));

        List<Long> merges = new ArrayList<>();
        int[] seen = new int[nw];
        int stamp = 0;
        List<Long> changed = new ArrayList<>();
        while (tokens.size() < vocabSize && !heap.isEmpty()) {
            long[] top = heap.poll();
            long pair = top[1];
            long cur = pc.count(pair);
            if (cur != top[0]) {
                if (cur > 0) heap.add(new long[] {cur, pair});
                continue;
            }
            if (cur < minFrequency) break;
            int a = (int) (pair >>> 32), b = (int) pair;
            String merged = tokens.get(a) + tokens.get(b);
            Integer z = tokenIds.get(merged);
            if (z == null) {
                z = tokens.size();
                tokens.add(merged);
                tokenIds.put(merged, z);
            }
            merges.add(pair);
            stamp++;
            changed.clear();
            int[] where = pc.words(pair);
            int nWhere = pc.wordCount(pair);
            for (int k = 0; k < nWhere; k++) {
                int w = where[k];
                if (seen[w] == stamp) continue;
                seen[w] = stamp;
                int[] s = words[w];
                if (!contains(s, a, b)) continue;
                long c = counts[w];
                for (int i = 0; i + 1 < s.length; i++) {
                    long kk = key(s[i], s[i + 1]);
                    pc.add(kk, -c, -1);
                    changed.add(kk);
                }
                int[] t = merge(s, a, b, z);
                for (int i = 0; i + 1 < t.length; i++) {
                    long kk = key(t[i], t[i + 1]);
                    pc.add(kk, c, w);
                    changed.add(kk);
                }
                words[w] = t;
            }
            pc.remove(pair);
            for (long kk : changed) {
                long c = pc.count(kk);
                if (c > 0 && kk != pair) heap.add(new long[] {c, kk});
            }
        }
        long[] m = new long[merges.size()];
        for (int i = 0; i < m.length; i++) m[i] = merges.get(i);
        return new ByteBpeTokenizer(tokens.toArray(new String[0]), m);
    }

    private static int compareEntries(long[] x, long[] y) {
        if (x[0] != y[0]) return Long.compare(y[0], x[0]);
        return Long.compare(x[1], y[1]);
    }

    static long key(int a, int b) {
        return ((long) a << 32) | (b & 0xFFFFFFFFL);
    }

    private static boolean contains(int[] s, int a, int b) {
        for (int i = 0; i + 1 < s.length; i++) {
            if (s[i] == a && s[i + 1] == b) return true;
        }
        return false;
    }

    /** Replaces non-overlapping occurrences of (a, b), left to right, with z. */
    static int[] merge(int[] s, int a, int b, int z) {
        int[] out = new int[s.length];
        int n = 0;
        for (int i = 0; i < s.length; i++) {
            if (i + 1 < s.length && s[i] == a && s[i + 1] == b) {
                out[n++] = z;
                i++;
            } else {
                out[n++] = s[i];
            }
        }
        return Arrays.copyOf(out, n);
    }

    /**
     * Pre-token frequencies of text: split on special-token texts (which are dropped), then
     * {@link PreTokenizer}. Parallel over chunks that start right after a newline and at a non-space
     * character, which no pre-token or special token can span.
     */
    public static Map<String, Long> countWords(CharSequence text, int threads) {
        int n = text.length();
        int chunks = Math.max(1, Math.min(threads * 8, n / (1 << 16)));
        int[] bounds = new int[chunks + 1];
        bounds[chunks] = n;
        for (int c = 1; c < chunks; c++) {
            int i = Math.max(bounds[c - 1], (int) ((long) n * c / chunks));
            while (i < n
                    && !(i > 0
                            && text.charAt(i - 1) == '\n'
                            && !Character.isWhitespace(text.charAt(i))
                            && !Character.isLowSurrogate(text.charAt(i)))) {
                i++;
            }
            bounds[c] = i;
        }
        List<Map<String, long[]>> parts;
        if (threads == 1 || chunks == 1) {
            parts = List.of(countChunk(text, 0, n));
        } else {
            java.util.concurrent.ForkJoinPool pool = new java.util.concurrent.ForkJoinPool(threads);
            try {
                parts = pool.submit(() -> IntStream.range(0, chunks)
                                .parallel()
                                .mapToObj(c -> countChunk(text, bounds[c], bounds[c + 1]))
                                .toList())
                        .join();
            } finally {
                pool.shutdown();
            }
        }
        Map<String, Long> out = new HashMap<>();
        for (Map<String, long[]> p : parts) {
            for (Map.Entry<String, long[]> e : p.entrySet()) out.merge(e.getKey(), e.getValue()[0], Long::sum);
        }
        return out;
    }

    private static Map<String, long[]> countChunk(CharSequence text, int from, int to) {
        Map<String, long[]> counts = new HashMap<>();
        int start = from;
        int i = from;
        while (i < to) {
            int sp = text.charAt(i) == '<' ? ByteBpeTokenizer.specialAt(text, i) : -1;
            if (sp < 0 || i + ByteBpeTokenizer.SPECIALS[sp].length() > to) {
                i++;
                continue;
            }
            if (start < i) countSegment(text.subSequence(start, i), counts);
            i += ByteBpeTokenizer.SPECIALS[sp].length();
            start = i;
        }
        if (start < to) countSegment(text.subSequence(start, to), counts);
        return counts;
    }

    private static void countSegment(CharSequence seg, Map<String, long[]> counts) {
        PreTokenizer.split(seg, piece -> counts.computeIfAbsent(piece, k -> new long[1])[0]++);
    }

    /** Pair counts and, per pair, the words that (may) contain it. */
    private static final class PairCounts {
        private final HashMap<Long, long[]> counts = new HashMap<>();
        private final HashMap<Long, int[]> where = new HashMap<>();

        /** Adds delta to the pair's count; records word w (if >= 0) as containing the pair. */
        void add(long pair, long delta, int w) {
            long[] c = counts.get(pair);
            if (c == null) {
                c = new long[1];
                counts.put(pair, c);
            }
            c[0] += delta;
            if (w >= 0) {
                int[] ws = where.get(pair);
                if (ws == null) {
                    ws = new int[5];
                    where.put(pair, ws);
                }
                int n = ws[0];
                if (n > 0 && ws[n] == w) return; // the same word right before: skip the duplicate
                if (n + 1 == ws.length) {
                    ws = Arrays.copyOf(ws, ws.length * 2);
                    where.put(pair, ws);
                }
                ws[n + 1] = w;
                ws[0] = n + 1;
            }
        }

        long count(long pair) {
            long[] c = counts.get(pair);
            return c == null ? 0 : c[0];
        }

        /** Word indices (with possible duplicates and stale entries), from index 0 to wordCount - 1. */
        int[] words(long pair) {
            int[] ws = where.get(pair);
            return ws == null ? new int[0] : Arrays.copyOfRange(ws, 1, ws[0] + 1);
        }

        int wordCount(long pair) {
            int[] ws = where.get(pair);
            return ws == null ? 0 : ws[0];
        }

        void remove(long pair) {
            counts.remove(pair);
            where.remove(pair);
        }

        void forEach(java.util.function.BiConsumer<Long, Long> f) {
            for (Map.Entry<Long, long[]> e : counts.entrySet()) {
                if (e.getValue()[0] > 0) f.accept(e.getKey(), e.getValue()[0]);
            }
        }
    }
}
