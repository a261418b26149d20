package dev.cllm.model;

import dev.cllm.CllmException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;

/**
 * Where a memory-mapped tensor's bytes lie in its file, so that they can be read again without touching
 * the mapping. A file truncated after it was mapped raises SIGBUS on the next read of a page beyond its
 * new end, which the JVM reports only as a delayed InternalError and native code not at all; a plain
 * read of the file instead comes back short, a clear error at the point of reading.
 *
 * @param file the file as the loader opened it
 * @param fileKey the file's identity when it was mapped ({@link BasicFileAttributes#fileKey()}; may be null)
 * @param offset the first byte of the tensor in the file
 * @param length the tensor's size in bytes
 */
public record FileRegion(Path file, Object fileKey, long offset, long length) {
    /** The identity of a file (inode and device on Linux), or null where the platform has none. */
    static Object fileKey(Path file) {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Reads the region (tensorName's bytes) into target, which must have {@code length} bytes remaining,
     * with plain file reads. Returns false, reading nothing, when the path now names another file than the
     * one mapped (replaced, for instance by a checkpoint rewritten in place) or none: the mapping still
     * holds the original's bytes.
     *
     * @throws CllmException IO when the file is now shorter than the region or cannot be read
     */
    public boolean readInto(ByteBuffer target, String tensorName) {
        if (target.remaining() != length) {
            throw new IllegalArgumentException("target has " + target.remaining() + " bytes, the region " + length);
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            if (fileKey != null && !Objects.equals(fileKey, fileKey(file))) {
                return false;
            }
            long position = offset;
            while (target.hasRemaining()) {
                int n = channel.read(target, position);
                if (n < 0) throw truncated(channel.size(), tensorName);
                position += n;
            }
            return true;
        } catch (NoSuchFileException e) {
            return false; // deleted after mapping: the mapping is all that is left of it
        } catch (IOException e) {
            throw new CllmException(
                    CllmException.Status.IO,
                    file + ": cannot read tensor " + tensorName + " (bytes [" + offset + ", " + (offset + length)
                            + ")): " + e,
                    e);
        }
    }

    private CllmException truncated(long size, String tensorName) {
        return new CllmException(
                CllmException.Status.IO,
                file + ": tensor " + tensorName + " needs bytes [" + offset + ", " + (offset + length)
                        + ") but the file has " + size + " now: it was truncated after it was loaded");
    }
}
