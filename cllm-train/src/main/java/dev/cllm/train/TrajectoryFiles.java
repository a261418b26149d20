package dev.cllm.train;

import dev.cllm.CllmException;
import dev.cllm.model.JsonErrors;
import dev.cllm.model.JsonFiles;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Reads and writes trajectory JSONL files; a name ending in .gz means gzip. Readers also take a directory
 * of part files, as Spark writes them: every file in it named {@code *.json}, {@code *.jsonl} (or either
 * with {@code .gz}), in name order; names starting with {@code _} or {@code .} ({@code _SUCCESS}, checksums)
 * are not data.
 */
public final class TrajectoryFiles {
    private TrajectoryFiles() {}

    public static boolean isGzip(Path file) {
        return file.getFileName().toString().endsWith(".gz");
    }

    /**
     * Reads every record of a file or of a directory's part files; a malformed line is a BAD_FORMAT error
     * naming the file and line.
     */
    public static List<TrajectoryRecord> readAll(Path fileOrDirectory) {
        List<TrajectoryRecord> out = new ArrayList<>();
        for (Path file : dataFiles(fileOrDirectory)) forEach(file, false, out::add);
        return out;
    }

    /** The path itself when it is a file; for a directory, its trajectory part files in name order. */
    public static List<Path> dataFiles(Path fileOrDirectory) {
        if (!Files.isDirectory(fileOrDirectory)) return List.of(fileOrDirectory);
        List<Path> files;
        try (Stream<Path> listing = Files.list(fileOrDirectory)) {
            files = listing.filter(f -> Files.isRegularFile(f)
                            && isPartFileName(f.getFileName().toString()))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new CllmException(
                    CllmException.Status.IO, "cannot list " + fileOrDirectory + ": " + e.getMessage(), e);
        }
        if (files.isEmpty()) {
            throw new CllmException(
                    CllmException.Status.IO,
                    "no trajectory files (*.json, *.jsonl, optionally .gz) in " + fileOrDirectory);
        }
        return files;
    }

    private static boolean isPartFileName(String name) {
        if (name.startsWith("_") || name.startsWith(".")) return false;
        String plain = name.endsWith(".gz") ? name.substring(0, name.length() - 3) : name;
        return plain.endsWith(".json") || plain.endsWith(".jsonl");
    }

    /**
     * Streams records to consumer. tolerateTruncatedTail: stop quietly at a cut-off last line or gzip
     * stream (what a killed run leaves behind) instead of failing; used when resuming.
     */
    public static void forEach(Path file, boolean tolerateTruncatedTail, Consumer<TrajectoryRecord> consumer) {
        try (InputStream raw = Files.newInputStream(file);
                InputStream in = isGzip(file) ? new GZIPInputStream(raw, 1 << 16) : raw;
                BufferedReader reader =
                        new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16)) {
            String line;
            int number = 0;
            String pending = null;
            while (true) {
                try {
                    line = reader.readLine();
                } catch (EOFException e) {
                    if (tolerateTruncatedTail) break;
                    throw CllmException.badFormat(file, "gzip stream is cut off after line " + number);
                }
                if (line == null) break;
                number++;
                if (pending != null) consumer.accept(parse(file, number - 1, pending, false));
                pending = line.isBlank() ? null : line;
            }
            if (pending != null) {
                TrajectoryRecord last = parse(file, number, pending, tolerateTruncatedTail);
                if (last != null) consumer.accept(last);
            }
        } catch (NoSuchFileException e) {
            throw new CllmException(CllmException.Status.IO, "trajectory file not found: " + file);
        } catch (IOException e) {
            throw new CllmException(CllmException.Status.IO, "cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Parses one line; a malformed one is a BAD_FORMAT error naming the file and line. */
    static TrajectoryRecord parse(Path file, int line, String text) {
        return parse(file, line, text, false);
    }

    private static TrajectoryRecord parse(Path file, int line, String text, boolean tolerate) {
        try {
            return TrajectoryRecord.fromJson(JsonFiles.parseObjectLine(text, file, line));
        } catch (CllmException e) {
            if (tolerate) return null;
            throw e;
        } catch (RuntimeException e) { // a field of the wrong type or shape
            if (tolerate) return null;
            throw CllmException.badFormat(file, "line " + line + ": " + JsonErrors.oneLine(e.getMessage()));
        }
    }

    /** A writer that appends records (creating the file); gzip appends a new gzip member. */
    public static Writer openForAppend(Path file) throws IOException {
        if (file.getParent() != null) Files.createDirectories(file.getParent());
        OutputStream raw = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        OutputStream out = isGzip(file) ? new GZIPOutputStream(raw, 1 << 16, true) : raw;
        return new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
    }

    public static void write(Writer writer, TrajectoryRecord record) throws IOException {
        writer.write(record.toJson().toString());
        writer.write('\n');
    }
}
