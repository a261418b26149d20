package dev.cllm;

/**
 * The one exception type of the library for failures that are not bad Java arguments: native engine
 * errors (carrying the native status code and message), unreadable or inconsistent model files, and
 * I/O failures. Bad arguments to the Java API throw {@link IllegalArgumentException} instead.
 */
public class CllmException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Why it failed. The values below 100 are exactly the native {@code cllm_status} codes of cllm.h (a
     * test pins them); the Java side uses {@link #STATE} too, for a model, session or tokenizer that is
     * closed ("session is closed") or a session in use by another thread, and {@link #UNSUPPORTED} for a
     * native library of another ABI version.
     */
    public enum Status {
        OK(0),
        INVALID_ARGUMENT(1),
        OUT_OF_MEMORY(2),
        UNSUPPORTED(3),
        BACKEND(4),
        CONTEXT_FULL(5),
        STATE(6),
        INTERNAL(7),
        /** A model, tokenizer or data file is malformed or contradicts itself. */
        BAD_FORMAT(100),
        /** Reading or writing a file failed. */
        IO(101);

        private final int code;

        Status(int code) {
            this.code = code;
        }

        /** The native status code, or a value above 99 for Java-side failures. */
        public int code() {
            return code;
        }

        /** The status for a native code; unknown codes map to INTERNAL. */
        public static Status ofNative(int code) {
            for (Status s : values()) {
                if (s.code == code) return s;
            }
            return INTERNAL;
        }
    }

    private final Status status;

    public CllmException(Status status, String message) {
        super(message);
        this.status = status;
    }

    public CllmException(Status status, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    public Status status() {
        return status;
    }

    /**
     * A malformed-file error that names the file, on one line: names and strings quoted from a file may
     * hold line breaks, which become spaces.
     */
    public static CllmException badFormat(Object file, String problem) {
        return new CllmException(Status.BAD_FORMAT, (file + ": " + problem).replaceAll("\\s*[\\r\\n]+\\s*", " "));
    }
}
