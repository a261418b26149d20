package dev.cllm.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cllm.CllmException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded fuzzing of the safetensors reader: randomly corrupted headers (flipped bytes, changed numbers,
 * huge and negative values, deep nesting, truncation, spliced text) must only ever produce a
 * CllmException, or a file whose every tensor lies inside the file.
 */
class SafetensorsFuzzTest {
    private static final int CASES = 3600;
    private static final Pattern NUMBER = Pattern.compile("-?[0-9]+");
    private static final String[] INTERESTING = {
        "0",
        "1",
        "-1",
        "2",
        "3",
        "4",
        "7",
        "8",
        "16",
        "2147483647",
        "2147483648",
        "-2147483648",
        "4294967295",
        "4294967296",
        "4611686018427387904",
        "9223372036854775807",
        "-9223372036854775808",
        "9223372036854775808",
        "18446744073709551615",
        "18446744073709551616",
        "99999999999999999999999999",
        "1e308",
        "1.5",
        "-0",
        "0.0",
        "1E2",
        "NaN",
        "\"7\"",
        "null",
        "true",
        "[]",
        "{}"
    };
    private static final String[] DTYPES = {
        "F32",
        "F16",
        "BF16",
        "I64",
        "F64",
        "U8",
        "BOOL",
        "F8_E4M3",
        "",
        "f32",
        "F32 ",
        "\u00e9",
        "\\u0046\\u0033\\u0032"
    };

    @TempDir
    Path dir;

    @Test
    void corruptedHeadersOnlyEverRaiseCllmException() throws Exception {
        List<byte[]> bases = bases();
        int accepted = 0, rejected = 0;
        for (int seed = 0; seed < CASES; seed++) {
            Random random = new Random(seed);
            byte[] base = bases.get(random.nextInt(bases.size()));
            byte[] mutated = mutate(base, random);
            int rounds = random.nextInt(4) == 0 ? 1 + random.nextInt(3) : 0;
            for (int i = 0; i < rounds; i++) mutated = mutate(mutated, random);
            Path file = dir.resolve("case" + seed + ".safetensors");
            Files.write(file, mutated);
            try {
                SafetensorsFile st = SafetensorsFile.open(file);
                long total = 0;
                for (Tensor t : st.tensors().values()) {
                    ByteBuffer data = t.data();
                    assertEquals(t.size() * t.dtype().bytes(), data.remaining());
                    for (int i = 0; i < data.remaining(); i++) total += data.get(i);
                }
                assertTrue(total != Long.MIN_VALUE);
                accepted++;
            } catch (CllmException e) {
                assertTrue(e.getMessage() != null && !e.getMessage().isEmpty());
                rejected++;
            } catch (Throwable t) {
                fail("seed " + seed + ": " + t + " for header " + headerPreview(mutated), t);
            } finally {
                Files.delete(file);
            }
        }
        assertEquals(CASES, accepted + rejected);
        assertTrue(rejected > CASES / 2, "most corruptions are rejected: " + rejected);
        assertTrue(accepted > 0, "some corruptions are harmless: " + accepted);
    }

    private static List<byte[]> bases() throws Exception {
        List<byte[]> out = new ArrayList<>();
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("model.embed_tokens.weight", Tensor.ofFloats("e", new long[] {4, 3}, new float[12]));
        tensors.put("model.norm.weight", Tensor.ofFloats("n", new long[] {3}, new float[] {1, 2, 3}));
        tensors.put("empty", Tensor.ofFloats("z", new long[] {0, 7}, new float[0]));
        Path tmp = Files.createTempFile("fuzz-base", ".safetensors");
        try {
            for (DType d : DType.values()) {
                if (d.safetensorsName() == null) continue; // Q8_0: GGUF only
                CheckpointWriter.writeSafetensors(tensors, tmp, d, Map.of("format", "pt"));
                out.add(Files.readAllBytes(tmp));
            }
            CheckpointWriter.writeSafetensors(tensors, tmp, null, Map.of());
            out.add(Files.readAllBytes(tmp));
        } finally {
            Files.deleteIfExists(tmp);
        }
        out.add(SafetensorsBytes.of(
                "{\"__metadata__\":{\"a\":\"b\"},"
                        + SafetensorsBytes.entry("x", "BF16", "[2,2,2]", 0, 16) + ","
                        + SafetensorsBytes.entry("y", "F16", "[1]", 16, 18) + "}   ",
                18));
        return out;
    }

    private static byte[] mutate(byte[] file, Random r) {
        if (file.length < 8) return Arrays.copyOf(file, r.nextInt(16));
        int headerLength = file.length >= 8
                ? (int) Math.max(
                        0,
                        Math.min(
                                file.length - 8,
                                ByteBuffer.wrap(file)
                                        .order(ByteOrder.LITTLE_ENDIAN)
                                        .getLong(0)))
                : 0;
        String header = new String(
                file,
                8 < file.length ? 8 : file.length,
                Math.max(0, Math.min(headerLength, file.length - 8)),
                StandardCharsets.UTF_8);
        byte[] data =
                file.length > 8 + headerLength ? Arrays.copyOfRange(file, 8 + headerLength, file.length) : new byte[0];
        switch (r.nextInt(10)) {
            case 0 -> { // flip bytes anywhere in prefix + header
                byte[] out = file.clone();
                int n = 1 + r.nextInt(4);
                for (int i = 0; i < n && out.length > 0; i++) {
                    int at = r.nextInt(Math.min(out.length, 8 + headerLength + 1));
                    out[at] ^= (byte) (1 << r.nextInt(8));
                }
                return out;
            }
            case 1 -> { // change a number
                return rebuild(replaceRandom(header, NUMBER, r, pick(r)), data, r);
            }
            case 2 -> { // a hostile length prefix
                byte[] out = file.clone();
                long[] lengths = {
                    1L << 62,
                    -1L,
                    Long.MIN_VALUE,
                    Long.MAX_VALUE,
                    0,
                    1,
                    7,
                    headerLength + 1L,
                    headerLength - 1L,
                    file.length,
                    file.length - 8L,
                    1L << 32,
                    100_000_001L,
                    r.nextLong()
                };
                if (out.length >= 8) {
                    ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putLong(0, lengths[r.nextInt(lengths.length)]);
                }
                return out;
            }
            case 3 -> { // truncate
                return Arrays.copyOf(file, r.nextInt(file.length + 1));
            }
            case 4 -> { // deep nesting in place of a value
                int depth = r.nextBoolean() ? 1 + r.nextInt(200) : 1 + r.nextInt(200_000);
                String nested = r.nextBoolean()
                        ? "[".repeat(depth) + "]".repeat(depth)
                        : "{\"a\":".repeat(depth) + "1" + "}".repeat(depth);
                String target = r.nextBoolean() ? "[" : "{";
                int at = header.indexOf(target, 1 + r.nextInt(Math.max(1, header.length())));
                if (at < 0) at = Math.max(0, header.length() - 1);
                String h = header.substring(0, at) + nested + (r.nextBoolean() ? "" : ",") + header.substring(at);
                return rebuild(h, data, r);
            }
            case 5 -> { // another dtype
                return rebuild(
                        replaceRandom(
                                header,
                                Pattern.compile("\"(F32|F16|BF16)\""),
                                r,
                                "\"" + DTYPES[r.nextInt(DTYPES.length)] + "\""),
                        data,
                        r);
            }
            case 6 -> { // delete or duplicate a range of header text
                if (header.isEmpty()) return file;
                int a = r.nextInt(header.length()), b = a + r.nextInt(Math.min(40, header.length() - a) + 1);
                String h = r.nextBoolean()
                        ? header.substring(0, a) + header.substring(b)
                        : header.substring(0, b) + header.substring(a);
                return rebuild(h, data, r);
            }
            case 7 -> { // random bytes as the header
                byte[] junk = new byte[r.nextInt(64)];
                r.nextBytes(junk);
                if (junk.length > 0 && r.nextBoolean()) junk[0] = '{';
                ByteBuffer b =
                        ByteBuffer.allocate(8 + junk.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
                b.putLong(junk.length).put(junk).put(data);
                return b.array();
            }
            case 8 -> { // swap offsets / shapes between entries
                Matcher m = Pattern.compile("\\[[-0-9,]*\\]").matcher(header);
                List<String> arrays = new ArrayList<>();
                while (m.find()) arrays.add(m.group());
                if (arrays.isEmpty()) return file;
                String h = replaceRandom(
                        header, Pattern.compile("\\[[-0-9,]*\\]"), r, arrays.get(r.nextInt(arrays.size())));
                return rebuild(h, data, r);
            }
            default -> { // grow or shrink the data section
                int newLength = Math.max(0, data.length + r.nextInt(17) - 8);
                return rebuild(header, Arrays.copyOf(data, newLength), r);
            }
        }
    }

    private static String pick(Random r) {
        return r.nextInt(3) == 0 ? Long.toString(r.nextLong()) : INTERESTING[r.nextInt(INTERESTING.length)];
    }

    private static String replaceRandom(String text, Pattern pattern, Random r, String replacement) {
        Matcher m = pattern.matcher(text);
        List<int[]> spans = new ArrayList<>();
        while (m.find()) spans.add(new int[] {m.start(), m.end()});
        if (spans.isEmpty()) return text;
        int[] s = spans.get(r.nextInt(spans.size()));
        return text.substring(0, s[0]) + replacement + text.substring(s[1]);
    }

    /** Header text + data with a consistent length prefix (or, sometimes, a stale one). */
    private static byte[] rebuild(String header, byte[] data, Random r) {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        long length = r.nextInt(8) == 0 ? json.length + r.nextInt(5) - 2 : json.length;
        ByteBuffer b = ByteBuffer.allocate(8 + json.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(length).put(json).put(data);
        return b.array();
    }

    private static String headerPreview(byte[] file) {
        String s = new String(file, 0, Math.min(file.length, 300), StandardCharsets.ISO_8859_1);
        return s.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
