package dev.cllm.model;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * llama.cpp's names for a Llama model in GGUF: tensor names ({@code token_embd.weight},
 * {@code blk.N.attn_q.weight}, ..., {@code output.weight}) mapped to and from our Hugging Face names
 * ({@link TensorNames}), and the metadata keys of the "llama" architecture.
 */
public final class GgufNames {
    public static final String ARCHITECTURE = "general.architecture";
    public static final String NAME = "general.name";
    public static final String FILE_TYPE = "general.file_type";
    public static final String LLAMA = "llama";
    public static final String CONTEXT_LENGTH = "llama.context_length";
    public static final String EMBEDDING_LENGTH = "llama.embedding_length";
    public static final String BLOCK_COUNT = "llama.block_count";
    public static final String FEED_FORWARD_LENGTH = "llama.feed_forward_length";
    public static final String HEAD_COUNT = "llama.attention.head_count";
    public static final String HEAD_COUNT_KV = "llama.attention.head_count_kv";
    public static final String KEY_LENGTH = "llama.attention.key_length";
    public static final String VALUE_LENGTH = "llama.attention.value_length";
    public static final String RMS_EPS = "llama.attention.layer_norm_rms_epsilon";
    public static final String ROPE_DIMENSIONS = "llama.rope.dimension_count";
    public static final String ROPE_FREQ_BASE = "llama.rope.freq_base";
    public static final String ROPE_SCALING_TYPE = "llama.rope.scaling.type";
    public static final String ROPE_SCALING_FACTOR = "llama.rope.scaling.factor";
    public static final String VOCAB_SIZE = "llama.vocab_size";
    public static final String EXPERT_COUNT = "llama.expert_count";
    public static final String BOS_ID = "tokenizer.ggml.bos_token_id";
    public static final String EOS_ID = "tokenizer.ggml.eos_token_id";

    public static final String TOKEN_EMBD = "token_embd.weight";
    public static final String OUTPUT_NORM = "output_norm.weight";
    public static final String OUTPUT = "output.weight";
    private static final Pattern BLOCK = Pattern.compile("^blk\\.(\\d+)\\.(.+)$");
    private static final Pattern HF_LAYER = Pattern.compile("^model\\.layers\\.(\\d+)\\.(.+)$");
    private static final String[][] LAYER_SUFFIXES = {
        {"attn_norm.weight", "input_layernorm.weight"},
        {"attn_q.weight", "self_attn.q_proj.weight"},
        {"attn_k.weight", "self_attn.k_proj.weight"},
        {"attn_v.weight", "self_attn.v_proj.weight"},
        {"attn_output.weight", "self_attn.o_proj.weight"},
        {"ffn_norm.weight", "post_attention_layernorm.weight"},
        {"ffn_gate.weight", "mlp.gate_proj.weight"},
        {"ffn_up.weight", "mlp.up_proj.weight"},
        {"ffn_down.weight", "mlp.down_proj.weight"},
    };

    private GgufNames() {}

    /** The GGUF name of a Hugging Face tensor name, or null when llama.cpp has none for it. */
    public static String toGguf(String hfName) {
        switch (hfName) {
            case TensorNames.EMBED:
                return TOKEN_EMBD;
            case TensorNames.FINAL_NORM:
                return OUTPUT_NORM;
            case TensorNames.LM_HEAD:
                return OUTPUT;
            default:
        }
        Matcher m = HF_LAYER.matcher(hfName);
        if (!m.matches()) return null;
        for (String[] s : LAYER_SUFFIXES) {
            if (s[1].equals(m.group(2))) return "blk." + m.group(1) + "." + s[0];
        }
        return null;
    }

    /** The Hugging Face name of a GGUF tensor name, or null when it is not part of a Llama model we run. */
    public static String toHf(String ggufName) {
        switch (ggufName) {
            case TOKEN_EMBD:
                return TensorNames.EMBED;
            case OUTPUT_NORM:
                return TensorNames.FINAL_NORM;
            case OUTPUT:
                return TensorNames.LM_HEAD;
            default:
        }
        Matcher m = BLOCK.matcher(ggufName);
        if (!m.matches()) return null;
        for (String[] s : LAYER_SUFFIXES) {
            if (s[0].equals(m.group(2))) return "model.layers." + m.group(1) + "." + s[1];
        }
        return null;
    }

    /** The block number of a {@code blk.N.*} name, -1 for other names, Long.MAX_VALUE when N overflows. */
    public static long blockOf(String ggufName) {
        Matcher m = BLOCK.matcher(ggufName);
        if (!m.matches()) return -1;
        try {
            return Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }

    /** The part after {@code blk.N.}, or the whole name. */
    public static String suffix(String ggufName) {
        Matcher m = BLOCK.matcher(ggufName);
        return m.matches() ? m.group(2) : ggufName;
    }
}
