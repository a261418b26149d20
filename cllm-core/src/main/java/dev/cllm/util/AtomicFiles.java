package dev.cllm.util;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Replaces files so that a crash at any moment leaves either the old file or the complete new one: the
 * new content goes to a temporary sibling ({@code NAME.tmp}), is forced to disk, renamed over the file,
 * and the directory is synced so that the rename itself survives a power cut.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    /** The temporary sibling a new version of file is written to. */
    public static Path tempSibling(Path file) {
        return file.resolveSibling(file.getFileName() + ".tmp");
    }

    /** Writes bytes to file atomically (see the class comment). */
    public static void write(Path file, byte[] bytes) throws IOException {
        Path tmp = tempSibling(file);
        try (FileChannel out = FileChannel.open(
                tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) out.write(buffer);
            out.force(true);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        commit(tmp, file);
    }

    /** Forces a finished temporary file to disk and renames it over file, then syncs the directory. */
    public static void commit(Path tmp, Path file) throws IOException {
        force(tmp);
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
        syncDirectory(file.toAbsolutePath().getParent());
    }

    /** Forces a file's content to disk. */
    public static void force(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
    }

    /**
     * Syncs a directory so that the names created or renamed in it are on disk. Best effort: some file
     * systems and platforms cannot open a directory for syncing, and then the rename is as durable as
     * the platform makes it.
     */
    public static void syncDirectory(Path directory) {
        if (directory == null) return;
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // not supported here (see above)
        }
    }
}
