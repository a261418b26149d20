package dev.cllm.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cllm.Cllm;
import dev.cllm.Decoding;
import dev.cllm.Device;
import dev.cllm.Generation;
import dev.cllm.Model;
import dev.cllm.Session;
import dev.cllm.data.MathPrompt;
import dev.cllm.models.EmbeddedModels;
import dev.cllm.tokenizer.GgufBpeTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cllm convert} on the embedded CLLM: the GGUF file alone (no tokenizer.json beside it) runs from
 * {@code cllm generate} and from {@code Cllm.load}, and in its own types it generates exactly what the
 * original checkpoint generates.
 */
class ConvertCommandTest {
    private static final String PROMPT =
            MathPrompt.format("Tom has 5 apples and buys 7 more. How many apples does he have?");

    @TempDir
    Path dir;

    @Test
    void embeddedCllmAsGgufGeneratesTheSameTextFromTheCliAndTheJavaApi() throws Exception {
        Path gguf = dir.resolve("cllm.gguf");
        InfoCommandTest.Result convert =
                InfoCommandTest.run("convert", "--model", "embedded:cllm", "--out", gguf.toString());
        assertEquals(0, convert.code(), convert.err());
        assertTrue(convert.out().contains("gpt2 (1024 tokens, pre refact)"), convert.out());
        assertFalse(Files.exists(dir.resolve("tokenizer.json")));

        InfoCommandTest.Result original = InfoCommandTest.run("generate", "--device", "cpu", "-p", PROMPT, "-n", "48");
        InfoCommandTest.Result fromGguf = InfoCommandTest.run(
                "generate", "--model", gguf.toString(), "--device", "cpu", "-p", PROMPT, "-n", "48", "--jacobi");
        assertEquals(0, original.code(), original.err());
        assertEquals(0, fromGguf.code(), fromGguf.err());
        assertFalse(original.out().isBlank());
        assertEquals(original.out(), fromGguf.out(), "same weights (BF16 kept), same tokenizer ids, same text");

        try (Model a = EmbeddedModels.load(EmbeddedModels.CLLM, Device.cpu());
                Model b = Cllm.load(gguf, Device.cpu());
                Session sa = a.newSession(256);
                Session sb = b.newSession(256)) {
            assertTrue(b.tokenizer() instanceof GgufBpeTokenizer);
            assertArrayEquals(a.tokenizer().encode(PROMPT), b.tokenizer().encode(PROMPT));
            Generation ga = sa.generate(PROMPT, Decoding.ar().withMaxNewTokens(64), null);
            Generation gb = sb.generate(PROMPT, Decoding.jacobi(16).withMaxNewTokens(64), null);
            assertArrayEquals(ga.tokens(), gb.tokens());
            assertEquals(ga.text(), gb.text());
        }

        InfoCommandTest.Result info = InfoCommandTest.run("info", "--model", gguf.toString());
        assertEquals(0, info.code(), info.err());
        for (String expected : new String[] {
            "format:",
            "gguf",
            "gguf_version:",
            "3",
            "general.name:",
            "'cllm'",
            "gguf_tensor_types:",
            "F32",
            "BF16",
            "tokenizer:",
            "gguf gpt2 (pre refact)",
            "tokenizer_bos:",
            "0 <s> (added)"
        }) {
            assertTrue(info.out().contains(expected), "'" + expected + "' in:\n" + info.out());
        }
    }

    @Test
    void q8ConversionRunsAndBadTypesAreUsageErrors() {
        Path gguf = dir.resolve("cllm-q8.gguf");
        InfoCommandTest.Result convert = InfoCommandTest.run(
                "convert", "-m", "embedded:cllm", "-o", gguf.toString(), "--type", "q8_0", "--name", "gsm cllm q8");
        assertEquals(0, convert.code(), convert.err());
        InfoCommandTest.Result info = InfoCommandTest.run("info", "--model", gguf.toString());
        assertTrue(info.out().contains("Q8_0") && info.out().contains("'gsm cllm q8'"), info.out());
        // mlp.down_proj has rows of 688 values, not whole 32-value blocks: written as F16, as llama.cpp does.
        assertTrue(info.out().contains("F16 (4)"), info.out());
        InfoCommandTest.Result run =
                InfoCommandTest.run("generate", "-m", gguf.toString(), "--device", "cpu", "-p", PROMPT, "-n", "24");
        assertEquals(0, run.code(), run.err());
        assertFalse(run.out().isBlank());

        InfoCommandTest.Result bad =
                InfoCommandTest.run("convert", "-m", "embedded:cllm", "-o", gguf.toString(), "--type", "q4_k");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("--type must be f32, f16, bf16 or q8_0"), bad.err());
    }
}
