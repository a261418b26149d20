package dev.cllm.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cllm.CllmException;
import dev.cllm.tokenizer.GgufVocabulary;
import dev.cllm.tokenizer.Tokenizer;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded fuzzing of the GGUF reader, the Llama loader and the GGUF tokenizers: header fields (counts,
 * lengths, types, dimensions, offsets, version) set to hostile values, flipped bits in the header and
 * metadata, truncation, deleted or repeated header bytes, and spliced files. Whatever the file, loading
 * either succeeds with every tensor inside the file and a working tokenizer, or throws a
 * {@link CllmException} with a one-line message; nothing else (no IndexOutOfBounds, OutOfMemoryError,
 * NegativeArraySize, ...).
 */
class GgufFuzzTest {
    private static final int CASES = 3000;
    private static final long[] INTERESTING = {
        0,
        1,
        2,
        3,
        4,
        7,
        8,
        15,
        16,
        31,
        32,
        33,
        64,
        255,
        256,
        1023,
        65535,
        65536,
        0x7fffffffL,
        0x80000000L,
        0xffffffffL,
        0x100000000L,
        1L << 40,
        Long.MAX_VALUE,
        Long.MIN_VALUE,
        -1L,
        -2L
    };

    @TempDir
    Path dir;

    private record Base(byte[] bytes, List<GgufBytes.Field> fields) {}

    private static List<Base> bases() {
        List<Base> out = new ArrayList<>();
        LlamaConfig gpt2 = new LlamaConfig(
                32, 64, 1, 2, 1, 16, TinyGguf.tokens(TinyGguf.Vocab.GPT2).length, 16, 10000f, 1e-5f, true, -1, -1);
        GgmlType[] small = {GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q5_1};
        int[] next = {0};
        GgufBytes a = TinyGguf.build(gpt2, n -> small[next[0]++ % small.length], TinyGguf.Vocab.GPT2, 1);
        out.add(new Base(a.toByteArray(), a.fields()));
        LlamaConfig llama = new LlamaConfig(
                256, 32, 1, 2, 1, 128, TinyGguf.tokens(TinyGguf.Vocab.LLAMA).length, 16, 10000f, 1e-5f, false, -1, -1);
        GgmlType[] k = {GgmlType.Q4_K, GgmlType.Q6_K, GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q5_K, GgmlType.Q4_1};
        int[] next2 = {0};
        GgufBytes b = TinyGguf.build(
                llama, n -> n.contains("ffn_down") ? GgmlType.Q5_0 : k[next2[0]++ % k.length], TinyGguf.Vocab.LLAMA, 2);
        out.add(new Base(b.toByteArray(), b.fields()));
        return out;
    }

    @Test
    void corruptedFilesOnlyEverRaiseCllmException() throws Exception {
        List<Base> bases = bases();
        for (Base base : bases) assertEquals("ok", load(write(base.bytes(), "base")), "the base files load");
        int accepted = 0, rejected = 0;
        for (int seed = 0; seed < CASES; seed++) {
            Random random = new Random(seed);
            Base base = bases.get(random.nextInt(bases.size()));
            byte[] mutated = mutate(base, bases, random);
            Path file = write(mutated, "case" + seed);
            try {
                String result = load(file);
                if (result.equals("ok")) accepted++;
                else rejected++;
            } catch (Throwable t) {
                fail("seed " + seed + ": " + t, t);
            } finally {
                Files.delete(file);
            }
        }
        assertEquals(CASES, accepted + rejected);
        assertTrue(rejected > CASES / 2, "most corruptions are rejected: " + rejected);
        assertTrue(accepted > 0, "some corruptions are harmless: " + accepted);
    }

    private Path write(byte[] bytes, String name) throws Exception {
        return Files.write(dir.resolve(name + ".gguf"), bytes);
    }

    /** "ok", or the rejection message; any other throwable escapes. */
    private static String load(Path file) {
        try {
            ModelWeights w = GgufCheckpoint.load(file);
            long sum = 0;
            for (Tensor t : w.tensors().values()) {
                ByteBuffer data = t.data();
                assertEquals(t.dtype().byteSize(t.size()), data.remaining());
                for (int i = 0; i < data.remaining(); i += 7) sum += data.get(i);
            }
            assertTrue(sum != Long.MIN_VALUE);
            GgufFile header = GgufFile.readHeader(file);
            Optional<GgufVocabulary> vocab = GgufVocabulary.read(new GgufMetadata(header.metadata(), file), file);
            if (vocab.isPresent()) {
                Tokenizer t = vocab.get().tokenizer(file);
                int[] ids = t.encode("hello hello </s> 12 €");
                t.decode(ids);
                t.decode(new int[] {-1, 0, 1, 2, 300, Integer.MAX_VALUE});
            }
            return "ok";
        } catch (CllmException e) {
            String m = e.getMessage();
            assertTrue(m != null && !m.isEmpty() && !m.contains("\n") && m.startsWith(file.toString()), m);
            return m;
        }
    }

    private static byte[] mutate(Base base, List<Base> bases, Random r) {
        byte[] file = base.bytes().clone();
        List<GgufBytes.Field> fields = base.fields();
        int headerEnd = fields.get(fields.size() - 1).offset() + 8;
        switch (r.nextInt(8)) {
            case 0, 1, 2 -> { // a header field set to a hostile value
                GgufBytes.Field f = pickField(fields, r);
                long old = read(file, f);
                long v = switch (r.nextInt(4)) {
                    case 0 -> INTERESTING[r.nextInt(INTERESTING.length)];
                    case 1 -> old + r.nextInt(9) - 4;
                    case 2 -> file.length + r.nextInt(64) - 32;
                    default -> r.nextLong();
                };
                write(file, f, v);
                return file;
            }
            case 3 -> { // flipped bits in the header and metadata
                int n = 1 + r.nextInt(6);
                for (int i = 0; i < n; i++) file[r.nextInt(headerEnd)] ^= (byte) (1 << r.nextInt(8));
                return file;
            }
            case 4 -> { // truncated
                return Arrays.copyOf(file, r.nextInt(file.length));
            }
            case 5 -> { // header bytes deleted or repeated
                int a = r.nextInt(headerEnd), b = Math.min(headerEnd, a + 1 + r.nextInt(24));
                byte[] head = Arrays.copyOfRange(file, a, b);
                ByteBuffer out = ByteBuffer.allocate(file.length + (r.nextBoolean() ? head.length : -head.length));
                if (out.capacity() > file.length) {
                    out.put(file, 0, b).put(head).put(file, b, file.length - b);
                } else {
                    out.put(file, 0, a).put(file, b, file.length - b);
                }
                return out.array();
            }
            case 6 -> { // the head of one file on the body of another
                byte[] other = bases.get(r.nextInt(bases.size())).bytes();
                int cut = r.nextInt(Math.min(file.length, other.length));
                byte[] out = Arrays.copyOf(file, other.length);
                System.arraycopy(other, cut, out, cut, other.length - cut);
                return out;
            }
            default -> { // several field changes at once
                for (int i = 0; i < 2 + r.nextInt(3); i++) {
                    GgufBytes.Field f = pickField(fields, r);
                    write(file, f, INTERESTING[r.nextInt(INTERESTING.length)]);
                }
                return file;
            }
        }
    }

    /** A field of a kind drawn uniformly (the token strings would otherwise take most draws). */
    private static GgufBytes.Field pickField(List<GgufBytes.Field> fields, Random r) {
        List<String> kinds =
                fields.stream().map(GgufBytes.Field::kind).distinct().sorted().toList();
        String kind = kinds.get(r.nextInt(kinds.size()));
        List<GgufBytes.Field> ofKind =
                fields.stream().filter(f -> f.kind().equals(kind)).toList();
        return ofKind.get(r.nextInt(ofKind.size()));
    }

    private static long read(byte[] file, GgufBytes.Field f) {
        long v = 0;
        for (int i = 0; i < f.width(); i++) v |= (file[f.offset() + i] & 0xffL) << (8 * i);
        return v;
    }

    private static void write(byte[] file, GgufBytes.Field f, long v) {
        for (int i = 0; i < f.width(); i++) file[f.offset() + i] = (byte) (v >>> (8 * i));
    }

    /** The fields the builder recorded cover every kind the mutations aim at. */
    @Test
    void theBasesRecordEveryKindOfField() {
        for (Base b : bases()) {
            List<String> kinds = b.fields().stream()
                    .map(GgufBytes.Field::kind)
                    .distinct()
                    .sorted()
                    .toList();
            assertEquals(List.of("count", "dim", "length", "ndims", "offset", "type", "value", "version"), kinds);
        }
    }
}
