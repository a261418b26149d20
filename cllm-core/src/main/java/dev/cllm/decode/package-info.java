/**
 * The decoding loops over a {@link dev.cllm.engine.NativeSession}: greedy or sampled AR, Jacobi decoding with
 * the refill or shrink window ({@link dev.cllm.decode.JacobiDecoder}), the initial-guess rule, stop rules, and
 * the statistics every decoder reports ({@link dev.cllm.decode.DecodeStats}). Jacobi output equals AR output
 * token for token; only the number of forward passes differs.
 */
package dev.cllm.decode;
