package dev.cllm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cllm.model.CheckpointWriter;
import dev.cllm.model.LlamaConfig;
import dev.cllm.model.RandomWeights;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InfoCommandTest {
    @TempDir
    Path dir;

    record Result(int code, String out, String err) {}

    static Result run(String... args) {
        PrintStream out = System.out, err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new Result(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    void printsFormatConfigParametersDtypesAndTokenizer() throws IOException {
        LlamaConfig config = new LlamaConfig(16, 24, 2, 4, 2, 4, 300, 64, 10000f, 1e-5f, false, 1, 2);
        CheckpointWriter.write(RandomWeights.create(config, 51), dir, dev.cllm.model.DType.BF16, null);
        Files.writeString(
                dir.resolve("tokenizer.json"),
                "{\"model\":{\"type\":\"WordLevel\",\"vocab\":{\"<s>\":1,"
                        + "\"</s>\":2,\"<unk>\":0,\"x\":3},\"unk_token\":\"<unk>\"},\"added_tokens\":[]}");
        Result r = run("info", "--model", dir.toString());
        assertEquals(0, r.code(), r.err());
        String out = r.out();
        for (String expected : new String[] {
            "format:",
            "hf-safetensors",
            "hidden_size:",
            "16",
            "num_key_value_heads:",
            "parameters:",
            Long.toString(config.parameterCount()),
            "dtypes:",
            "BF16 (",
            "tokenizer_vocab:",
            "4",
            "tokenizer_bos:",
            "1 <s>",
            "tokenizer_eos:",
            "2 </s>",
            "tie_word_embeddings:",
            "false"
        }) {
            assertTrue(out.contains(expected), "'" + expected + "' in:\n" + out);
        }
    }

    @Test
    void llama2cCheckpointWithoutTokenizer() throws IOException {
        // The smallest llama2.c file: dim 2, hidden 2, 1 layer, 1 head, 1 kv head, vocab 3 (shared), seq_len 1.
        int floats = 3 * 2 + 2 + 4 + 2 * 4 + 4 + 2 + 3 * 4 + 2 + 2;
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(28 + 4 * floats).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int v : new int[] {2, 2, 1, 1, 1, 3, 1}) b.putInt(v);
        Path bin = Files.write(dir.resolve("tiny.bin"), b.array());
        Result r = run("info", "-m", bin.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("llama2.c") && r.out().contains("none (token ids only)"), r.out());
    }

    @Test
    void errorsAreOneLineWithExitCode1AndUsageErrorsExit2() throws IOException {
        Result missing = run("info", "--model", dir.resolve("nope").toString());
        assertEquals(1, missing.code());
        assertEquals(1, missing.err().strip().lines().count(), missing.err());
        assertTrue(missing.err().contains("nope") && missing.err().contains("no such file"), missing.err());

        Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"gpt2\"}");
        Files.write(dir.resolve("model.safetensors"), new byte[16]);
        Result bad = run("info", "--model", dir.toString());
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("unsupported") && bad.err().contains("gpt2"), bad.err());

        assertEquals(2, run("info").code(), "--model is required");
        assertEquals(2, run("info", "--model").code());
    }
}
