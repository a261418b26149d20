package dev.cllm.server;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;

/**
 * The server's Prometheus metrics (GET /metrics, text format): requests by endpoint and status, prompt
 * and generated tokens, forward passes, tokens per pass, queue length, running requests, latency
 * histograms (whole request, time to first token, time per output token, queue wait, batched step).
 */
final class ServerMetrics {
    private static final double[] SECONDS = {
        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60
    };

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = new PrometheusTextFormatWriter(false);

    final Counter requests = Counter.builder()
            .name("cllm_requests_total")
            .help("HTTP requests by endpoint and status code")
            .labelNames("endpoint", "status")
            .register(registry);
    final Counter promptTokens = Counter.builder()
            .name("cllm_prompt_tokens_total")
            .help("prompt tokens of finished generations")
            .register(registry);
    final Counter generatedTokens = Counter.builder()
            .name("cllm_generated_tokens_total")
            .help("tokens generated (completion tokens, plus end-of-sequence tokens)")
            .register(registry);
    final Counter completionTokens = Counter.builder()
            .name("cllm_completion_tokens_total")
            .help("completion tokens returned to clients")
            .register(registry);
    final Counter iterations = Counter.builder()
            .name("cllm_iterations_total")
            .help("forward passes that generated tokens (Jacobi iterations; one per token for AR)")
            .register(registry);
    final Counter generations = Counter.builder()
            .name("cllm_generations_total")
            .help("finished generations by finish reason")
            .labelNames("reason")
            .register(registry);
    final Histogram tokensPerIteration = Histogram.builder()
            .name("cllm_tokens_per_iteration")
            .help("tokens per forward pass of each finished generation")
            .classicUpperBounds(1, 1.25, 1.5, 2, 2.5, 3, 4, 6, 8, 16)
            .register(registry);
    final Gauge queueLength = Gauge.builder()
            .name("cllm_queue_length")
            .help("requests waiting for a decoding slot")
            .register(registry);
    final Gauge activeRequests = Gauge.builder()
            .name("cllm_active_requests")
            .help("requests being decoded")
            .register(registry);
    final Histogram requestSeconds = Histogram.builder()
            .name("cllm_request_duration_seconds")
            .help("from submission to the last token")
            .classicUpperBounds(SECONDS)
            .register(registry);
    final Histogram firstTokenSeconds = Histogram.builder()
            .name("cllm_time_to_first_token_seconds")
            .help("from submission to the first text")
            .classicUpperBounds(SECONDS)
            .register(registry);
    final Histogram perTokenSeconds = Histogram.builder()
            .name("cllm_time_per_output_token_seconds")
            .help("after the first text, per further completion token")
            .classicUpperBounds(SECONDS)
            .register(registry);
    final Histogram queueWait = Histogram.builder()
            .name("cllm_queue_wait_seconds")
            .help("from submission to getting a decoding slot")
            .classicUpperBounds(SECONDS)
            .register(registry);
    final Histogram stepSeconds = Histogram.builder()
            .name("cllm_step_duration_seconds")
            .help("one batched forward over all running requests")
            .classicUpperBounds(SECONDS)
            .register(registry);
    final Histogram stepRows = Histogram.builder()
            .name("cllm_step_rows")
            .help("rows (tokens) in one batched forward")
            .classicUpperBounds(1, 2, 4, 8, 16, 32, 64, 128, 256, 512)
            .register(registry);

    /** Records a generation that ended (on the scheduler's thread). */
    void finished(Job job, FinishReason reason, Usage usage) {
        long now = System.nanoTime();
        generations.labelValues(reason.wire).inc();
        promptTokens.inc(usage.promptTokens());
        generatedTokens.inc(usage.generated());
        completionTokens.inc(usage.completionTokens());
        iterations.inc(usage.iterations());
        if (usage.iterations() > 0) tokensPerIteration.observe(usage.tokensPerIteration());
        requestSeconds.observe((now - job.submittedNanos) / 1e9);
        long first = job.firstTokenNanos();
        if (first != 0) {
            firstTokenSeconds.observe((first - job.submittedNanos) / 1e9);
            if (usage.completionTokens() > 1)
                perTokenSeconds.observe((now - first) / 1e9 / (usage.completionTokens() - 1));
        }
    }

    String contentType() {
        return writer.getContentType();
    }

    void write(OutputStream out) throws IOException {
        writer.write(out, registry.scrape());
    }
}
