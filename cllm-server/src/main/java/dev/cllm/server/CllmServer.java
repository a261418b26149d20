package dev.cllm.server;

import dev.cllm.Model;
import java.io.PrintStream;
import java.net.URI;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * An OpenAI-compatible HTTP server for one model: /v1/completions and /v1/chat/completions (streamed
 * with server-sent events or not), /v1/models, /health and Prometheus /metrics, with continuous batching
 * of Jacobi decoding across requests ({@link Scheduler}).
 *
 * <pre>{@code
 * try (Model model = EmbeddedModels.load(EmbeddedModels.CLLM, Device.auto());
 *      CllmServer server = CllmServer.start(model, ServerSettings.defaults("gsm-cllm"),
 *                                           new ChatTemplate(ChatTemplate.EMBEDDED, "", ""), System.err)) {
 *     server.join();
 * }
 * }</pre>
 *
 * <p>{@link #close()} shuts down gracefully: new generations get 503, running ones may finish for the
 * settings' grace period and are then cancelled, then the HTTP server stops. The model stays open (the
 * caller owns it).
 */
public final class CllmServer implements AutoCloseable {
    private final Server server;
    private final ServerConnector connector;
    private final Scheduler scheduler;
    private final ServerSettings settings;

    private CllmServer(Server server, ServerConnector connector, Scheduler scheduler, ServerSettings settings) {
        this.server = server;
        this.connector = connector;
        this.scheduler = scheduler;
        this.settings = settings;
    }

    /**
     * Starts serving model. chat: the chat template (null: the chat endpoint answers 400). log: where the
     * request lines go (the settings say whether there are any).
     */
    public static CllmServer start(Model model, ServerSettings settings, ChatTemplate chat, PrintStream log)
            throws Exception {
        ServerMetrics metrics = new ServerMetrics();
        Scheduler scheduler = new Scheduler(model, settings, metrics);
        try {
            int context = Math.min(settings.contextLength(), model.config().maxSeqLen());
            OpenAiRequest.Limits limits =
                    new OpenAiRequest.Limits(settings.modelId(), context, settings, model.tokenizer(), chat);
            // Threads: every request holds one while it waits for its generation, so allow the running,
            // the queued and some for quick requests (health, metrics, refusals).
            QueuedThreadPool threads =
                    new QueuedThreadPool(Math.max(32, settings.slots() + settings.queueCapacity() + 16));
            threads.setName("cllm-http");
            Server server = new Server(threads);
            HttpConfiguration http = new HttpConfiguration();
            http.setSendServerVersion(false);
            ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
            connector.setHost(settings.host());
            connector.setPort(settings.port());
            // A non-streamed generation keeps its connection silent until it is done, which on a large
            // model on a CPU can take minutes: only a connection idle for 10 minutes is dropped.
            connector.setIdleTimeout(600_000);
            server.addConnector(connector);
            server.setHandler(new GracefulHandler(new ApiHandler(settings, scheduler, metrics, limits, log)));
            server.setStopTimeout(5_000);
            server.start();
            return new CllmServer(server, connector, scheduler, settings);
        } catch (Exception | Error e) {
            scheduler.close();
            throw e;
        }
    }

    /** The port it listens on (the one the system chose for port 0). */
    public int port() {
        return connector.getLocalPort();
    }

    /** http://host:port */
    public URI baseUri() {
        String host = settings.host().contains(":") ? "[" + settings.host() + "]" : settings.host();
        return URI.create("http://" + host + ":" + port());
    }

    /** Blocks until the server stops. */
    public void join() throws InterruptedException {
        server.join();
    }

    /** Graceful shutdown (see the class comment). */
    @Override
    public void close() throws Exception {
        scheduler.shutdown(settings.shutdownGrace());
        try {
            server.stop();
        } finally {
            scheduler.close();
        }
    }
}
