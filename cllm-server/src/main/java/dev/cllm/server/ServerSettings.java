package dev.cllm.server;

import java.time.Duration;

/**
 * Everything {@code cllm serve} can set. Defaults ({@link #defaults(String)}) are safe for a machine that
 * others can reach: loopback only, bounded queue and body size, no prompt or output in the logs.
 *
 * @param host            address to bind (127.0.0.1 unless told otherwise)
 * @param port            TCP port (0: any free one)
 * @param apiKey          when set, every request but /health needs {@code Authorization: Bearer <key>}
 * @param modelId         the id /v1/models lists and requests name
 * @param slots           requests decoded at once (one session each, batched into one forward)
 * @param queueCapacity   requests that may wait for a slot; more get 429
 * @param contextLength   positions per session (prompt plus output), at most the model's context
 * @param blockSize       the default Jacobi block size (1: AR)
 * @param maxBlockSize    the largest block size a request may ask for (at most 64)
 * @param defaultMaxTokens tokens generated when a request gives no max_tokens
 * @param maxTokensLimit  the largest max_tokens a request may ask for
 * @param maxBodyBytes    the largest request body
 * @param maxStopStrings  stop strings per request
 * @param logRequests     one line per request on stderr (method, path, status, tokens, time; no text)
 * @param logPrompts      also log prompts and outputs (off by default)
 * @param shutdownGrace   how long a shutdown lets running requests finish before cancelling them
 */
public record ServerSettings(
        String host,
        int port,
        String apiKey,
        String modelId,
        int slots,
        int queueCapacity,
        int contextLength,
        int blockSize,
        int maxBlockSize,
        int defaultMaxTokens,
        int maxTokensLimit,
        long maxBodyBytes,
        int maxStopStrings,
        boolean logRequests,
        boolean logPrompts,
        Duration shutdownGrace) {
    public ServerSettings {
        if (host == null || host.isBlank()) throw new IllegalArgumentException("host must be set");
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be in [0, 65535], got " + port);
        if (apiKey != null && apiKey.isBlank()) throw new IllegalArgumentException("the API key must not be blank");
        if (modelId == null || modelId.isBlank()) throw new IllegalArgumentException("modelId must be set");
        if (slots < 1 || slots > 256) throw new IllegalArgumentException("slots must be in [1, 256], got " + slots);
        if (queueCapacity < 1) throw new IllegalArgumentException("queueCapacity must be >= 1, got " + queueCapacity);
        if (contextLength < 2) throw new IllegalArgumentException("contextLength must be >= 2, got " + contextLength);
        if (maxBlockSize < 1 || maxBlockSize > 64) {
            throw new IllegalArgumentException("maxBlockSize must be in [1, 64], got " + maxBlockSize);
        }
        if (blockSize < 1 || blockSize > maxBlockSize) {
            throw new IllegalArgumentException(
                    "blockSize must be in [1, maxBlockSize = " + maxBlockSize + "], got " + blockSize);
        }
        if (maxTokensLimit < 1)
            throw new IllegalArgumentException("maxTokensLimit must be >= 1, got " + maxTokensLimit);
        if (defaultMaxTokens < 1 || defaultMaxTokens > maxTokensLimit) {
            throw new IllegalArgumentException(
                    "defaultMaxTokens must be in [1, maxTokensLimit], got " + defaultMaxTokens);
        }
        if (maxBodyBytes < 1024)
            throw new IllegalArgumentException("maxBodyBytes must be >= 1024, got " + maxBodyBytes);
        if (maxStopStrings < 0) throw new IllegalArgumentException("maxStopStrings must be >= 0");
        if (shutdownGrace == null || shutdownGrace.isNegative())
            throw new IllegalArgumentException("shutdownGrace must be >= 0");
    }

    /** Loopback, port 8080, no key, 8 slots, 64 waiting, Jacobi n = 4, 256 default / 2048 max tokens, 1 MiB bodies. */
    public static ServerSettings defaults(String modelId) {
        return new ServerSettings(
                "127.0.0.1",
                8080,
                null,
                modelId,
                8,
                64,
                Integer.MAX_VALUE,
                4,
                32,
                256,
                2048,
                1 << 20,
                4,
                true,
                false,
                Duration.ofSeconds(30));
    }

    public ServerSettings withHost(String host) {
        return new ServerSettings(
                host,
                port,
                apiKey,
                modelId,
                slots,
                queueCapacity,
                contextLength,
                blockSize,
                maxBlockSize,
                defaultMaxTokens,
                maxTokensLimit,
                maxBodyBytes,
                maxStopStrings,
                logRequests,
                logPrompts,
                shutdownGrace);
    }

    public ServerSettings withPort(int port) {
        return new ServerSettings(
                host,
                port,
                apiKey,
                modelId,
                slots,
                queueCapacity,
                contextLength,
                blockSize,
                maxBlockSize,
                defaultMaxTokens,
                maxTokensLimit,
                maxBodyBytes,
                maxStopStrings,
                logRequests,
                logPrompts,
                shutdownGrace);
    }

    public ServerSettings withApiKey(String apiKey) {
        return new ServerSettings(
                host,
                port,
                apiKey,
                modelId,
                slots,
                queueCapacity,
                contextLength,
                blockSize,
                maxBlockSize,
                defaultMaxTokens,
                maxTokensLimit,
                maxBodyBytes,
                maxStopStrings,
                logRequests,
                logPrompts,
                shutdownGrace);
    }

    public ServerSettings withSlots(int slots) {
        return new ServerSettings(
                host,
                port,
                apiKey,
                modelId,
                slots,
                queueCapacity,
                contextLength,
                blockSize,
                maxBlockSize,
                defaultMaxTokens,
                maxTokensLimit,
                maxBodyBytes,
                maxStopStrings,
                logRequests,
                logPrompts,
                shutdownGrace);
    }

    public ServerSettings withQueueCapacity(int queueCapacity) {
        return new ServerSettings(
                host,
                port,
                apiKey,
                modelId,
                slots,
                queueCapacity,
                contextLength,
                blockSize,
                maxBlockSize,
                defaultMaxTokens,
                maxTokensLimit,
                maxBodyBytes,
                maxStopStrings,
                logRequests,
                logPrompts,
                shutdownGrace);
    }

    public ServerSettings withContextLength(int contextLength) {
        return new ServerSettings(
                host,
                port,
                apiKey,
                modelId,
                slots,
                queueCapacity,
                contextLength,
                blockSize,
                maxBlockSize,
                defaultMaxTokens,
                maxTokensLimit,
                maxBodyBytes,
                maxStopStrings,
                logRequests,
                logPrompts,
                shutdownGrace);
    }

    public ServerSettings withBlockSize(int blockSize) {
        return new ServerSettings(
                host,
                port,
                apiKey,
                modelId,
                slots,
                queueCapacity,
                contextLength,
                blockSize,
                Math.max(maxBlockSize, blockSize),
                defaultMaxTokens,
                maxTokensLimit,
                maxBodyBytes,
                maxStopStrings,
                logRequests,
                logPrompts,
                shutdownGrace);
    }

    public ServerSettings withMaxTokens(int defaultMaxTokens, int maxTokensLimit) {
        return new ServerSettings(
                host,
                port,
                apiKey,
                modelId,
                slots,
                queueCapacity,
                contextLength,
                blockSize,
                maxBlockSize,
                defaultMaxTokens,
                maxTokensLimit,
                maxBodyBytes,
                maxStopStrings,
                logRequests,
                logPrompts,
                shutdownGrace);
    }

    public ServerSettings withMaxBodyBytes(long maxBodyBytes) {
        return new ServerSettings(
                host,
                port,
                apiKey,
                modelId,
                slots,
                queueCapacity,
                contextLength,
                blockSize,
                maxBlockSize,
                defaultMaxTokens,
                maxTokensLimit,
                maxBodyBytes,
                maxStopStrings,
                logRequests,
                logPrompts,
                shutdownGrace);
    }

    public ServerSettings withLogging(boolean logRequests, boolean logPrompts) {
        return new ServerSettings(
                host,
                port,
                apiKey,
                modelId,
                slots,
                queueCapacity,
                contextLength,
                blockSize,
                maxBlockSize,
                defaultMaxTokens,
                maxTokensLimit,
                maxBodyBytes,
                maxStopStrings,
                logRequests,
                logPrompts,
                shutdownGrace);
    }

    public ServerSettings withShutdownGrace(Duration shutdownGrace) {
        return new ServerSettings(
                host,
                port,
                apiKey,
                modelId,
                slots,
                queueCapacity,
                contextLength,
                blockSize,
                maxBlockSize,
                defaultMaxTokens,
                maxTokensLimit,
                maxBodyBytes,
                maxStopStrings,
                logRequests,
                logPrompts,
                shutdownGrace);
    }
}
