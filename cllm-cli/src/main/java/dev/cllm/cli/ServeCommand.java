package dev.cllm.cli;

import dev.cllm.Cllm;
import dev.cllm.Device;
import dev.cllm.Model;
import dev.cllm.models.EmbeddedModels;
import dev.cllm.server.ChatTemplate;
import dev.cllm.server.CllmServer;
import dev.cllm.server.ServerSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code cllm serve}: an OpenAI-compatible HTTP server (completions, chat completions, streaming),
 * batching concurrent requests into one Jacobi forward per iteration. Stops gracefully on SIGINT/SIGTERM.
 */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description = "Serve a model over an OpenAI-compatible HTTP API (/v1/completions, /v1/chat/completions, "
                + "/v1/models, /health, /metrics). Binds to 127.0.0.1 unless --host says otherwise.")
public final class ServeCommand implements Callable<Integer> {
    @Option(
            names = {"-m", "--model"},
            paramLabel = "PATH",
            description = "Checkpoint: a Hugging Face directory or a llama2.c .bin (default: the embedded CLLM).")
    Path model;

    @Option(
            names = "--model-name",
            paramLabel = "ID",
            description = "The model id clients send (default: the checkpoint's folder or file name, or gsm-cllm).")
    String modelName;

    @Option(
            names = "--host",
            defaultValue = "127.0.0.1",
            description = "Address to bind (default: ${DEFAULT-VALUE}; 0.0.0.0 exposes the server to the network).")
    String host;

    @Option(
            names = "--port",
            defaultValue = "8080",
            description = "TCP port (default: ${DEFAULT-VALUE}; 0: any free port).")
    int port;

    @Option(
            names = "--api-key",
            paramLabel = "KEY",
            description =
                    "Require 'Authorization: Bearer KEY' on every request but /health (default: $CLLM_API_KEY, else none).")
    String apiKey;

    @Option(
            names = "--device",
            defaultValue = "auto",
            description = "auto, cpu, cuda or cuda:N (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(
            names = "--slots",
            defaultValue = "8",
            description =
                    "Requests decoded at once, batched into one forward per iteration (default: ${DEFAULT-VALUE}).")
    int slots;

    @Option(
            names = "--queue",
            defaultValue = "64",
            description = "Requests that may wait for a slot; more are refused with 429 (default: ${DEFAULT-VALUE}).")
    int queue;

    @Option(
            names = "--block",
            defaultValue = "4",
            description =
                    "Default Jacobi block size n (1: AR); requests may set block_size (default: ${DEFAULT-VALUE}).")
    int block;

    @Option(
            names = "--max-block",
            defaultValue = "32",
            description = "Largest block_size a request may ask for (default: ${DEFAULT-VALUE}).")
    int maxBlock;

    @Option(
            names = "--context",
            description = "Positions per request, prompt plus output (default: the model's context).")
    Integer context;

    @Option(
            names = "--default-max-tokens",
            defaultValue = "256",
            description = "Tokens generated when a request sets no max_tokens (default: ${DEFAULT-VALUE}).")
    int defaultMaxTokens;

    @Option(
            names = "--max-tokens-limit",
            defaultValue = "2048",
            description = "Largest max_tokens a request may ask for (default: ${DEFAULT-VALUE}).")
    int maxTokensLimit;

    @Option(
            names = "--max-body-bytes",
            defaultValue = "1048576",
            description = "Largest request body; larger ones get 413 (default: ${DEFAULT-VALUE}).")
    long maxBodyBytes;

    @Option(
            names = "--chat-template",
            paramLabel = "FILE",
            description =
                    "A Jinja chat template file (default: the checkpoint's tokenizer_config.json, or the embedded models' own).")
    Path chatTemplate;

    @Option(names = "--log-prompts", description = "Also log prompts and outputs (off by default).")
    boolean logPrompts;

    @Option(names = "--quiet", description = "No line per request on stderr.")
    boolean quiet;

    @Option(
            names = "--shutdown-grace",
            defaultValue = "30",
            paramLabel = "SECONDS",
            description =
                    "On shutdown, let running requests finish this long before cancelling them (default: ${DEFAULT-VALUE}).")
    int shutdownGrace;

    @Override
    public Integer call() throws Exception {
        String key = apiKey != null ? apiKey : System.getenv("CLLM_API_KEY");
        if (key != null && key.isBlank()) key = null;
        Device target = Device.parse(device);
        String id = modelName != null
                ? modelName
                : model == null
                        ? EmbeddedModels.CLLM
                        : model.toAbsolutePath().normalize().getFileName().toString();
        ServerSettings settings = new ServerSettings(
                host,
                port,
                key,
                id,
                slots,
                queue,
                context == null ? Integer.MAX_VALUE : context,
                block,
                Math.max(block, maxBlock),
                defaultMaxTokens,
                maxTokensLimit,
                maxBodyBytes,
                4,
                !quiet,
                logPrompts,
                Duration.ofSeconds(shutdownGrace));
        try (Model m = model != null ? Cllm.load(model, target) : EmbeddedModels.load(EmbeddedModels.CLLM, target)) {
            ChatTemplate chat = chatTemplate(m);
            CllmServer server = CllmServer.start(m, settings, chat, System.err);
            CountDownLatch stopped = new CountDownLatch(1);
            Thread hook = new Thread(
                    () -> {
                        System.err.println(
                                "cllm serve: shutting down (running requests get " + shutdownGrace + " s to finish)");
                        try {
                            server.close();
                        } catch (Exception e) {
                            System.err.println("cllm serve: shutdown: " + e.getMessage());
                        }
                        stopped.countDown();
                    },
                    "cllm-serve-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            System.err.printf(
                    "cllm serve: %s on %s at %s/v1 (%d slots, Jacobi n = %d%s%s)%n",
                    id,
                    m.device(),
                    server.baseUri(),
                    slots,
                    block,
                    key != null ? ", API key required" : "",
                    chat == null ? ", no chat template" : "");
            server.join();
            stopped.await();
        }
        return 0;
    }

    private ChatTemplate chatTemplate(Model m) throws Exception {
        if (chatTemplate != null) return new ChatTemplate(Files.readString(chatTemplate), "", "");
        if (model == null) return new ChatTemplate(ChatTemplate.EMBEDDED, "", "");
        return ChatTemplate.fromCheckpoint(model).orElse(null);
    }
}
