package dev.cllm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The decoding options all decoding commands share (DecodingOptions, WindowOptions, DeviceOption): their
 * errors name the option as typed, each command keeps its own defaults, bare {@code cllm} prints its usage
 * once, and {@code --version} prints the project's version.
 */
class SharedOptionsTest {
    /** Every bad value is refused before any model loads, with the option's name and exit code 2. */
    @Test
    void badValuesNameTheOption() {
        String[][] cases = {
            {"--block", "generate", "-p", "x", "--jacobi", "--block", "0"},
            {"--block", "generate", "-p", "x", "--jacobi", "--block", "8,16"},
            {"--block", "bench", "--random", "tiny", "--block", "8,x"},
            {"--block", "demo", "--block", "-3"},
            {"--block", "trajectories", "--model", "m", "--prompts", "p", "--out", "o", "--block", "0"},
            {"--block", "trajectories", "--model", "m", "--prompts", "p", "--out", "o", "--block", "auto"},
            {"--block", "generate", "-p", "x", "--jacobi", "--block", "automatic"},
            {"--block", "bench", "--random", "tiny", "--block", "auto,0"},
            {"--max-new-tokens", "generate", "-p", "x", "-n", "-1"},
            {"--max-new-tokens", "bench", "--random", "tiny", "--max-new-tokens", "0"},
            {"--max-new-tokens", "trajectories", "--model", "m", "--prompts", "p", "--out", "o", "--max-new-tokens", "0"
            },
            {"--window", "generate", "-p", "x", "--jacobi", "--window", "wide"},
            {"--window", "bench", "--random", "tiny", "--window", "refill,wide"},
            {"--window", "demo", "--window", "both"},
            {"--init", "generate", "-p", "x", "--jacobi", "--init", "zeros"},
            {"--init", "demo", "--init", "zeros"},
            {"--pad-token", "generate", "-p", "x", "--jacobi", "--init", "pad", "--pad-token", "-2"},
            {"--device", "generate", "-p", "x", "--device", "gpu"},
            {"--device", "bench", "--random", "tiny", "--device", "cuda:x"},
            {"--random", "bench", "--random", "huge"},
            {"--questions", "demo", "--questions", "0"},
            {"--ar-weight", "train", "--model", "m", "--data", "d", "--out", "o", "--ar-weight", "-1"},
            {"--max-length", "train", "--model", "m", "--data", "d", "--out", "o", "--max-length", "2"},
            {"--steps", "train", "--model", "m", "--data", "d", "--out", "o", "--steps", "0"},
            {"--seq-len", "pretrain", "--tokenizer", "t", "--corpus", "c", "--out", "o", "--seq-len", "1"},
        };
        for (String[] c : cases) {
            String option = c[0];
            String[] args = java.util.Arrays.copyOfRange(c, 1, c.length);
            InfoCommandTest.Result r = InfoCommandTest.run(args);
            String what = String.join(" ", args) + " -> " + r.err();
            assertEquals(2, r.code(), what);
            assertTrue(r.err().contains(option), "names " + option + ": " + what);
            for (String internal : new String[] {"blockSize", "maxNewTokens", "initialGuess", "device kind"}) {
                assertFalse(r.err().contains(internal), "no internal name " + internal + ": " + what);
            }
            assertEquals(1, r.err().strip().lines().count(), "one line: " + what);
        }
    }

    @Test
    void eachCommandKeepsItsOwnDefaults() {
        InfoCommandTest.Result generate = InfoCommandTest.run("generate", "--help");
        InfoCommandTest.Result bench = InfoCommandTest.run("bench", "--help");
        InfoCommandTest.Result demo = InfoCommandTest.run("demo", "--help");
        assertTrue(
                squeeze(generate.out()).contains("(default: auto)")
                        && squeeze(generate.out()).contains("(default: 256)"),
                generate.out());
        assertTrue(squeeze(demo.out()).contains("(default: auto)"), demo.out());
        assertTrue(
                squeeze(bench.out()).contains("(default: 8,16,32)")
                        && squeeze(bench.out()).contains("(default: 128)"),
                bench.out());
        assertTrue(squeeze(demo.out()).contains("(default: 2026)"), demo.out());
        assertTrue(squeeze(generate.out()).contains("(default: embedded:cllm)"), generate.out());
    }

    @Test
    void bareCllmPrintsItsUsageOnce() {
        InfoCommandTest.Result r = InfoCommandTest.run();
        assertEquals(2, r.code());
        String all = r.out() + r.err();
        assertEquals(1, all.split("Usage: cllm", -1).length - 1, all);
        assertTrue(all.contains("a command is required"), all);
    }

    @Test
    void versionIsTheProjectVersion() {
        String expected = System.getProperty("cllm.expected.version");
        assertTrue(expected != null && !expected.isBlank(), "the build passes cllm.expected.version");
        InfoCommandTest.Result r = InfoCommandTest.run("--version");
        assertEquals(0, r.code(), r.err());
        assertEquals("cllm " + expected, r.out().strip());
    }

    /** Help text with line breaks and runs of spaces folded, so wrapped descriptions can be searched. */
    private static String squeeze(String help) {
        return help.replaceAll("\\s+", " ");
    }
}
