package dev.cllm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cllm.engine.NativeLibrary;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Device is a plain value: AUTO is resolved when a model loads, and making one loads no native code. */
class DeviceTest {
    @Test
    void autoIsAPlainValueThatParsesAndPrints() {
        assertEquals(Device.Kind.AUTO, Device.auto().kind());
        assertEquals(Device.auto(), Device.parse("auto"));
        for (String text : List.of("auto", "cpu", "cuda:0", "cuda:3"))
            assertEquals(text, Device.parse(text).toString());
        assertEquals(Device.cuda(0), Device.parse("cuda"));
        assertNotEquals(Device.cpu(), Device.auto());
        assertThrows(IllegalArgumentException.class, () -> new Device(Device.Kind.AUTO, 1));
        assertThrows(IllegalArgumentException.class, () -> Device.parse("gpu"));
        assertThrows(IllegalArgumentException.class, () -> Device.parse("cuda:-1"));
    }

    @Test
    void autoIsResolvedWhenAModelLoads() {
        Device resolved = NativeLibrary.resolve(Device.auto());
        assertFalse(resolved.isAuto());
        assertEquals(Device.cpu(), NativeLibrary.resolve(Device.cpu()), "concrete devices stay as they are");
        try (Model model = Cllm.fromWeights(
                dev.cllm.model.RandomWeights.create(TinyModels.CONFIG, 1),
                dev.cllm.tokenizer.Tokenizer.none(50),
                Device.auto(),
                "tiny")) {
            assertEquals(resolved, model.device());
        }
    }

    /** In a fresh JVM (this one has loaded the engine long ago): Device.auto() and friends load no engine class. */
    @Test
    void makingDevicesLoadsNoNativeCode() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(
                        java.toString(),
                        "-verbose:class",
                        "-cp",
                        System.getProperty("java.class.path"),
                        DeviceProbe.class.getName())
                .redirectErrorStream(true)
                .start();
        List<String> lines;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            lines = r.lines().collect(Collectors.toList());
        }
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), String.join("\n", lines));
        assertTrue(lines.stream().anyMatch(l -> l.contains("probe: auto cpu cuda:1")), "the probe ran");
        assertTrue(lines.stream().anyMatch(l -> l.contains("dev.cllm.Device ")), "class loading is logged");
        for (String engineClass : List.of("dev.cllm.engine.", "dev.cllm.nativelib.", "org.bytedeco.javacpp.Loader ")) {
            assertTrue(lines.stream().noneMatch(l -> l.contains(engineClass)), engineClass + " was not loaded");
        }
    }
}
