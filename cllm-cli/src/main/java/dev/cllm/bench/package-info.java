/**
 * {@code cllm bench}: AR against Jacobi decoding on a model (tokens per iteration, tokens per second,
 * speedup), forward timings per block size, and the model shapes shared with the native benchmark.
 */
package dev.cllm.bench;
