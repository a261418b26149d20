package dev.cllm.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cllm.Decoding;
import dev.cllm.Device;
import dev.cllm.Generation;
import dev.cllm.Model;
import dev.cllm.Session;
import dev.cllm.models.EmbeddedModels;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The examples run on the embedded CLLM: they stream the text greedy decoding produces, then sane statistics. */
class ExamplesRunTest {
    static final String PROMPT =
            "Question: Leo buys 4 sandwiches for $8 each and 3 candles for $5 each. How much money does he spend in total?\nAnswer:";
    static final Pattern STATS = Pattern.compile(
            "\\n(\\d+) tokens in (\\d+) iterations: (\\d+[.,]\\d+) tokens/iteration, (\\d+) tokens/s\\n$");

    @Test
    void quickStartStreamsTheArTextAndPrintsStatistics() {
        String out = stdoutOf(() -> QuickStart.main(new String[0]));
        Matcher m = STATS.matcher(out);
        assertTrue(m.find(), "statistics line at the end of:\n" + out);
        String streamed = out.substring(0, m.start());
        String expected = arText(PROMPT);
        assertFalse(expected.isBlank());
        assertEquals(expected, streamed, "the streamed tokens are the greedy answer");
        long tokens = Long.parseLong(m.group(1)), iterations = Long.parseLong(m.group(2));
        double perIteration = Double.parseDouble(m.group(3).replace(',', '.'));
        assertTrue(iterations >= 1 && iterations <= tokens, tokens + " tokens, " + iterations + " iterations");
        assertEquals((double) tokens / iterations, perIteration, 0.005, "tokens/iteration = tokens / iterations");
        assertTrue(perIteration > 1, "the CLLM accepts more than one token per Jacobi iteration here: " + perIteration);
        assertTrue(Long.parseLong(m.group(4)) > 0, "tokens/s");
    }

    @Test
    void generateFromCheckpointLoadsAFolderAndPrintsTokensPerIteration() {
        String folder = EmbeddedModels.path(EmbeddedModels.CLLM).toString();
        String out = stdoutOf(() -> GenerateFromCheckpoint.main(new String[] {folder, PROMPT}));
        String expected = arText(PROMPT);
        assertTrue(out.startsWith(expected), "streams the greedy answer first:\n" + out);
        double perIteration =
                Double.parseDouble(out.substring(expected.length()).strip());
        assertTrue(perIteration > 1, "tokens per iteration: " + perIteration);
    }

    /** The greedy AR continuation, which Jacobi decoding must reproduce exactly. */
    private static String arText(String prompt) {
        try (Model model = EmbeddedModels.load(EmbeddedModels.CLLM, Device.auto());
                Session session = model.newSession()) {
            Generation g = session.generate(prompt, Decoding.ar().withMaxNewTokens(256), null);
            return g.text();
        }
    }

    private static String stdoutOf(Runnable program) {
        PrintStream saved = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
            program.run();
        } finally {
            System.setOut(saved);
        }
        return bytes.toString(StandardCharsets.UTF_8).replace(System.lineSeparator(), "\n");
    }
}
