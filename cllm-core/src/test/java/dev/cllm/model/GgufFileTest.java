package dev.cllm.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cllm.CllmException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufFileTest {
    @TempDir
    Path dir;

    private static ByteBuffer floats(float... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) b.putFloat(x);
        return b.flip();
    }

    @Test
    void everyMetadataTypeAndTensorRoundTrips() {
        Map<String, GgufValue> m = new LinkedHashMap<>();
        m.put("u8", new GgufValue(GgufValueType.UINT8, null, 255L));
        m.put("i8", new GgufValue(GgufValueType.INT8, null, -128L));
        m.put("u16", new GgufValue(GgufValueType.UINT16, null, 65535L));
        m.put("i16", new GgufValue(GgufValueType.INT16, null, -32768L));
        m.put("u32", GgufValue.uint32(4294967295L));
        m.put("i32", GgufValue.int32(-7));
        m.put("u64", GgufValue.uint64(-1L));
        m.put("i64", new GgufValue(GgufValueType.INT64, null, Long.MIN_VALUE));
        m.put("f32", GgufValue.float32(1.5e-5f));
        m.put("f64", new GgufValue(GgufValueType.FLOAT64, null, Math.PI));
        m.put("bool", GgufValue.bool(true));
        m.put("string", GgufValue.string("héllo ▁ 😀"));
        m.put("strings", GgufValue.strings(new String[] {"a", "", "ü b"}));
        m.put("floats", GgufValue.float32s(new float[] {1, -2, Float.NaN}));
        m.put("ints", GgufValue.int32s(new int[] {3, -3}));
        m.put("bools", new GgufValue(GgufValueType.ARRAY, GgufValueType.BOOL, new boolean[] {true, false}));
        m.put("doubles", new GgufValue(GgufValueType.ARRAY, GgufValueType.FLOAT64, new double[] {0.25}));
        m.put("nested", new GgufValue(GgufValueType.ARRAY, GgufValueType.ARRAY, new GgufValue[] {
            GgufValue.int32s(new int[] {1, 2}), GgufValue.strings(new String[] {"x"})
        }));
        Path file = dir.resolve("all.gguf");
        GgufWriter.writeFile(
                file,
                m,
                List.of(
                        new GgufWriter.Entry("a", GgmlType.F32, new long[] {2, 3}, () -> floats(1, 2, 3, 4, 5, 6)),
                        new GgufWriter.Entry("b", GgmlType.F32, new long[] {1}, () -> floats(7))));
        GgufFile f = GgufFile.open(file);
        assertEquals(3, f.version());
        assertEquals(m.keySet(), f.metadata().keySet());
        for (Map.Entry<String, GgufValue> e : m.entrySet()) {
            GgufValue r = f.metadata().get(e.getKey());
            assertEquals(e.getValue().type(), r.type(), e.getKey());
            assertEquals(e.getValue().elementType(), r.elementType(), e.getKey());
            if (e.getKey().equals("nested")) {
                GgufValue[] n = (GgufValue[]) r.value();
                assertArrayEquals(new long[] {1, 2}, (long[]) n[0].value());
                assertArrayEquals(new String[] {"x"}, (String[]) n[1].value());
            } else {
                assertTrue(
                        Arrays.deepEquals(new Object[] {e.getValue().value()}, new Object[] {r.value()}),
                        e.getKey() + ": " + r.describe());
            }
        }
        assertArrayEquals(new long[] {3, 2}, f.tensors().get("a").dims(), "ggml dims: row length first");
        assertArrayEquals(new long[] {2, 3}, f.tensors().get("a").shape());
        assertEquals(4f, f.data("a").getFloat(12));
        assertEquals(7f, f.data("b").getFloat(0));
        assertEquals(0, f.dataStart() % 32);
        assertEquals(32, f.tensors().get("b").offset(), "offsets are aligned to 32");
        assertNull(GgufFile.readHeader(file).data("a"), "readHeader maps nothing");
    }

    @Test
    void generalAlignmentIsHonoured() {
        Map<String, GgufValue> m = Map.of(GgufFile.ALIGNMENT_KEY, GgufValue.uint32(64));
        Path file = dir.resolve("aligned.gguf");
        GgufWriter.writeFile(
                file,
                m,
                List.of(
                        new GgufWriter.Entry("a", GgmlType.F32, new long[] {3}, () -> floats(1, 2, 3)),
                        new GgufWriter.Entry("b", GgmlType.F32, new long[] {2}, () -> floats(4, 5))));
        GgufFile f = GgufFile.open(file);
        assertEquals(64, f.alignment());
        assertEquals(0, f.dataStart() % 64);
        assertEquals(64, f.tensors().get("b").offset());
        assertEquals(5f, f.data("b").getFloat(4));
    }

    /** A valid small file: two tensors, a few keys. */
    private static GgufBytes small() {
        GgufBytes b = new GgufBytes()
                .header(3, 2, 2)
                .kvString("general.architecture", "llama")
                .kvU32("x", 7);
        b.tensorInfo("a", new long[] {2, 32}, GgmlType.Q8_0, 0).tensorInfo("b", new long[] {4}, GgmlType.F32, 96);
        b.padTo(32);
        b.raw(new byte[68]).padTo(32).raw(floats(1, 2, 3, 4).array());
        return b;
    }

    private CllmException error(byte[] bytes) throws IOException {
        Path file = Files.write(dir.resolve("e.gguf"), bytes);
        CllmException e = assertThrows(CllmException.class, () -> GgufFile.open(file));
        assertTrue(e.getMessage().startsWith(file.toString()) && !e.getMessage().contains("\n"), e.getMessage());
        return e;
    }

    private void assertBad(byte[] bytes, String fragment) throws IOException {
        CllmException e = error(bytes);
        assertEquals(CllmException.Status.BAD_FORMAT, e.status(), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), fragment + " in: " + e.getMessage());
    }

    private static byte[] with(byte[] file, int at, long value, int width) {
        byte[] out = file.clone();
        for (int i = 0; i < width; i++) out[at + i] = (byte) (value >>> (8 * i));
        return out;
    }

    private static int field(GgufBytes b, String kind, int nth) {
        return b.fields().stream()
                .filter(f -> f.kind().equals(kind))
                .skip(nth)
                .findFirst()
                .orElseThrow()
                .offset();
    }

    @Test
    void headerProblemsAreOneLineErrorsNamingWhatIsWrong() throws IOException {
        GgufBytes b = small();
        byte[] good = b.toByteArray();
        Path ok = Files.write(dir.resolve("ok.gguf"), good);
        assertEquals(2, GgufFile.open(ok).tensors().size());

        assertBad(with(good, 0, 0x46554746L, 4), "not a GGUF file: magic");
        CllmException v1 = error(with(good, 4, 1, 4));
        assertEquals(CllmException.Status.UNSUPPORTED, v1.status());
        assertTrue(v1.getMessage().contains("version 1"), v1.getMessage());
        CllmException big = error(with(good, 4, 0x03000000L, 4));
        assertEquals(CllmException.Status.UNSUPPORTED, big.status());
        assertTrue(big.getMessage().contains("big-endian"), big.getMessage());
        assertBad(with(good, 4, 7, 4), "unknown GGUF version 7");
        assertBad(with(good, 8, 1L << 40, 8), "tensor count 1099511627776 cannot fit");
        assertBad(with(good, 16, -1L, 8), "metadata count 18446744073709551615 cannot fit");
        assertBad(
                with(good, field(b, "length", 0), 1L << 40, 8),
                "metadata key #0 at byte 24 claims 1099511627776 bytes");
        assertBad(
                with(good, field(b, "type", 0), 13, 4),
                "metadata key 'general.architecture' has unknown value type 13");
        assertBad(with(good, field(b, "ndims", 0), 5, 4), "tensor a has 5 dimensions");
        assertBad(with(good, field(b, "dim", 0), 33, 8), "rows of 33 values are not whole Q8_0 blocks");
        assertBad(with(good, field(b, "dim", 1), 4, 8), "lie outside the data section");
        assertBad(with(good, field(b, "dim", 1), 1L << 62, 8), "overflow");
        assertBad(with(good, field(b, "offset", 1), 48, 8), "offset 48 is not a multiple of the alignment 32");
        assertBad(with(good, field(b, "offset", 1), 64, 8), "tensors a and b overlap");
        CllmException type = error(with(good, field(b, "type", 1 + 1), 200, 4));
        assertEquals(CllmException.Status.UNSUPPORTED, type.status());
        assertTrue(type.getMessage().contains("tensor a has ggml type 200"), type.getMessage());
        byte[] dup = small().toByteArray();
        int second = new String(dup, java.nio.charset.StandardCharsets.ISO_8859_1)
                .indexOf("\u0001\u0000\u0000\u0000" + "\u0000\u0000\u0000\u0000b");
        dup[second + 8] = 'a';
        assertBad(dup, "duplicate tensor a");
        // Every truncation of the file is a clean error, whichever field it cuts.
        for (int n = 0; n < good.length; n++) {
            CllmException e = error(Arrays.copyOf(good, n));
            assertEquals(CllmException.Status.BAD_FORMAT, e.status(), n + ": " + e.getMessage());
        }
    }
}
