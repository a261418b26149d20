package dev.cllm.model;

/**
 * The shape of a Llama-architecture model. {@code headDim} need not equal {@code dim / nHeads};
 * {@code maxSeqLen} bounds every session; token ids {@code bosTokenId} / {@code eosTokenId} are -1 when
 * the checkpoint names none.
 */
public record LlamaConfig(
        int dim,
        int hiddenDim,
        int nLayers,
        int nHeads,
        int nKvHeads,
        int headDim,
        int vocabSize,
        int maxSeqLen,
        float ropeTheta,
        float normEps,
        boolean tiedEmbeddings,
        int bosTokenId,
        int eosTokenId) {

    /** The usual defaults: head dim = dim / heads, theta 10000, eps 1e-5, no special tokens. */
    public static LlamaConfig of(
            int dim,
            int hiddenDim,
            int nLayers,
            int nHeads,
            int nKvHeads,
            int vocabSize,
            int maxSeqLen,
            boolean tiedEmbeddings) {
        return new LlamaConfig(
                dim,
                hiddenDim,
                nLayers,
                nHeads,
                nKvHeads,
                dim / nHeads,
                vocabSize,
                maxSeqLen,
                10000f,
                1e-5f,
                tiedEmbeddings,
                -1,
                -1);
    }

    /** Checks the invariants; the message names the field (engine names). Throws IllegalArgumentException. */
    public LlamaConfig validate() {
        return validate(ConfigFieldNames.ENGINE);
    }

    /**
     * Checks the invariants and the {@link ModelLimits}, in constant time whatever the sizes; the one-line
     * message names the field as {@code names} spells it. Throws IllegalArgumentException.
     */
    public LlamaConfig validate(ConfigFieldNames names) {
        bounded(dim, ModelLimits.MAX_DIM, names.dim());
        bounded(hiddenDim, ModelLimits.MAX_HIDDEN_DIM, names.hiddenDim());
        bounded(nLayers, ModelLimits.MAX_LAYERS, names.nLayers());
        bounded(nHeads, ModelLimits.MAX_HEADS, names.nHeads());
        bounded(nKvHeads, ModelLimits.MAX_HEADS, names.nKvHeads());
        bounded(headDim, ModelLimits.MAX_HEAD_DIM, names.headDim());
        bounded(vocabSize, ModelLimits.MAX_VOCAB, names.vocabSize());
        bounded(maxSeqLen, ModelLimits.MAX_SEQ_LEN, names.maxSeqLen());
        if (nHeads % nKvHeads != 0) {
            throw new IllegalArgumentException(names.nHeads() + " (" + nHeads + ") must be a multiple of "
                    + names.nKvHeads() + " (" + nKvHeads + ")");
        }
        if (headDim % 2 != 0) throw new IllegalArgumentException(names.headDim() + " must be even, got " + headDim);
        // Each factor is at most 2^24 here, so the products below cannot overflow a long.
        matrix((long) vocabSize * dim, names.vocabSize() + " * " + names.dim());
        matrix((long) hiddenDim * dim, names.hiddenDim() + " * " + names.dim());
        matrix((long) nHeads * headDim * dim, names.nHeads() + " * " + names.headDim() + " * " + names.dim());
        matrix((long) maxSeqLen * dim, names.maxSeqLen() + " * " + names.dim());
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

    private static void bounded(int value, int max, String name) {
        if (value <= 0 || value > max) {
            throw new IllegalArgumentException(name + " must be between 1 and " + max + ", got " + value);
        }
    }

    private static void matrix(long elements, String product) {
        if (elements >= ModelLimits.MATRIX_ELEMENTS_LIMIT) {
            throw new IllegalArgumentException(product + " = " + elements + " is at or above the engine's limit of "
                    + ModelLimits.MATRIX_ELEMENTS_LIMIT + " elements");
        }
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
        return new LlamaConfig(
                dim,
                hiddenDim,
                nLayers,
                nHeads,
                nKvHeads,
                headDim,
                vocabSize,
                newMaxSeqLen,
                ropeTheta,
                normEps,
                tiedEmbeddings,
                bosTokenId,
                eosTokenId);
    }

    public LlamaConfig withSpecialTokens(int bos, int eos) {
        return new LlamaConfig(
                dim,
                hiddenDim,
                nLayers,
                nHeads,
                nKvHeads,
                headDim,
                vocabSize,
                maxSeqLen,
                ropeTheta,
                normEps,
                tiedEmbeddings,
                bos,
                eos);
    }
}
