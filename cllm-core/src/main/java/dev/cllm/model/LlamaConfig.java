package dev.cllm.model;

/**
 * The shape of a Llama-architecture model. {@code headDim} need not equal {@code dim / nHeads};
 * {@code maxSeqLen} bounds every session; token ids {@code bosTokenId} / {@code eosTokenId} are -1 when
 * the checkpoint names none.
 */
public record LlamaConfig(int dim, int hiddenDim, int nLayers, int nHeads, int nKvHeads, int headDim, int vocabSize,
        int maxSeqLen, float ropeTheta, float normEps, boolean tiedEmbeddings, int bosTokenId, int eosTokenId) {

    /** The usual defaults: head dim = dim / heads, theta 10000, eps 1e-5, no special tokens. */
    public static LlamaConfig of(int dim, int hiddenDim, int nLayers, int nHeads, int nKvHeads, int vocabSize,
            int maxSeqLen, boolean tiedEmbeddings) {
        return new LlamaConfig(dim, hiddenDim, nLayers, nHeads, nKvHeads, dim / nHeads, vocabSize, maxSeqLen,
                10000f, 1e-5f, tiedEmbeddings, -1, -1);
    }

    /** Checks the invariants; the message names the field. Throws IllegalArgumentException. */
    public LlamaConfig validate() {
        positive(dim, "dim");
        positive(hiddenDim, "hidden_dim");
        positive(nLayers, "n_layers");
        positive(nHeads, "n_heads");
        positive(nKvHeads, "n_kv_heads");
        positive(headDim, "head_dim");
        positive(vocabSize, "vocab_size");
        positive(maxSeqLen, "max_seq_len");
        if (nHeads % nKvHeads != 0) {
            throw new IllegalArgumentException("n_heads (" + nHeads + ") must be a multiple of n_kv_heads (" + nKvHeads + ")");
        }
        if (headDim % 2 != 0) throw new IllegalArgumentException("head_dim must be even, got " + headDim);
        if (!(ropeTheta > 0) || Float.isInfinite(ropeTheta)) {
            throw new IllegalArgumentException("rope_theta must be positive, got " + ropeTheta);
        }
        if (!(normEps >= 0) || Float.isInfinite(normEps)) {
            throw new IllegalArgumentException("norm_eps must be non-negative, got " + normEps);
        }
        if (bosTokenId >= vocabSize || eosTokenId >= vocabSize) {
            throw new IllegalArgumentException("bos/eos token id outside the vocabulary of " + vocabSize);
        }
        return this;
    }

    private static void positive(int value, String name) {
        if (value <= 0) throw new IllegalArgumentException(name + " must be positive, got " + value);
    }

    public int qDim() {
        return nHeads * headDim;
    }

    public int kvDim() {
        return nKvHeads * headDim;
    }

    /** Number of parameters, counting a tied head once. */
    public long parameterCount() {
        long perLayer = 2L * dim + (long) qDim() * dim * 2 + (long) kvDim() * dim * 2 + 3L * hiddenDim * dim;
        long embeddings = (long) vocabSize * dim * (tiedEmbeddings ? 1 : 2);
        return embeddings + perLayer * nLayers + dim;
    }

    public LlamaConfig withMaxSeqLen(int newMaxSeqLen) {
        return new LlamaConfig(dim, hiddenDim, nLayers, nHeads, nKvHeads, headDim, vocabSize, newMaxSeqLen, ropeTheta,
                normEps, tiedEmbeddings, bosTokenId, eosTokenId);
    }

    public LlamaConfig withSpecialTokens(int bos, int eos) {
        return new LlamaConfig(dim, hiddenDim, nLayers, nHeads, nKvHeads, headDim, vocabSize, maxSeqLen, ropeTheta,
                normEps, tiedEmbeddings, bos, eos);
    }
}
