package dev.cllm.model;

/**
 * Upper bounds on a model's shape, checked by {@link LlamaConfig#validate(ConfigFieldNames)} before a loader
 * maps a byte or builds anything per layer, so that a config asking for absurd sizes fails at once with a
 * message naming the field. They lie far above every published Llama-family model, keep every size
 * computed from a valid config inside a {@code long} (and {@code qDim}, {@code kvDim} inside an
 * {@code int}), and include the native engine's own limit on matrix sizes.
 */
public final class ModelLimits {
    public static final int MAX_DIM = 1 << 16;
    public static final int MAX_HIDDEN_DIM = 1 << 20;
    public static final int MAX_LAYERS = 1 << 12;
    public static final int MAX_HEADS = 1 << 12;
    public static final int MAX_HEAD_DIM = 1 << 12;
    public static final int MAX_VOCAB = 1 << 24;
    public static final int MAX_SEQ_LEN = 1 << 24;
    /**
     * The largest element count the native engine accepts for vocab x dim, hidden x dim, q_dim x dim and
     * max_seq_len x dim (exclusive; {@code validate_config} in native/src/api.cpp).
     */
    public static final long MATRIX_ELEMENTS_LIMIT = 1L << 36;

    private ModelLimits() {}
}
