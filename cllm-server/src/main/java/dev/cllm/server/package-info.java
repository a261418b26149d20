/**
 * {@code cllm serve}: an OpenAI-compatible HTTP server (completions, chat completions with server-sent
 * events, models, health, Prometheus metrics) on Jetty. A scheduler batches the requests' sessions into one
 * forward per iteration (continuous batching); chat templates come from the checkpoint or a built-in one.
 */
package dev.cllm.server;
