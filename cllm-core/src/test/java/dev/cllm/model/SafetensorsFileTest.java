package dev.cllm.model;

import static dev.cllm.model.SafetensorsBytes.entry;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cllm.CllmException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsFileTest {
    @TempDir
    Path dir;

    private Path file(String header, int dataBytes) {
        return SafetensorsBytes.write(dir.resolve("t.safetensors"), SafetensorsBytes.of(header, dataBytes));
    }

    private CllmException bad(String header, int dataBytes, String... expectedFragments) {
        Path f = file(header, dataBytes);
        CllmException e = assertThrows(CllmException.class, () -> SafetensorsFile.open(f));
        assertEquals(CllmException.Status.BAD_FORMAT, e.status(), e.getMessage());
        assertTrue(e.getMessage().contains(f.toString()), "names the file: " + e.getMessage());
        for (String s : expectedFragments) assertTrue(e.getMessage().contains(s), "'" + s + "' in: " + e.getMessage());
        return e;
    }

    @Test
    void readsTensorsMetadataAndBytes() {
        String header = "{\"__metadata__\":{\"format\":\"pt\"}," + entry("a", "F32", "[2,2]", 0, 16) + ","
                + entry("b", "BF16", "[3]", 16, 22) + "," + entry("c", "F16", "[0,5]", 22, 22) + "}";
        SafetensorsFile f = SafetensorsFile.open(file(header, 22));
        assertEquals(List.of("a", "b", "c"), List.copyOf(f.tensors().keySet()));
        assertEquals("pt", f.metadata().get("format"));
        Tensor a = f.tensor("a");
        assertEquals(DType.F32, a.dtype());
        assertArrayEquals(new long[] {2, 2}, a.shape());
        assertTrue(a.data().isDirect(), "memory-mapped, not copied to the heap");
        for (int i = 0; i < 16; i++) assertEquals((byte) i, a.data().get(i));
        Tensor b = f.tensor("b");
        assertEquals(DType.BF16, b.dtype());
        assertEquals(6, b.data().remaining());
        assertEquals((byte) 16, b.data().get(0));
        assertEquals(0, f.tensor("c").data().remaining());
    }

    @Test
    void headerPaddedWithSpacesAndUnknownEntryFieldsAreAccepted() {
        String header = "{" + entry("a", "F32", "[1]", 0, 4).replace("}", ",\"extra\":[1,{\"x\":2}]}") + "}      ";
        assertEquals(1, SafetensorsFile.open(file(header, 4)).tensors().size());
    }

    @Test
    void rejectsFilesShorterThanTheLengthPrefix() throws Exception {
        Path f = dir.resolve("short.safetensors");
        Files.write(f, new byte[] {1, 2, 3});
        CllmException e = assertThrows(CllmException.class, () -> SafetensorsFile.open(f));
        assertEquals(CllmException.Status.BAD_FORMAT, e.status());
        assertTrue(e.getMessage().contains("3 bytes"), e.getMessage());
    }

    @Test
    void rejectsHeaderLengthBeyondTheFile() {
        for (long length : new long[] {1L << 62, -1L, Long.MIN_VALUE, 1_000_000, 0, 1}) {
            ByteBuffer b = ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN);
            b.putLong(length).put("{}".getBytes(StandardCharsets.US_ASCII));
            Path f = SafetensorsBytes.write(dir.resolve("len.safetensors"), b.array());
            CllmException e = assertThrows(CllmException.class, () -> SafetensorsFile.open(f), "length " + length);
            assertTrue(e.getMessage().contains("header length"), e.getMessage());
        }
    }

    @Test
    void rejectsTruncatedData() {
        String header = "{" + entry("a", "F32", "[4]", 0, 16) + "}";
        bad(header, 10, "tensor a", "outside the data section of 10 bytes");
    }

    @Test
    void rejectsTruncatedHeader() throws Exception {
        byte[] whole = SafetensorsBytes.of("{" + entry("a", "F32", "[4]", 0, 16) + "}", 16);
        Path f = SafetensorsBytes.write(dir.resolve("cut.safetensors"), Arrays.copyOf(whole, 30));
        CllmException e = assertThrows(CllmException.class, () -> SafetensorsFile.open(f));
        assertTrue(e.getMessage().contains("header length"), e.getMessage());
    }

    @Test
    void rejectsSizeThatContradictsTheShape() {
        bad("{" + entry("a", "F32", "[5]", 0, 16) + "}", 16, "tensor a", "needs 20 bytes", "hold 16");
        bad("{" + entry("a", "BF16", "[4]", 0, 16) + "}", 16, "needs 8 bytes");
    }

    @Test
    void rejectsOffsetsOutsideOrReversed() {
        bad("{" + entry("a", "F32", "[1]", 16, 20) + "}", 16, "outside the data section");
        bad("{" + entry("a", "F32", "[1]", 8, 4) + "}", 16, "begin 8 > end 4");
        bad("{" + entry("a", "F32", "[1]", -4, 0) + "}", 16, "negative data_offsets");
        bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", 16, "data_offsets must be [begin, end]");
        bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}}", 16, "more than 2");
        bad(
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,99999999999999999999]}}",
                16,
                "not a 64-bit integer");
        bad("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4.0]}}", 16, "not a 64-bit integer");
    }

    @Test
    void rejectsOverlappingTensors() {
        String header = "{" + entry("a", "F32", "[2]", 0, 8) + "," + entry("b", "F32", "[2]", 4, 12) + "}";
        bad(header, 16, "tensors a", "and b", "overlap");
        String same = "{" + entry("a", "F32", "[2]", 0, 8) + "," + entry("b", "F32", "[2]", 0, 8) + "}";
        bad(same, 16, "overlap");
    }

    @Test
    void rejectsUnsupportedDtypeNamingTheTensor() {
        bad("{" + entry("w", "I64", "[2]", 0, 16) + "}", 16, "unsupported dtype 'I64' for tensor w");
        bad("{" + entry("w", "F64", "[2]", 0, 16) + "}", 16, "unsupported dtype 'F64' for tensor w");
    }

    @Test
    void rejectsBadShapes() {
        bad("{" + entry("a", "F32", "[-1,4]", 0, 16) + "}", 16, "negative dimension");
        bad("{" + entry("a", "F32", "[4611686018427387904,4]", 0, 16) + "}", 16, "overflows");
        bad("{" + entry("a", "F32", "[4294967296,4294967296]", 0, 16) + "}", 16, "overflows");
        bad("{\"a\":{\"dtype\":\"F32\",\"shape\":\"4\",\"data_offsets\":[0,16]}}", 16, "shape must be an array");
        bad("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,16]}}", 16, "missing shape");
        bad("{\"a\":{\"shape\":[4],\"data_offsets\":[0,16]}}", 16, "missing dtype");
    }

    @Test
    void rejectsMalformedJson() {
        bad("{\"a\":", 16, "malformed");
        bad("[1,2]", 16, "not a JSON object");
        bad("{\"a\":{}} trailing", 16);
        bad("{\"a\":1}", 16, "entry must be a JSON object");
        bad(
                "{" + entry("a", "F32", "[1]", 0, 4) + "," + entry("a", "F32", "[1]", 4, 8) + "}",
                16,
                "duplicate tensor a");
        bad("{\"__metadata__\":{\"k\":1}}", 16, "__metadata__");
        bad("{\"__metadata__\":[]}", 16, "__metadata__");
        bad("[".repeat(100_000), 16, "nests deeper");
        bad("{\"a\":" + "[".repeat(65) + "]".repeat(65) + "}", 16, "nests deeper");
    }

    @Test
    void rejectsInvalidUtf8() {
        byte[] bytes = SafetensorsBytes.of("{\"a\u00e9\":1}", 4);
        bytes[8 + 3] = (byte) 0xff;
        Path f = SafetensorsBytes.write(dir.resolve("utf.safetensors"), bytes);
        CllmException e = assertThrows(CllmException.class, () -> SafetensorsFile.open(f));
        assertTrue(e.getMessage().contains("UTF-8"), e.getMessage());
    }

    @Test
    void missingFileIsAnIoError() {
        CllmException e =
                assertThrows(CllmException.class, () -> SafetensorsFile.open(dir.resolve("nope.safetensors")));
        assertEquals(CllmException.Status.IO, e.status());
        assertTrue(e.getMessage().contains("nope.safetensors"));
    }

    /** A sparse file over 4 GiB: tensors beyond the 2 GiB mark read correctly; a tensor over 2 GiB is refused. */
    @Test
    void filesOverTwoGibibytesWork() throws Exception {
        long gib = 1L << 30;
        long quarter = gib / 4; // F32 elements in one GiB
        String header = "{" + entry("pad0", "F32", "[" + quarter + "]", 0, gib) + ","
                + entry("pad1", "F32", "[" + quarter + "]", gib, 2 * gib) + ","
                + entry("pad2", "F32", "[" + quarter + "]", 2 * gib, 3 * gib) + ","
                + entry("pad3", "F32", "[" + quarter + "]", 3 * gib, 4 * gib) + ","
                + entry("tail", "F32", "[3]", 4 * gib, 4 * gib + 12) + "}";
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        Path f = dir.resolve("big.safetensors");
        long dataStart = 8 + json.length;
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            ByteBuffer head =
                    ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length);
            raf.write(head.array());
            raf.write(json);
            raf.setLength(dataStart + 4 * gib + 12);
            raf.seek(dataStart + 4 * gib);
            ByteBuffer tail = ByteBuffer.allocate(12)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .putFloat(1.5f)
                    .putFloat(-2f)
                    .putFloat(3.25f);
            raf.write(tail.array());
        }
        SafetensorsFile st = SafetensorsFile.open(f);
        assertArrayEquals(new float[] {1.5f, -2f, 3.25f}, st.tensor("tail").toFloatArray());
        assertEquals(0f, st.tensor("pad3").getFloat(quarter - 1));

        String huge = "{" + entry("huge", "F32", "[" + (3 * quarter) + "]", 0, 3 * gib) + "}";
        byte[] hugeJson = huge.getBytes(StandardCharsets.UTF_8);
        Path g = dir.resolve("huge.safetensors");
        try (RandomAccessFile raf = new RandomAccessFile(g.toFile(), "rw")) {
            raf.write(ByteBuffer.allocate(8)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .putLong(hugeJson.length)
                    .array());
            raf.write(hugeJson);
            raf.setLength(8 + hugeJson.length + 3 * gib);
        }
        CllmException e = assertThrows(CllmException.class, () -> SafetensorsFile.open(g));
        assertEquals(CllmException.Status.UNSUPPORTED, e.status());
        assertTrue(e.getMessage().contains("tensor huge") && e.getMessage().contains("over 2 GiB"), e.getMessage());
    }
}
