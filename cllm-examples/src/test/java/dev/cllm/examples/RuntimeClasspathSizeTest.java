package dev.cllm.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An application that only runs models (this module: cllm-core and cllm-models, nothing else) gets a
 * runtime classpath of at most 40 MB. The classpath is the one Maven resolved for this module
 * (maven-dependency-plugin build-classpath), so a new transitive dependency shows up here.
 */
class RuntimeClasspathSizeTest {
    static final long LIMIT_BYTES = 40_000_000L;

    @Test
    void anApplicationThatRunsModelsStaysUnder40MB() throws IOException {
        String file = System.getProperty("cllm.classpath.file");
        assertTrue(file != null, "the build passes cllm.classpath.file (run through Maven)");
        ClasspathSize size = ClasspathSize.of(Files.readString(Path.of(file)));
        System.out.print(size.report());
        assertTrue(
                size.entries().stream().anyMatch(e -> e.path().toString().contains("cllm-models")),
                "the embedded models are on the classpath:\n" + size.report());
        assertTrue(size.totalBytes() <= LIMIT_BYTES, "above " + LIMIT_BYTES / 1_000_000 + " MB:\n" + size.report());
    }

    @Test
    void sizesCountJarsAndClassFoldersAndListTheBiggestFirst(@TempDir Path dir) throws IOException {
        Path jar = Files.write(dir.resolve("small.jar"), new byte[1_000]);
        Path classes = Files.createDirectories(dir.resolve("classes/a/b"));
        Files.write(classes.resolve("One.class"), new byte[3_000]);
        Files.write(dir.resolve("classes/Two.class"), new byte[500]);
        ClasspathSize size = ClasspathSize.of(jar + File.pathSeparator + dir.resolve("classes") + "\n");
        assertEquals(4_500, size.totalBytes());
        assertEquals(dir.resolve("classes"), size.entries().get(0).path(), "biggest first");
        assertTrue(size.report().contains("small.jar"), size.report());
    }
}
