package dev.cllm.examples;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/** The size of a classpath: jars by their file size, class folders by the sum of the files in them. */
record ClasspathSize(List<Entry> entries) {
    /** One classpath element and its size in bytes. */
    record Entry(Path path, long bytes) {}

    /** Reads a classpath as maven-dependency-plugin's build-classpath writes it (platform path separator). */
    static ClasspathSize of(String classpath) {
        List<Entry> entries = Arrays.stream(classpath.strip().split(File.pathSeparator))
                .filter(p -> !p.isBlank())
                .map(Path::of)
                .map(p -> new Entry(p, bytes(p)))
                .sorted(Comparator.comparingLong(Entry::bytes).reversed())
                .toList();
        return new ClasspathSize(entries);
    }

    long totalBytes() {
        return entries.stream().mapToLong(Entry::bytes).sum();
    }

    /** The biggest entries first, one per line, with the total. */
    String report() {
        StringBuilder sb = new StringBuilder(String.format(
                Locale.ROOT, "runtime classpath: %.1f MB in %d entries%n", totalBytes() / 1e6, entries.size()));
        for (Entry e : entries)
            sb.append(String.format(
                    Locale.ROOT, "%8.2f MB  %s%n", e.bytes() / 1e6, e.path().getFileName()));
        return sb.toString();
    }

    private static long bytes(Path path) {
        if (!Files.exists(path)) throw new IllegalStateException("classpath entry does not exist: " + path);
        try {
            if (!Files.isDirectory(path)) return Files.size(path);
            try (Stream<Path> files = Files.walk(path)) {
                return files.filter(Files::isRegularFile)
                        .mapToLong(f -> {
                            try {
                                return Files.size(f);
                            } catch (IOException e) {
                                throw new UncheckedIOException(e);
                            }
                        })
                        .sum();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
