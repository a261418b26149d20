package dev.cllm.train;

import dev.cllm.CllmException;
import java.io.BufferedReader;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** A JSONL file of trajectory records, one per line (gzip when the name ends in .gz); blank lines are skipped. */
public record JsonlShard(Path file) implements RecordShard {
    @Override
    public String name() {
        return file.getFileName().toString();
    }

    @Override
    public ShardReader open() {
        return new Reader(file);
    }

    private static final class Reader implements ShardReader {
        private final Path file;
        private final BufferedReader lines;
        private int lineNumber;

        Reader(Path file) {
            this.file = file;
            InputStream raw = null;
            try {
                raw = Files.newInputStream(file);
                InputStream in = TrajectoryFiles.isGzip(file) ? new GZIPInputStream(raw, 1 << 16) : raw;
                lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
            } catch (NoSuchFileException e) {
                throw new CllmException(CllmException.Status.IO, "trajectory file not found: " + file);
            } catch (IOException e) {
                closeQuietly(raw);
                throw new CllmException(CllmException.Status.IO, "cannot read " + file + ": " + e.getMessage(), e);
            }
        }

        @Override
        public TrajectoryRecord next() {
            String line = nextLine();
            return line == null ? null : TrajectoryFiles.parse(file, lineNumber, line);
        }

        @Override
        public boolean skip() {
            return nextLine() != null;
        }

        private String nextLine() {
            try {
                while (true) {
                    String line = lines.readLine();
                    if (line == null) return null;
                    lineNumber++;
                    if (!line.isBlank()) return line;
                }
            } catch (EOFException e) {
                throw CllmException.badFormat(file, "gzip stream is cut off after line " + lineNumber);
            } catch (IOException e) {
                throw new CllmException(CllmException.Status.IO, "cannot read " + file + ": " + e.getMessage(), e);
            }
        }

        @Override
        public void close() {
            closeQuietly(lines);
        }

        private static void closeQuietly(AutoCloseable c) {
            if (c == null) return;
            try {
                c.close();
            } catch (Exception ignored) {
                // reading is over; nothing to lose
            }
        }
    }
}
