package dev.cllm.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/**
 * Every cllm jar an application gets (main jars and the natives' classifier jars) names its module in the
 * manifest, and no two share a name, so they fit on a module path together.
 */
class ModuleNamesTest {
    @Test
    void everyCllmJarHasItsOwnAutomaticModuleName() throws IOException {
        String file = System.getProperty("cllm.classpath.file");
        assumeTrue(file != null, "run through Maven");
        List<Path> jars = ClasspathSize.of(Files.readString(Path.of(file))).entries().stream()
                .map(ClasspathSize.Entry::path)
                .filter(p -> p.getFileName().toString().startsWith("cllm-"))
                .toList();
        // Before packaging (mvn test) the reactor hands out class folders, which have no manifest.
        assumeTrue(jars.stream().allMatch(p -> p.toString().endsWith(".jar")), "the reactor's modules are packaged");
        Map<String, Path> owners = new HashMap<>();
        for (Path jar : jars) {
            try (JarFile j = new JarFile(jar.toFile())) {
                assertNotNull(j.getManifest(), jar + " has a manifest");
                String name = j.getManifest().getMainAttributes().getValue("Automatic-Module-Name");
                assertNotNull(name, jar + " names its module");
                Path previous = owners.put(name, jar);
                assertEquals(null, previous, name + " is claimed by " + previous + " and " + jar);
            }
        }
        assertEquals(4, jars.size(), "cllm-core, cllm-models, cllm-native and its linux-x86_64 natives: " + jars);
    }
}
