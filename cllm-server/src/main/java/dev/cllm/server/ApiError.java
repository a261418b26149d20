package dev.cllm.server;

/**
 * A request the server refuses or could not serve, as the OpenAI API reports it: an HTTP status and a
 * JSON body {@code {"error": {"message", "type", "param", "code"}}}.
 */
final class ApiError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    final int status;
    final String type;
    final String param;
    final String code;

    ApiError(int status, String type, String param, String code, String message) {
        super(message);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
    }

    /** 400: a bad field (named by param, may be null). */
    static ApiError invalid(String param, String message) {
        return new ApiError(400, "invalid_request_error", param, null, message);
    }

    static ApiError unauthorized() {
        return new ApiError(
                401,
                "invalid_request_error",
                null,
                "invalid_api_key",
                "a valid API key is required: send the header 'Authorization: Bearer <key>'");
    }

    static ApiError notFound(String message) {
        return new ApiError(404, "invalid_request_error", null, "not_found", message);
    }

    static ApiError methodNotAllowed(String method, String path) {
        return new ApiError(
                405, "invalid_request_error", null, "method_not_allowed", method + " is not allowed on " + path);
    }

    static ApiError tooLarge(long limit) {
        return new ApiError(
                413,
                "invalid_request_error",
                null,
                "request_too_large",
                "the request body exceeds the server's limit of " + limit + " bytes");
    }

    static ApiError queueFull(int waiting) {
        return new ApiError(
                429,
                "rate_limit_error",
                null,
                "queue_full",
                "the server is busy: " + waiting + " requests are already waiting; retry later");
    }

    static ApiError shuttingDown() {
        return new ApiError(503, "server_error", null, "shutting_down", "the server is shutting down");
    }

    static ApiError internal(String message) {
        return new ApiError(500, "server_error", null, "internal_error", message);
    }
}
