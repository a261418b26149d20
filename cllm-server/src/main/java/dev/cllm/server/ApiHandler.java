package dev.cllm.server;

import com.google.gson.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The HTTP endpoints, on Jetty's core API (Jetty parses HTTP and handles connections; this class only
 * routes and writes JSON or server-sent events): GET /health, GET /metrics, GET /v1/models, POST
 * /v1/completions, POST /v1/chat/completions. Each request runs on a Jetty thread that may block: a
 * generation is handed to the {@link Scheduler} and its events are written as they come, at the client's
 * pace; a write that fails (the client went away) cancels the generation.
 */
final class ApiHandler extends Handler.Abstract {
    private final ServerSettings settings;
    private final Scheduler scheduler;
    private final ServerMetrics metrics;
    private final OpenAiRequest.Limits limits;
    private final byte[] apiKey;
    private final PrintStream log;
    private final long created = System.currentTimeMillis() / 1000;

    ApiHandler(
            ServerSettings settings,
            Scheduler scheduler,
            ServerMetrics metrics,
            OpenAiRequest.Limits limits,
            PrintStream log) {
        this.settings = settings;
        this.scheduler = scheduler;
        this.metrics = metrics;
        this.limits = limits;
        this.apiKey = settings.apiKey() == null ? null : settings.apiKey().getBytes(StandardCharsets.UTF_8);
        this.log = log;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        long start = System.nanoTime();
        String path = request.getHttpURI().getPath();
        String method = request.getMethod();
        String endpoint = endpoint(path);
        Outcome outcome = new Outcome();
        Throwable broken = null;
        try {
            route(endpoint, method, path, request, response, outcome);
        } catch (ApiError e) {
            outcome.status = e.status;
            if (!outcome.committed) writeError(response, e);
        } catch (IOException e) {
            outcome.status = 499; // the client closed the connection
            broken = e;
        } catch (RuntimeException e) {
            outcome.status = 500;
            if (outcome.committed) broken = e;
            else writeError(response, ApiError.internal("internal error: " + e));
        }
        metrics.requests.labelValues(endpoint, Integer.toString(outcome.status)).inc();
        if (settings.logRequests()) logLine(method, path, outcome, start);
        if (broken != null) callback.failed(broken);
        else callback.succeeded();
        return true;
    }

    /** What a request came to, for the metrics and the log. */
    private static final class Outcome {
        int status = 200;
        boolean committed;
        Usage usage;
        FinishReason reason;
        String prompt;
        String output;
    }

    private void route(String endpoint, String method, String path, Request request, Response response, Outcome outcome)
            throws IOException {
        switch (endpoint) {
            case "health" -> {
                requireMethod(method, "GET", path);
                JsonObject o = new JsonObject();
                o.addProperty("status", scheduler.accepting() ? "ok" : "shutting_down");
                o.addProperty("queued", scheduler.queued());
                outcome.status = scheduler.accepting() ? 200 : 503;
                writeJson(response, outcome.status, o);
            }
            case "metrics" -> {
                authorize(request);
                requireMethod(method, "GET", path);
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                metrics.write(out);
                response.setStatus(200);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, metrics.contentType());
                Content.Sink.write(response, true, ByteBuffer.wrap(out.toByteArray()));
            }
            case "models" -> {
                authorize(request);
                requireMethod(method, "GET", path);
                writeJson(response, 200, OpenAiResponse.models(settings.modelId(), created));
            }
            case "completions", "chat" -> {
                authorize(request);
                requireMethod(method, "POST", path);
                OpenAiRequest.Kind kind =
                        endpoint.equals("chat") ? OpenAiRequest.Kind.CHAT : OpenAiRequest.Kind.COMPLETION;
                OpenAiRequest parsed = OpenAiRequest.parse(kind, readBody(request), limits);
                outcome.prompt = parsed.promptText();
                generate(parsed, request, response, outcome);
            }
            default ->
                throw ApiError.notFound("no endpoint " + path + " (try /v1/completions, /v1/chat/completions, "
                        + "/v1/models, /health, /metrics)");
        }
    }

    private void generate(OpenAiRequest parsed, Request request, Response response, Outcome outcome)
            throws IOException {
        Job job = scheduler.submit(parsed.generation());
        request.addFailureListener(failure -> job.cancel());
        OpenAiResponse answer = new OpenAiResponse(parsed.kind(), settings.modelId());
        StringBuilder text = new StringBuilder();
        OutputStream sse = null;
        try {
            if (parsed.stream()) {
                response.setStatus(200);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream; charset=utf-8");
                response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
                sse = Content.Sink.asOutputStream(response);
                outcome.committed = true;
            }
            boolean first = true;
            while (true) {
                Job.Event event = job.next(1000);
                if (event == null) continue;
                if (event instanceof Job.Text t) {
                    if (sse != null) {
                        sendEvent(sse, answer.chunk(t.text(), first).toString());
                        first = false;
                        if (settings.logPrompts()) text.append(t.text());
                    } else {
                        text.append(t.text());
                    }
                } else if (event instanceof Job.Done d) {
                    outcome.usage = d.usage();
                    outcome.reason = d.reason();
                    outcome.output = text.toString();
                    if (sse != null) {
                        if (first && parsed.kind() == OpenAiRequest.Kind.CHAT)
                            sendEvent(sse, answer.chunk("", true).toString());
                        sendEvent(sse, answer.finalChunk(d.reason()).toString());
                        if (parsed.includeUsage())
                            sendEvent(sse, answer.usageChunk(d.usage()).toString());
                        sendEvent(sse, "[DONE]");
                        sse.close();
                    } else {
                        writeJson(response, 200, answer.complete(text.toString(), d.reason(), d.usage()));
                    }
                    return;
                } else if (event instanceof Job.Failed f) {
                    if (sse == null) throw f.error();
                    outcome.status = f.error().status;
                    sendEvent(sse, OpenAiResponse.error(f.error()).toString());
                    sse.close();
                    return;
                }
            }
        } catch (InterruptedException e) {
            job.cancel();
            Thread.currentThread().interrupt();
            throw ApiError.shuttingDown();
        } catch (IOException | RuntimeException e) {
            job.cancel(); // the client went away (or the write failed): stop decoding for it
            throw e;
        }
    }

    private static void sendEvent(OutputStream out, String data) throws IOException {
        out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private String readBody(Request request) throws IOException {
        long declared = request.getLength();
        if (declared > settings.maxBodyBytes()) throw ApiError.tooLarge(settings.maxBodyBytes());
        try (InputStream in = Content.Source.asInputStream(request)) {
            byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, settings.maxBodyBytes() + 1));
            if (body.length > settings.maxBodyBytes()) throw ApiError.tooLarge(settings.maxBodyBytes());
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private void authorize(Request request) {
        if (apiKey == null) return;
        String header = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        byte[] given = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
                ? header.substring(7).trim().getBytes(StandardCharsets.UTF_8)
                : new byte[0];
        if (!MessageDigest.isEqual(given, apiKey)) throw ApiError.unauthorized();
    }

    private static void requireMethod(String method, String allowed, String path) {
        if (!method.equals(allowed)) throw ApiError.methodNotAllowed(method, path);
    }

    private static String endpoint(String path) {
        return switch (path) {
            case "/health" -> "health";
            case "/metrics" -> "metrics";
            case "/v1/models" -> "models";
            case "/v1/completions" -> "completions";
            case "/v1/chat/completions" -> "chat";
            default -> "other";
        };
    }

    private static void writeJson(Response response, int status, JsonObject body) throws IOException {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        Content.Sink.write(response, true, ByteBuffer.wrap(body.toString().getBytes(StandardCharsets.UTF_8)));
    }

    private static void writeError(Response response, ApiError e) {
        try {
            if (e.status == 401) response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer");
            writeJson(response, e.status, OpenAiResponse.error(e));
        } catch (IOException | RuntimeException ignored) {
            // The client is gone; nothing left to tell it.
        }
    }

    /** One line per request: never the prompt or output unless logPrompts. */
    private void logLine(String method, String path, Outcome o, long start) {
        StringBuilder b = new StringBuilder(String.format(
                Locale.ROOT,
                "cllm serve: %s %s %d %.1f ms",
                method,
                path,
                o.status,
                (System.nanoTime() - start) / 1e6));
        if (o.usage != null) {
            b.append(String.format(
                    Locale.ROOT,
                    " prompt=%d completion=%d tokens/iteration=%.2f finish=%s",
                    o.usage.promptTokens(),
                    o.usage.completionTokens(),
                    o.usage.tokensPerIteration(),
                    o.reason.wire));
        }
        if (settings.logPrompts() && o.prompt != null) b.append(" prompt=").append(quote(o.prompt));
        if (settings.logPrompts() && o.output != null) b.append(" output=").append(quote(o.output));
        log.println(b);
    }

    private static String quote(String s) {
        return new com.google.gson.JsonPrimitive(s).toString();
    }
}
