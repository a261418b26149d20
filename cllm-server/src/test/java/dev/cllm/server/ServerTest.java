package dev.cllm.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.cllm.Decoding;
import dev.cllm.Device;
import dev.cllm.Generation;
import dev.cllm.Model;
import dev.cllm.Session;
import dev.cllm.models.EmbeddedModels;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The server on the embedded CLLM over real HTTP: the OpenAI shapes, sampled Jacobi == sampled AR
 * through the API, streamed == whole, concurrent (batched) == alone, greedy == the library's own
 * generate, auth, the 4xx refusals, chat, metrics.
 */
class ServerTest {
    static final String KEY = "test-key-123";
    static final String Q = "Question: Tom has 5 apples and buys 7 more. How many apples does he have?\\nAnswer:";
    static Model model;
    static CllmServer server;
    static TestClient client;

    @BeforeAll
    static void start() throws Exception {
        model = EmbeddedModels.load(EmbeddedModels.CLLM, Device.cpu());
        ServerSettings settings = ServerSettings.defaults("gsm-cllm")
                .withPort(0)
                .withApiKey(KEY)
                .withSlots(4)
                .withQueueCapacity(16)
                .withMaxBodyBytes(4096);
        server = CllmServer.start(
                model,
                settings,
                new ChatTemplate(ChatTemplate.EMBEDDED, "", ""),
                new PrintStream(OutputStream.nullOutputStream()));
        client = new TestClient(server.baseUri(), KEY);
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) server.close();
        if (model != null) model.close();
    }

    static String completion(String extra) {
        return "{\"model\": \"gsm-cllm\", \"prompt\": \"" + Q + "\", \"max_tokens\": 48" + extra + "}";
    }

    static String text(TestClient.Reply r) {
        assertEquals(200, r.status(), r.body());
        return r.json()
                .getAsJsonArray("choices")
                .get(0)
                .getAsJsonObject()
                .get("text")
                .getAsString();
    }

    @Test
    void aCompletionHasTheOpenAiShapeAndCllmStatisticsInItsUsage() throws Exception {
        TestClient.Reply r = client.post("/v1/completions", completion(", \"temperature\": 0"));
        JsonObject o = r.json();
        assertEquals("text_completion", o.get("object").getAsString());
        assertEquals("gsm-cllm", o.get("model").getAsString());
        assertTrue(o.get("id").getAsString().startsWith("cmpl-"));
        JsonObject choice = o.getAsJsonArray("choices").get(0).getAsJsonObject();
        assertTrue(choice.get("text").getAsString().length() > 5, choice.toString());
        String finish = choice.get("finish_reason").getAsString();
        JsonObject usage = o.getAsJsonObject("usage");
        int completion = usage.get("completion_tokens").getAsInt();
        assertTrue(finish.equals("stop") ? completion < 48 : finish.equals("length") && completion == 48, o.toString());
        assertEquals(
                usage.get("prompt_tokens").getAsInt() + completion,
                usage.get("total_tokens").getAsInt());
        assertEquals("jacobi", usage.get("decoding").getAsString());
        long iterations = usage.get("iterations").getAsLong();
        assertTrue(iterations >= 1 && iterations <= completion + 1, usage.toString());
        // Every generated token is a pass's first or a fast-forwarded one (an end-of-sequence token counts).
        assertEquals(
                completion + (finish.equals("stop") ? 1 : 0),
                iterations + usage.get("fast_forwarded_tokens").getAsLong());
    }

    @Test
    void greedyOutputEqualsTheLibrarysOwnGenerate() throws Exception {
        String served = text(client.post("/v1/completions", completion(", \"temperature\": 0")));
        try (Session s = model.newSession()) {
            Generation g = s.generate(Q.replace("\\n", "\n"), Decoding.ar().withMaxNewTokens(48), null);
            assertEquals(g.text(), served);
        }
    }

    @Test
    void sampledJacobiEqualsSampledArAndStreamingEqualsWhole() throws Exception {
        for (long seed : new long[] {1, 2, 3}) {
            String sampling = String.format(Locale.ROOT, ", \"temperature\": 0.9, \"top_p\": 0.95, \"seed\": %d", seed);
            String ar = text(client.post("/v1/completions", completion(sampling + ", \"block_size\": 1")));
            String jacobi = text(client.post("/v1/completions", completion(sampling + ", \"block_size\": 8")));
            assertEquals(ar, jacobi, "seed " + seed);
            StringBuilder streamed = new StringBuilder();
            String finish = null;
            var response = client.stream("/v1/completions", completion(sampling + ", \"stream\": true"));
            assertEquals(200, response.statusCode());
            assertTrue(response.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"));
            List<String> events = TestClient.events(response.body());
            assertEquals("[DONE]", events.get(events.size() - 1));
            for (String e : events.subList(0, events.size() - 1)) {
                JsonObject c = JsonParser.parseString(e)
                        .getAsJsonObject()
                        .getAsJsonArray("choices")
                        .get(0)
                        .getAsJsonObject();
                streamed.append(c.get("text").getAsString());
                if (!c.get("finish_reason").isJsonNull())
                    finish = c.get("finish_reason").getAsString();
            }
            assertEquals(ar, streamed.toString(), "seed " + seed);
            assertTrue(finish != null, "the last chunk names the finish reason");
        }
        // Different seeds give different samples (the seed is used at all).
        String a = text(client.post("/v1/completions", completion(", \"temperature\": 1.5, \"seed\": 10")));
        String b = text(client.post("/v1/completions", completion(", \"temperature\": 1.5, \"seed\": 11")));
        assertNotEquals(a, b);
    }

    @Test
    void concurrentRequestsGiveWhatEachGivesAlone() throws Exception {
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            bodies.add(completion(String.format(
                    Locale.ROOT,
                    ", \"temperature\": %s, \"seed\": %d, \"block_size\": %d",
                    i % 3 == 0 ? "0" : "0.8",
                    100 + i,
                    1 + (i % 4) * 4)));
        }
        List<String> alone = new ArrayList<>();
        for (String b : bodies) alone.add(text(client.post("/v1/completions", b)));
        ExecutorService pool = Executors.newFixedThreadPool(bodies.size());
        try {
            List<Future<String>> together = new ArrayList<>();
            for (String b : bodies) together.add(pool.submit(() -> text(client.post("/v1/completions", b))));
            for (int i = 0; i < bodies.size(); i++)
                assertEquals(alone.get(i), together.get(i).get(), "request " + i);
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void chatCompletionsUseTheTemplateAndStreamRoleThenContent() throws Exception {
        String body = "{\"model\": \"gsm-cllm\", \"temperature\": 0, \"max_tokens\": 64, \"messages\": ["
                + "{\"role\": \"system\", \"content\": \"ignored by the math template\"},"
                + "{\"role\": \"user\", \"content\": \"Tom has 5 apples and buys 7 more. How many apples does he have?\"}]";
        TestClient.Reply r = client.post("/v1/chat/completions", body + "}");
        assertEquals(200, r.status(), r.body());
        JsonObject o = r.json();
        assertEquals("chat.completion", o.get("object").getAsString());
        JsonObject message =
                o.getAsJsonArray("choices").get(0).getAsJsonObject().getAsJsonObject("message");
        assertEquals("assistant", message.get("role").getAsString());
        String whole = message.get("content").getAsString();
        assertEquals(
                text(
                        client.post(
                                "/v1/completions",
                                "{\"model\": \"gsm-cllm\", \"temperature\": 0, \"max_tokens\": 64, "
                                        + "\"prompt\": \"Question: Tom has 5 apples and buys 7 more. How many apples does he have?\\nAnswer:\"}")),
                whole);
        List<String> events = TestClient.events(client.stream(
                        "/v1/chat/completions",
                        body + ", \"stream\": true, \"stream_options\": {\"include_usage\": true}}")
                .body());
        StringBuilder streamed = new StringBuilder();
        JsonObject first = JsonParser.parseString(events.get(0)).getAsJsonObject();
        assertEquals("chat.completion.chunk", first.get("object").getAsString());
        assertEquals(
                "assistant",
                first.getAsJsonArray("choices")
                        .get(0)
                        .getAsJsonObject()
                        .getAsJsonObject("delta")
                        .get("role")
                        .getAsString());
        JsonObject usage = null;
        for (String e : events.subList(0, events.size() - 1)) {
            JsonObject chunk = JsonParser.parseString(e).getAsJsonObject();
            if (chunk.getAsJsonArray("choices").isEmpty()) {
                usage = chunk.getAsJsonObject("usage");
                continue;
            }
            JsonObject delta =
                    chunk.getAsJsonArray("choices").get(0).getAsJsonObject().getAsJsonObject("delta");
            if (delta.has("content")) streamed.append(delta.get("content").getAsString());
        }
        assertEquals(whole, streamed.toString());
        assertTrue(usage != null && usage.get("completion_tokens").getAsInt() > 0, "include_usage sends a usage chunk");
    }

    @Test
    void stopStringsCutTheOutput() throws Exception {
        String full = text(client.post("/v1/completions", completion(", \"temperature\": 0")));
        int at = full.indexOf('=');
        assertTrue(at > 0, full);
        TestClient.Reply r = client.post("/v1/completions", completion(", \"temperature\": 0, \"stop\": [\"=\"]"));
        assertEquals(full.substring(0, at), text(r));
        assertEquals(
                "stop",
                r.json()
                        .getAsJsonArray("choices")
                        .get(0)
                        .getAsJsonObject()
                        .get("finish_reason")
                        .getAsString());
    }

    @Test
    void maxTokensEndsWithLength() throws Exception {
        TestClient.Reply r = client.post(
                "/v1/completions",
                completion(", \"temperature\": 0").replace("\"max_tokens\": 48", "\"max_tokens\": 3"));
        JsonObject o = r.json();
        assertEquals(3, o.getAsJsonObject("usage").get("completion_tokens").getAsInt());
        assertEquals(
                "length",
                o.getAsJsonArray("choices")
                        .get(0)
                        .getAsJsonObject()
                        .get("finish_reason")
                        .getAsString());
    }

    @Test
    void withoutTheKeyEverythingButHealthIsRefusedWith401() throws Exception {
        TestClient anonymous = new TestClient(server.baseUri(), null);
        assertEquals(200, anonymous.get("/health").status());
        for (String path : new String[] {"/v1/models", "/metrics"})
            assertEquals(401, anonymous.get(path).status(), path);
        TestClient.Reply r = anonymous.post("/v1/completions", completion(""));
        assertEquals(401, r.status());
        assertEquals(
                "invalid_api_key", r.json().getAsJsonObject("error").get("code").getAsString());
        assertEquals(
                401,
                new TestClient(server.baseUri(), "wrong")
                        .post("/v1/completions", completion(""))
                        .status());
    }

    @Test
    void badRequestsGetClear4xxNamingTheProblem() throws Exception {
        assertError(client.post("/v1/completions", "{not json"), 400, null);
        assertError(client.post("/v1/completions", completion(", \"temperature\": 3")), 400, "temperature");
        assertError(client.post("/v1/completions", completion("").replace("48", "0")), 400, "max_tokens");
        assertError(client.post("/v1/completions", completion("").replace("48", "100000")), 400, "max_tokens");
        assertError(client.post("/v1/completions", completion(", \"logprobs\": 2")), 400, "logprobs");
        assertError(client.post("/v1/completions", completion(", \"n\": 2")), 400, "n");
        assertError(client.post("/v1/completions", completion(", \"block_size\": 99")), 400, "block_size");
        assertError(
                client.post("/v1/completions", completion(", \"stop\": [\"a\", \"b\", \"c\", \"d\", \"e\"]")),
                400,
                "stop");
        assertError(
                client.post("/v1/completions", "{\"model\": \"gsm-cllm\", \"prompt\": \"" + "x ".repeat(400) + "\"}"),
                400,
                "prompt");
        assertError(client.post("/v1/completions", completion("").replace("gsm-cllm", "gpt-4")), 404, null);
        assertError(
                client.post("/v1/completions", "{\"model\": \"gsm-cllm\", \"prompt\": \"" + "x".repeat(5000) + "\"}"),
                413,
                null);
        assertError(client.get("/v1/completions"), 405, null);
        assertError(client.get("/v2/nothing"), 404, null);
    }

    private static void assertError(TestClient.Reply r, int status, String param) {
        assertEquals(status, r.status(), r.body());
        JsonObject error = r.json().getAsJsonObject("error");
        assertTrue(error.get("message").getAsString().length() > 10, r.body());
        if (param != null) assertEquals(param, error.get("param").getAsString(), r.body());
    }

    @Test
    void modelsAndMetricsAreServed() throws Exception {
        JsonObject models = client.get("/v1/models").json();
        assertEquals(
                "gsm-cllm",
                models.getAsJsonArray("data").get(0).getAsJsonObject().get("id").getAsString());
        text(client.post("/v1/completions", completion(", \"temperature\": 0")));
        String metrics = client.get("/metrics").body();
        for (String name : new String[] {
            "cllm_requests_total",
            "cllm_generated_tokens_total",
            "cllm_iterations_total",
            "cllm_tokens_per_iteration_bucket",
            "cllm_queue_length",
            "cllm_time_to_first_token_seconds_bucket",
            "cllm_time_per_output_token_seconds_bucket",
            "cllm_request_duration_seconds_bucket"
        }) {
            assertTrue(metrics.contains(name), name + " in\n" + metrics);
        }
        assertTrue(metrics.contains("cllm_requests_total{endpoint=\"completions\",status=\"200\"}"), metrics);
    }
}
