package dev.cllm.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cllm.CllmException;
import dev.cllm.model.DType;
import dev.cllm.nativelib.CllmNative;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The C ABI and the Java side agree by construction: every enumerator and the ABI version of
 * {@code native/include/cllm/cllm.h} have a constant of the same name and value in {@link CllmNative}
 * and the other way round, the native status codes are exactly {@link CllmException.Status}'s codes
 * below 100, and the dtype codes are {@link DType}'s. Adding a code on one side only fails here.
 */
class NativeAbiTest {
    /** The header, read from the repository (tests run in the module's folder). */
    private static final Path HEADER = Path.of("..", "native", "include", "cllm", "cllm.h");

    private static final Pattern ENUMERATOR = Pattern.compile("\\b(CLLM_[A-Z0-9_]+)\\s*=\\s*(-?\\d+)\\s*[,}\\n/]");
    private static final Pattern DEFINE = Pattern.compile("#define\\s+(CLLM_[A-Z0-9_]+)\\s+(\\d+)\\b");

    private static Map<String, Integer> headerConstants() throws IOException {
        assertTrue(Files.isRegularFile(HEADER), "cllm.h at " + HEADER.toAbsolutePath());
        String text = Files.readString(HEADER);
        Map<String, Integer> out = new TreeMap<>();
        for (Pattern p : new Pattern[] {ENUMERATOR, DEFINE}) {
            Matcher m = p.matcher(text);
            while (m.find()) out.put(m.group(1), Integer.parseInt(m.group(2)));
        }
        return out;
    }

    private static Map<String, Integer> javaConstants() throws IllegalAccessException {
        Map<String, Integer> out = new TreeMap<>();
        for (Field f : CllmNative.class.getFields()) {
            int mod = f.getModifiers();
            if (Modifier.isStatic(mod)
                    && Modifier.isFinal(mod)
                    && f.getType() == int.class
                    && f.getName().startsWith("CLLM_")) {
                out.put(f.getName(), f.getInt(null));
            }
        }
        return out;
    }

    @Test
    void everyHeaderConstantHasTheSameJavaConstantAndBack() throws Exception {
        Map<String, Integer> header = headerConstants();
        // The parser must see the groups it pins, or the comparison below would prove nothing.
        for (String expected : new String[] {
            "CLLM_OK",
            "CLLM_ERR_INTERNAL",
            "CLLM_TENSOR_OUTPUT",
            "CLLM_DTYPE_BF16",
            "CLLM_BACKEND_CUDA",
            "CLLM_ABI_VERSION",
            "CLLM_TENSOR_KIND_COUNT"
        }) {
            assertTrue(header.containsKey(expected), expected + " parsed from cllm.h: " + header);
        }
        assertEquals(header, javaConstants(), "cllm.h (expected) vs CllmNative (actual)");
    }

    @Test
    void statusCodesMatchTheExceptionStatuses() throws Exception {
        Map<String, Integer> fromHeader = new TreeMap<>();
        headerConstants().forEach((name, value) -> {
            if (name.equals("CLLM_OK")) fromHeader.put("OK", value);
            else if (name.startsWith("CLLM_ERR_")) fromHeader.put(name.substring("CLLM_ERR_".length()), value);
        });
        Map<String, Integer> fromJava = new TreeMap<>();
        for (CllmException.Status s : CllmException.Status.values()) {
            if (s.code() < 100) fromJava.put(s.name(), s.code());
            else assertTrue(s.code() > 99, s + ": Java-side statuses use codes above 99");
        }
        assertEquals(fromHeader, fromJava, "cllm_status (expected) vs CllmException.Status below 100 (actual)");
        for (CllmException.Status s : CllmException.Status.values()) {
            if (s.code() < 100) assertEquals(s, CllmException.Status.ofNative(s.code()));
        }
    }

    @Test
    void dtypeCodesMatchTheHeader() throws Exception {
        Map<String, Integer> header = headerConstants();
        for (DType d : DType.values()) {
            assertEquals(header.get("CLLM_DTYPE_" + d.name()), d.nativeCode(), d.name());
        }
    }

    @Test
    void theLoadedLibrarySpeaksThisAbiAndAMismatchIsNamed() throws Exception {
        NativeLibrary.ensureLoaded();
        assertEquals(headerConstants().get("CLLM_ABI_VERSION"), CllmNative.cllm_abi_version());
        assertEquals(CllmNative.CLLM_ABI_VERSION, CllmNative.cllm_abi_version());
        CllmException e =
                assertThrows(CllmException.class, () -> NativeLibrary.checkAbiVersion(2, 1, "/cache/libcllm.so"));
        assertEquals(CllmException.Status.UNSUPPORTED, e.status());
        assertTrue(
                e.getMessage().contains("/cache/libcllm.so")
                        && e.getMessage().contains("ABI version 1")
                        && e.getMessage().contains("ABI version 2"),
                e.getMessage());
        NativeLibrary.checkAbiVersion(3, 3, "same"); // no exception
    }
}
