package dev.cllm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cllm.data.MathGenerator;
import dev.cllm.data.MathProblem;
import dev.cllm.model.CheckpointWriter;
import dev.cllm.model.DType;
import dev.cllm.model.LlamaConfig;
import dev.cllm.model.RandomWeights;
import dev.cllm.tokenizer.BpeTrainer;
import dev.cllm.tokenizer.ByteBpeTokenizer;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GenerateCommandTest {
    @TempDir
    static Path dir;

    @BeforeAll
    static void writeCheckpoint() throws IOException {
        StringBuilder text = new StringBuilder();
        for (MathProblem p : new MathGenerator(dev.cllm.data.Split.TRAIN, 3).generate(300))
            text.append(p.promptWithAnswer()).append('\n');
        ByteBpeTokenizer tokenizer = new BpeTrainer().vocabSize(300).train(text);
        Path tokenizerFile = dir.resolve("trained-tokenizer.json");
        tokenizer.save(tokenizerFile);
        LlamaConfig config = new LlamaConfig(
                48,
                96,
                2,
                4,
                2,
                12,
                tokenizer.vocabSize(),
                256,
                10000f,
                1e-5f,
                true,
                tokenizer.bosId(),
                tokenizer.eosId());
        CheckpointWriter.write(RandomWeights.create(config, 77), dir.resolve("model"), DType.BF16, tokenizerFile);
    }

    @Test
    void jacobiPrintsExactlyTheArText() {
        String model = dir.resolve("model").toString();
        InfoCommandTest.Result ar = InfoCommandTest.run(
                "generate", "-m", model, "--device", "cpu", "-p", "Question: Tom has 5 apples.", "-n", "40");
        assertEquals(0, ar.code(), ar.err());
        assertFalse(ar.out().isBlank());
        assertTrue(ar.err().contains("tokens/s") && ar.err().contains("ar on cpu"), ar.err());
        for (String window : new String[] {"refill", "shrink"}) {
            InfoCommandTest.Result jacobi = InfoCommandTest.run(
                    "generate",
                    "-m",
                    model,
                    "--device",
                    "cpu",
                    "-p",
                    "Question: Tom has 5 apples.",
                    "-n",
                    "40",
                    "--jacobi",
                    "--block",
                    "7",
                    "--window",
                    window);
            assertEquals(0, jacobi.code(), jacobi.err());
            assertEquals(ar.out(), jacobi.out(), "same text for AR and Jacobi (" + window + ")");
            assertTrue(jacobi.err().contains("tokens/iteration"), jacobi.err());
        }
        InfoCommandTest.Result ids = InfoCommandTest.run(
                "generate", "-m", model, "--device", "cpu", "--prompt-ids", "0,5,9", "-n", "5", "--print-ids");
        assertEquals(0, ids.code(), ids.err());
        assertTrue(ids.out().strip().matches("\\d+( \\d+){0,4}"), ids.out());
    }

    @Test
    void sampledJacobiPrintsExactlyTheSampledArText() {
        String model = dir.resolve("model").toString();
        String[] sampling = {"--temperature", "4", "--top-p", "0.95", "--seed", "7", "--no-eos"};
        InfoCommandTest.Result ar = InfoCommandTest.run(concat(
                new String[] {
                    "generate", "-m", model, "--device", "cpu", "-p", "Question: Tom has 5 apples.", "-n", "30"
                },
                sampling));
        assertEquals(0, ar.code(), ar.err());
        InfoCommandTest.Result jacobi = InfoCommandTest.run(concat(
                new String[] {
                    "generate",
                    "-m",
                    model,
                    "--device",
                    "cpu",
                    "-p",
                    "Question: Tom has 5 apples.",
                    "-n",
                    "30",
                    "--jacobi",
                    "--block",
                    "6",
                    "--guess-seed",
                    "3"
                },
                sampling));
        assertEquals(0, jacobi.code(), jacobi.err());
        assertEquals(ar.out(), jacobi.out());
        assertTrue(jacobi.err().contains("T=4.0"), jacobi.err());
        InfoCommandTest.Result other = InfoCommandTest.run(concat(
                new String[] {
                    "generate", "-m", model, "--device", "cpu", "-p", "Question: Tom has 5 apples.", "-n", "30"
                },
                new String[] {"--temperature", "4", "--top-p", "0.95", "--seed", "8", "--no-eos"}));
        assertFalse(ar.out().equals(other.out()), "another seed, another sample: " + ar.out() + " | " + other.out());
        InfoCommandTest.Result bad =
                InfoCommandTest.run("generate", "-m", model, "--device", "cpu", "-p", "x", "--top-p", "0");
        assertEquals(2, bad.code(), "a bad setting is a usage error");
        assertTrue(bad.err().contains("--top-p must be"), bad.err());
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void weightTypesKeepJacobiEqualToAr() {
        String model = dir.resolve("model").toString();
        InfoCommandTest.Result own =
                InfoCommandTest.run("generate", "-m", model, "--device", "cpu", "-p", "Question:", "-n", "20");
        assertEquals(0, own.code(), own.err());
        assertTrue(own.err().contains("(bf16 weights)"), "a bf16 checkpoint stays bf16: " + own.err());
        for (String type : new String[] {"f32", "q8_0"}) {
            InfoCommandTest.Result ar = InfoCommandTest.run(
                    "generate", "-m", model, "--device", "cpu", "-p", "Question:", "-n", "30", "--weights", type);
            assertEquals(0, ar.code(), ar.err());
            assertTrue(ar.err().contains("(" + type + " weights)"), ar.err());
            InfoCommandTest.Result jacobi = InfoCommandTest.run(
                    "generate",
                    "-m",
                    model,
                    "--device",
                    "cpu",
                    "-p",
                    "Question:",
                    "-n",
                    "30",
                    "--weights",
                    type,
                    "--jacobi",
                    "--block",
                    "5");
            assertEquals(0, jacobi.code(), jacobi.err());
            assertEquals(ar.out(), jacobi.out(), "same text for AR and Jacobi at " + type);
        }
        InfoCommandTest.Result bad =
                InfoCommandTest.run("generate", "-m", model, "--device", "cpu", "-p", "x", "--weights", "f16");
        assertEquals(2, bad.code(), bad.err());
        assertTrue(bad.err().contains("f32, bf16 or q8_0"), bad.err());
    }

    @Test
    void badInputGivesOneLineAndTheRightExitCode() {
        String model = dir.resolve("model").toString();
        InfoCommandTest.Result badId =
                InfoCommandTest.run("generate", "-m", model, "--device", "cpu", "--prompt-ids", "0,99999");
        assertEquals(2, badId.code(), badId.err());
        assertTrue(badId.err().contains("99999") && badId.err().contains("vocabulary"), badId.err());
        InfoCommandTest.Result noPrompt = InfoCommandTest.run("generate", "-m", model);
        assertEquals(2, noPrompt.code());
        InfoCommandTest.Result missing =
                InfoCommandTest.run("generate", "-m", dir.resolve("absent").toString(), "-p", "x");
        assertEquals(1, missing.code());
        assertEquals(1, missing.err().strip().lines().count(), missing.err());
        InfoCommandTest.Result badWindow = InfoCommandTest.run(
                "generate", "-m", model, "--device", "cpu", "-p", "x", "--jacobi", "--window", "wide");
        assertEquals(2, badWindow.code(), badWindow.err());
    }
}
