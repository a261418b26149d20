package dev.cllm.model;

import dev.cllm.CllmException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Reads the little-endian header of a GGUF file from a buffer, checking before every read that the bytes
 * are there: a short file is a BAD_FORMAT error naming the file, the byte offset and what was being read.
 */
final class GgufCursor {
    private final ByteBuffer buffer;
    private final Object source;
    private final long fileSize;

    GgufCursor(ByteBuffer buffer, Object source, long fileSize) {
        this.buffer = buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        this.source = source;
        this.fileSize = fileSize;
    }

    long position() {
        return buffer.position();
    }

    long remaining() {
        return buffer.remaining();
    }

    private void need(long bytes, String what) {
        if (bytes > buffer.remaining()) {
            String end = buffer.limit() < fileSize
                    ? "the first 2 GiB of the file (headers larger than that are not " + "supported)"
                    : "the file of " + fileSize + " bytes";
            throw CllmException.badFormat(
                    source,
                    "truncated: " + what + " at byte " + buffer.position() + " needs " + bytes
                            + " bytes, past the end of " + end);
        }
    }

    int u8(String what) {
        need(1, what);
        return buffer.get() & 0xff;
    }

    int u16(String what) {
        need(2, what);
        return buffer.getShort() & 0xffff;
    }

    /** A uint32 as a non-negative long. */
    long u32(String what) {
        need(4, what);
        return buffer.getInt() & 0xffffffffL;
    }

    int i32(String what) {
        need(4, what);
        return buffer.getInt();
    }

    /** A 64-bit value, raw (a uint64 above 2^63 - 1 comes back negative). */
    long u64(String what) {
        need(8, what);
        return buffer.getLong();
    }

    float f32(String what) {
        need(4, what);
        return buffer.getFloat();
    }

    double f64(String what) {
        need(8, what);
        return buffer.getDouble();
    }

    /** A length-prefixed string of at most maxBytes bytes; malformed UTF-8 becomes U+FFFD. */
    String string(long maxBytes, String what) {
        long length = u64(what + " length");
        if (length < 0 || length > maxBytes) {
            throw CllmException.badFormat(
                    source,
                    what + " at byte " + (buffer.position() - 8) + " claims " + Long.toUnsignedString(length)
                            + " bytes (at most " + maxBytes + " allowed)");
        }
        need(length, what);
        ByteBuffer slice = buffer.slice().limit((int) length);
        buffer.position(buffer.position() + (int) length);
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE)
                    .decode(slice)
                    .toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw CllmException.badFormat(source, what + " is not UTF-8");
        }
    }
}
