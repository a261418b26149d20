package dev.cllm.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cllm.Device;
import dev.cllm.Model;
import dev.cllm.models.EmbeddedModels;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The server driven by the official OpenAI client for Node (npm package openai, installed here by npm
 * into target/node-client): src/test/node/client.mjs (completions and chat, streamed and not, several
 * clients at once, a client that disconnects midway; every output equal to the same request alone), then
 * src/test/node/load.mjs, a bounded load test (32 concurrent streams, no error, no lost token). Needs
 * node and npm on the PATH and the npm registry; -Dcllm.skipNodeTests=true skips.
 */
class NodeClientTest {
    static final String KEY = "node-test-key";
    static Model model;
    static CllmServer server;
    static Path dir;

    @BeforeAll
    static void setUp() throws Exception {
        Assumptions.assumeFalse(Boolean.getBoolean("cllm.skipNodeTests"), "-Dcllm.skipNodeTests=true");
        dir = Path.of(System.getProperty("cllm.node.dir", "target/node-client"));
        Files.createDirectories(dir);
        Path sources = Path.of("src", "test", "node");
        for (String f : List.of("package.json", "client.mjs", "load.mjs")) {
            Files.copy(sources.resolve(f), dir.resolve(f), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        if (!Files.isDirectory(dir.resolve("node_modules").resolve("openai"))) {
            run(
                    List.of("npm", "install", "--no-audit", "--no-fund", "--no-package-lock", "--loglevel=error"),
                    Map.of(),
                    240);
        }
        model = EmbeddedModels.load(EmbeddedModels.CLLM, Device.cpu());
        ServerSettings settings = ServerSettings.defaults("gsm-cllm")
                .withPort(0)
                .withApiKey(KEY)
                .withSlots(16)
                .withQueueCapacity(64);
        server = CllmServer.start(
                model,
                settings,
                new ChatTemplate(ChatTemplate.EMBEDDED, "", ""),
                new PrintStream(OutputStream.nullOutputStream()));
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (server != null) server.close();
        if (model != null) model.close();
    }

    private static Map<String, String> env() {
        return Map.of("CLLM_BASE_URL", server.baseUri() + "/v1", "CLLM_API_KEY", KEY, "CLLM_MODEL", "gsm-cllm");
    }

    @Test
    void theOpenAiClientGetsEveryOutputWholeAndUngarbled() throws Exception {
        String out = run(List.of("node", "client.mjs"), env(), 180);
        assertTrue(out.contains(" passed, 0 failed"), out);
    }

    @Test
    void aBoundedLoadTestLosesNothing() throws Exception {
        Map<String, String> env = new java.util.HashMap<>(env());
        env.put("STREAMS", "32");
        env.put("REQUESTS", System.getProperty("cllm.load.requests", "2"));
        env.put("MAX_TOKENS", System.getProperty("cllm.load.tokens", "32"));
        env.put("DEADLINE_S", "120");
        String out = run(List.of("node", "load.mjs"), env, 180);
        assertTrue(out.contains("\"errors\":0,\"lost\":0"), out);
    }

    /** Runs a command in the node folder, echoing its output; fails on a non-zero exit or a timeout. */
    private static String run(List<String> command, Map<String, String> env, long timeoutSeconds)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            fail(command.get(0)
                    + " is not on the PATH (Node.js is needed for these tests; -Dcllm.skipNodeTests=true skips them): "
                    + e.getMessage());
            return "";
        }
        p.getOutputStream().close();
        StringBuilder out = new StringBuilder();
        Thread reader = new Thread(() -> {
            try {
                byte[] all = p.getInputStream().readAllBytes();
                synchronized (out) {
                    out.append(new String(all, StandardCharsets.UTF_8));
                }
            } catch (IOException ignored) {
                // the process was killed
            }
        });
        reader.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(String.join(" ", command) + " did not finish in " + timeoutSeconds + " s");
        }
        reader.join(5000);
        String text;
        synchronized (out) {
            text = out.toString();
        }
        System.out.println(text);
        assertEquals(0, p.exitValue(), String.join(" ", command) + " failed:\n" + text);
        return text;
    }
}
