package dev.cllm.tokenizer;

/**
 * The GPT-2 byte-to-unicode mapping used by byte-level BPE: every byte value maps to one printable
 * character (bytes 33-126, 161-172 and 174-255 map to themselves, the other 68 bytes to U+0100 onwards;
 * the space byte becomes 'Ġ', newline 'Ċ').
 */
public final class ByteLevel {
    private static final char[] BYTE_TO_CHAR = new char[256];
    private static final int[] CHAR_TO_BYTE = new int[512];

    static {
        java.util.Arrays.fill(CHAR_TO_BYTE, -1);
        boolean[] direct = new boolean[256];
        for (int b = '!'; b <= '~'; b++) direct[b] = true;
        for (int b = 0xA1; b <= 0xAC; b++) direct[b] = true;
        for (int b = 0xAE; b <= 0xFF; b++) direct[b] = true;
        int n = 0;
        for (int b = 0; b < 256; b++) {
            char c = direct[b] ? (char) b : (char) (256 + n++);
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = b;
        }
    }

    private ByteLevel() {}

    /** The character that stands for byte {@code b} (0-255). */
    public static char charOf(int b) {
        return BYTE_TO_CHAR[b & 0xFF];
    }

    /** The byte a mapped character stands for, or -1 if it is not one of the 256 mapped characters. */
    public static int byteOf(char c) {
        return c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
    }

    /** Maps raw bytes to their characters. */
    public static String encode(byte[] bytes) {
        char[] cs = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) cs[i] = BYTE_TO_CHAR[bytes[i] & 0xFF];
        return new String(cs);
    }

    /** Maps characters back to bytes; throws IllegalArgumentException on a character outside the mapping. */
    public static byte[] decode(String mapped) {
        byte[] out = new byte[mapped.length()];
        for (int i = 0; i < out.length; i++) {
            int b = byteOf(mapped.charAt(i));
            if (b < 0)
                throw new IllegalArgumentException(
                        "not a byte-level character: U+" + Integer.toHexString(mapped.charAt(i)));
            out[i] = (byte) b;
        }
        return out;
    }
}
