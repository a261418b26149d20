/**
 * The public API: load a model onto a device, open a session, generate.
 *
 * <ul>
 *   <li>{@link dev.cllm.Cllm} loads a checkpoint (Hugging Face, llama2.c, GGUF) onto a {@link dev.cllm.Device};
 *       {@link dev.cllm.Model} owns the weights and the tokenizer, {@link dev.cllm.Session} a KV cache.</li>
 *   <li>{@link dev.cllm.Decoding} says how to generate: AR or Jacobi (a sealed interface of two records), with
 *       greedy or {@link dev.cllm.Sampling sampled} tokens; {@link dev.cllm.Generation} is the result with its
 *       statistics.</li>
 *   <li>{@link dev.cllm.Cancellation} stops a generation from any thread; {@link dev.cllm.CllmException} is
 *       the one exception type for everything that is not a bad argument.</li>
 * </ul>
 *
 * <p>Handles that own native memory are {@link java.lang.AutoCloseable}; closing one from another thread is
 * safe. See docs/ARCHITECTURE.md for the layers below.
 */
package dev.cllm;
