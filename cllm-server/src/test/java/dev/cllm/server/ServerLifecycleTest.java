package dev.cllm.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.cllm.Cllm;
import dev.cllm.Device;
import dev.cllm.Model;
import dev.cllm.model.LlamaConfig;
import dev.cllm.model.RandomWeights;
import dev.cllm.tokenizer.Tokenizer;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Queue limits, disconnects and shutdown, on a random model large enough that a 2,040-token generation
 * runs for seconds (token ids in, no end-of-sequence token), so that the events under test happen while
 * generations are certainly still running.
 */
class ServerLifecycleTest {
    static final LlamaConfig CONFIG = LlamaConfig.of(384, 1024, 6, 6, 6, 512, 2048, true);
    static final String LONG =
            "{\"model\": \"random\", \"prompt\": [1, 2, 3], \"max_tokens\": 2040, \"temperature\": 0, "
                    + "\"block_size\": 1";
    static Model model;

    @BeforeAll
    static void load() {
        model = Cllm.fromWeights(
                RandomWeights.create(CONFIG, 3), Tokenizer.none(CONFIG.vocabSize()), Device.cpu(), "random");
    }

    @AfterAll
    static void close() {
        if (model != null) model.close();
    }

    static CllmServer start(int slots, int queue, Duration grace) throws Exception {
        ServerSettings s = ServerSettings.defaults("random")
                .withPort(0)
                .withSlots(slots)
                .withQueueCapacity(queue)
                .withShutdownGrace(grace);
        return CllmServer.start(model, s, null, new PrintStream(OutputStream.nullOutputStream()));
    }

    /** Opens a stream and returns it once its first data line has arrived. */
    static BufferedReader openStream(TestClient client, String body) throws Exception {
        HttpResponse<InputStream> r = client.stream("/v1/completions", body);
        assertEquals(200, r.statusCode());
        BufferedReader reader = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8));
        String line;
        while ((line = reader.readLine()) != null && !line.startsWith("data: ")) {
            // skip blank lines
        }
        return reader;
    }

    static double metric(TestClient client, String name) throws Exception {
        Matcher m = Pattern.compile("^" + Pattern.quote(name) + " ([0-9.eE+-]+)$", Pattern.MULTILINE)
                .matcher(client.get("/metrics").body());
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    static void await(String what, java.util.concurrent.Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.call()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting until " + what);
            Thread.sleep(20);
        }
    }

    @Test
    void aFullQueueRefusesWith429AndDisconnectedClientsAreCancelled() throws Exception {
        try (CllmServer server = start(1, 1, Duration.ofSeconds(5))) {
            TestClient client = new TestClient(server.baseUri(), null);
            BufferedReader running = openStream(client, LONG + ", \"stream\": true}"); // holds the only slot
            CompletableFuture<TestClient.Reply> waiting = CompletableFuture.supplyAsync(() -> {
                try {
                    return client.post("/v1/completions", LONG + ", \"max_tokens\": 5}");
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            await(
                    "the second request is queued",
                    () -> client.get("/health").json().get("queued").getAsInt() == 1);
            TestClient.Reply refused = client.post("/v1/completions", LONG + "}");
            assertEquals(429, refused.status(), refused.body());
            assertEquals(
                    "queue_full",
                    refused.json().getAsJsonObject("error").get("code").getAsString());
            // The streaming client goes away: its generation is cancelled long before its 2,040 tokens,
            // which frees the slot for the waiting request.
            running.close();
            TestClient.Reply served = waiting.get();
            assertEquals(200, served.status(), served.body());
            assertEquals(
                    5,
                    served.json()
                            .getAsJsonObject("usage")
                            .get("completion_tokens")
                            .getAsInt());
            await(
                    "the disconnected generation is counted as cancelled",
                    () -> metric(client, "cllm_generations_total{reason=\"cancelled\"}") == 1);
            assertTrue(metric(client, "cllm_completion_tokens_total") < 2040, "the cancelled generation stopped early");
        }
    }

    @Test
    void shutdownCancelsWhatOutlivesTheGraceAndRefusesNewRequests() throws Exception {
        CllmServer server = start(2, 4, Duration.ofMillis(300));
        TestClient client = new TestClient(server.baseUri(), null);
        BufferedReader running = openStream(client, LONG + ", \"stream\": true}");
        long start = System.nanoTime();
        server.close();
        assertTrue(
                System.nanoTime() - start < Duration.ofSeconds(20).toNanos(),
                "shutdown waits for the grace, not the generation");
        // The stream ends properly: a final chunk with finish_reason "cancelled", then [DONE].
        String finish = null;
        String last = null;
        String line;
        while ((line = running.readLine()) != null) {
            if (!line.startsWith("data: ")) continue;
            last = line.substring(6);
            if (last.equals("[DONE]")) break;
            JsonObject chunk = JsonParser.parseString(last).getAsJsonObject();
            var choice = chunk.getAsJsonArray("choices").get(0).getAsJsonObject();
            if (!choice.get("finish_reason").isJsonNull())
                finish = choice.get("finish_reason").getAsString();
        }
        assertEquals("[DONE]", last);
        assertEquals("cancelled", finish);
        boolean refused;
        try {
            refused = client.post("/v1/completions", LONG + "}").status() == 503;
        } catch (java.io.IOException e) {
            refused = true; // the connector is closed: refused at the TCP level
        }
        assertTrue(refused, "no new generation after shutdown");
    }

    @Test
    void aSchedulerRefusesWith503OnceShuttingDown() throws Exception {
        ServerMetrics metrics = new ServerMetrics();
        ServerSettings s = ServerSettings.defaults("random").withSlots(1);
        try (Scheduler scheduler = new Scheduler(model, s, metrics)) {
            scheduler.shutdown(Duration.ZERO);
            ApiError e = org.junit.jupiter.api.Assertions.assertThrows(
                    ApiError.class,
                    () -> scheduler.submit(
                            new GenerationRequest(new int[] {1}, 1, dev.cllm.Sampling.greedy(), List.of(), 1, false)));
            assertEquals(503, e.status);
        }
    }
}
