/**
 * Tokenizers: the {@link dev.cllm.tokenizer.Tokenizer} interface, Hugging Face tokenizer.json through DJL,
 * our own byte-level BPE and its trainer, the tokenizers a GGUF file carries (SentencePiece-style and
 * GPT-2-style BPE), and streaming detokenisation for token-by-token output.
 */
package dev.cllm.tokenizer;
