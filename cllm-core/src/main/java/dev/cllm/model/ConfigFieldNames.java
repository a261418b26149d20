package dev.cllm.model;

/**
 * What a checkpoint format calls each field of a {@link LlamaConfig}, so that a validation message names
 * the field as the user's file spells it.
 */
public record ConfigFieldNames(
        String dim,
        String hiddenDim,
        String nLayers,
        String nHeads,
        String nKvHeads,
        String headDim,
        String vocabSize,
        String maxSeqLen) {
    /** The engine's own names (the C ABI's {@code cllm_config}). */
    public static final ConfigFieldNames ENGINE = new ConfigFieldNames(
            "dim", "hidden_dim", "n_layers", "n_heads", "n_kv_heads", "head_dim", "vocab_size", "max_seq_len");
    /** A Hugging Face config.json. */
    public static final ConfigFieldNames HUGGING_FACE = new ConfigFieldNames(
            "hidden_size",
            "intermediate_size",
            "num_hidden_layers",
            "num_attention_heads",
            "num_key_value_heads",
            "head_dim",
            "vocab_size",
            "max_position_embeddings");
    /** A llama2.c checkpoint header (head size is dim / n_heads there). */
    public static final ConfigFieldNames LLAMA2C = new ConfigFieldNames(
            "dim", "hidden_dim", "n_layers", "n_heads", "n_kv_heads", "dim / n_heads", "vocab_size", "seq_len");
}
