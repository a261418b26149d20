package dev.cllm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cllm.models.EmbeddedModels;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@code -p -} reads the prompt from standard input; {@code embedded:NAME} names a shipped model wherever a model is taken. */
class PromptAndModelInputTest {
    static final String PROMPT =
            "Question: Aria found 59 peaches. Jack found 39 more than Aria. How many peaches did Jack find?\nAnswer:";

    @Test
    void dashReadsThePromptWithItsNewlinesFromStandardInput() {
        InfoCommandTest.Result direct = generate("embedded:cllm", PROMPT);
        assertEquals(0, direct.code(), direct.err());
        assertFalse(direct.out().isBlank());
        for (String stdin : new String[] {PROMPT, PROMPT + "\n", PROMPT + "\r\n"}) {
            InfoCommandTest.Result piped = withStdin(stdin, () -> generate("embedded:cllm", "-"));
            assertEquals(0, piped.code(), piped.err());
            assertEquals(
                    direct.out(), piped.out(), "same text as -p with the same prompt: " + stdin.replace("\n", "\\n"));
        }
    }

    @Test
    void standardInputKeepsInnerNewlinesAndDropsOneTrailingNewline() throws IOException {
        String[][] cases = {
            {PROMPT, PROMPT}, {PROMPT + "\n", PROMPT}, {PROMPT + "\r\n", PROMPT}, {"a\n\n", "a\n"}, {"", ""}
        };
        for (String[] c : cases) {
            InputStream saved = System.in;
            try {
                System.setIn(new ByteArrayInputStream(c[0].getBytes(StandardCharsets.UTF_8)));
                assertEquals(c[1], GenerateCommand.readStandardInput(), c[0]);
            } finally {
                System.setIn(saved);
            }
        }
    }

    @Test
    void embeddedModelsAreNamedWhereverAModelIsTaken() {
        String cllmDir = EmbeddedModels.path(EmbeddedModels.CLLM).toString();
        InfoCommandTest.Result byName = generate("embedded:cllm", PROMPT);
        InfoCommandTest.Result byPath = generate(cllmDir, PROMPT);
        InfoCommandTest.Result byDefault = InfoCommandTest.run("generate", "--device", "cpu", "-n", "24", "-p", PROMPT);
        assertEquals(0, byName.code(), byName.err());
        assertEquals(byPath.out(), byName.out());
        assertEquals(byPath.out(), byDefault.out(), "generate defaults to embedded:cllm");
        InfoCommandTest.Result teacher = generate("embedded:teacher", PROMPT);
        assertEquals(0, teacher.code(), teacher.err());
        assertFalse(teacher.out().isBlank());

        InfoCommandTest.Result info = InfoCommandTest.run("info", "--model", "embedded:teacher");
        assertEquals(0, info.code(), info.err());
        assertTrue(info.out().contains("embedded:teacher") && info.out().contains("parameters:"), info.out());

        InfoCommandTest.Result bench = InfoCommandTest.run(
                "bench",
                "--model",
                "embedded:cllm",
                "--device",
                "cpu",
                "--block",
                "4",
                "--max-new-tokens",
                "8",
                "--random-prompts",
                "1",
                "--forward-blocks",
                "none");
        assertEquals(0, bench.code(), bench.err());
        assertTrue(bench.err().contains("embedded:cllm"), bench.err());
    }

    @Test
    void anUnknownEmbeddedModelIsAUsageErrorNamingTheOption() {
        for (String[] args : new String[][] {
            {"generate", "--model", "embedded:nope", "-p", "x"},
            {"info", "--model", "embedded:nope"},
            {"demo", "--teacher", "embedded:nope"},
        }) {
            InfoCommandTest.Result r = InfoCommandTest.run(args);
            assertEquals(2, r.code(), r.err());
            assertTrue(r.err().contains(args[1]) && r.err().contains("embedded:cllm, embedded:teacher"), r.err());
        }
    }

    private static InfoCommandTest.Result generate(String model, String prompt) {
        return InfoCommandTest.run(
                "generate", "--model", model, "--device", "cpu", "-n", "24", "--jacobi", "-p", prompt);
    }

    private static InfoCommandTest.Result withStdin(
            String text, java.util.function.Supplier<InfoCommandTest.Result> run) {
        InputStream saved = System.in;
        try {
            System.setIn(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
            return run.get();
        } finally {
            System.setIn(saved);
        }
    }
}
