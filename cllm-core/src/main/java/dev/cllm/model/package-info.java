/**
 * Checkpoint formats and their validation: Hugging Face safetensors (single and sharded), llama2.c
 * {@code .bin}, GGUF (with dequantisation of its block types), the safetensors and GGUF writers, model
 * configurations and their limits, tensors and element types, and the one float/bf16/f16 conversion of the
 * Java side ({@link dev.cllm.model.HalfFloats}). A bad file is one {@link dev.cllm.CllmException} line naming
 * the file, never a crash.
 */
package dev.cllm.model;
