package dev.cllm.torch;

import dev.cllm.model.LlamaConfig;
import dev.cllm.model.ModelWeights;
import dev.cllm.model.RandomWeights;
import dev.cllm.model.TensorNames;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;

/**
 * A Llama model in LibTorch (CPU, fp32): the reference implementation that tests check the native
 * backends against, and the model that training updates.
 *
 * <p>Architecture as Hugging Face's LlamaForCausalLM: token embedding; per layer
 * {@code x += o(attn(rope(q(n1(x))), rope(k(n1(x))), v(n1(x))))} and
 * {@code x += down(silu(gate(n2(x))) * up(n2(x)))}; final RMSNorm; a head tied to the embedding or not.
 * Attention is causal over the whole sequence (no KV cache), grouped-query (each KV head serves
 * n_heads / n_kv_heads query heads), scaled by 1/sqrt(head_dim), through LibTorch's fused
 * {@code scaled_dot_product_attention}.
 *
 * <p>Memory: parameters are owned by this object until {@link #close()}; do not close them yourself.
 * Every other tensor a method returns belongs to the caller's open {@link PointerScope} (open one per
 * step), or to the caller when none is open. Not thread-safe.
 */
public final class TorchLlama implements AutoCloseable {
    private final LlamaConfig config;
    private final Map<String, Tensor> parameters;
    private final Layer[] layers;
    private final Tensor embed;
    private final Tensor finalNorm;
    private final Tensor head;
    private final RotaryEmbedding rotary;
    private boolean closed;

    private record Layer(
            Tensor attnNorm,
            Tensor wq,
            Tensor wk,
            Tensor wv,
            Tensor wo,
            Tensor ffnNorm,
            Tensor gate,
            Tensor up,
            Tensor down) {}

    private TorchLlama(LlamaConfig config, Map<String, Tensor> parameters) {
        this.config = config;
        this.parameters = Collections.unmodifiableMap(parameters);
        this.embed = parameters.get(TensorNames.EMBED);
        this.finalNorm = parameters.get(TensorNames.FINAL_NORM);
        this.head = config.tiedEmbeddings() ? embed : parameters.get(TensorNames.LM_HEAD);
        this.layers = new Layer[config.nLayers()];
        for (int l = 0; l < layers.length; l++) {
            layers[l] = new Layer(
                    parameters.get(TensorNames.attnNorm(l)),
                    parameters.get(TensorNames.wq(l)),
                    parameters.get(TensorNames.wk(l)),
                    parameters.get(TensorNames.wv(l)),
                    parameters.get(TensorNames.wo(l)),
                    parameters.get(TensorNames.ffnNorm(l)),
                    parameters.get(TensorNames.gate(l)),
                    parameters.get(TensorNames.up(l)),
                    parameters.get(TensorNames.down(l)));
        }
        this.rotary = new RotaryEmbedding(config.headDim(), config.maxSeqLen(), config.ropeTheta());
    }

    /**
     * A model holding fp32 copies of the weights (any checkpoint dtype), validated against their config.
     * Parameters start with requires_grad false; see {@link #setRequiresGrad(boolean)}.
     */
    public static TorchLlama fromWeights(ModelWeights weights) {
        weights.validate();
        TorchRuntime.ensureLoaded();
        LlamaConfig config = weights.config();
        Map<String, Tensor> parameters = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, long[]> e : ModelWeights.expectedShapes(config)) {
                parameters.put(e.getKey(), Scopes.keep(TorchTensors.fromModel(weights.require(e.getKey()))));
            }
        } catch (RuntimeException e) {
            parameters.values().forEach(Tensor::close);
            throw e;
        }
        return new TorchLlama(config, parameters);
    }

    /** A model with {@link RandomWeights} (seeded, the same weights the native tests use for that seed). */
    public static TorchLlama random(LlamaConfig config, long seed) {
        return fromWeights(RandomWeights.create(config, seed));
    }

    public LlamaConfig config() {
        return config;
    }

    /**
     * Logits [B, T, vocab] fp32 for tokens [B, T] (int64 or int32), causal over each whole row, positions
     * 0..T-1. Differentiable when parameters require grad.
     */
    public Tensor forward(Tensor tokens) {
        return forward(tokens, null);
    }

    /**
     * Like {@link #forward(Tensor)} with a padding mask keep [B, T] (bool, or numbers where non-zero =
     * real): no position attends to a key where keep is false, so padding (right-padding, or any other
     * pattern) never changes the logits of real positions. Logits at padded positions are meaningless;
     * mask them out of losses. keep null means every position is real.
     */
    public Tensor forward(Tensor tokens, Tensor keep) {
        checkOpen();
        if (tokens.dim() != 2)
            throw new IllegalArgumentException("tokens must be [batch, length], got " + tokens.dim() + " dims");
        long b = tokens.size(0), t = tokens.size(1);
        if (t < 1 || b < 1) throw new IllegalArgumentException("tokens must not be empty, got [" + b + ", " + t + "]");
        if (t > config.maxSeqLen()) {
            throw new IllegalArgumentException("tokens: length " + t + " exceeds max_seq_len " + config.maxSeqLen());
        }
        if (keep != null && (keep.dim() != 2 || keep.size(0) != b || keep.size(1) != t)) {
            throw new IllegalArgumentException("keep mask must be [" + b + ", " + t + "], got "
                    + java.util.Arrays.toString(TorchTensors.shape(keep)));
        }
        TorchRuntime.flushDenormals();
        return Scopes.compute(() -> {
            Tensor ids = tokens.scalar_type() == torch.ScalarType.Long ? tokens : tokens.to(torch.ScalarType.Long);
            checkTokenRange(ids);
            Tensor mask = keep == null
                    ? null
                    : AttentionMasks.causalWithPadding(
                            keep.scalar_type() == torch.ScalarType.Bool
                                    ? keep
                                    : keep.ne(new org.bytedeco.pytorch.Scalar(0)));
            Tensor x = torch.embedding(embed, ids);
            for (Layer layer : layers) {
                x = x.add(attention(layer, rmsNorm(x, layer.attnNorm), b, (int) t, mask));
                x = x.add(mlp(layer, rmsNorm(x, layer.ffnNorm)));
            }
            return torch.linear(rmsNorm(x, finalNorm), head);
        });
    }

    private Tensor attention(Layer layer, Tensor h, long b, int t, Tensor mask) {
        int hd = config.headDim();
        Tensor q = torch.linear(h, layer.wq).view(b, t, config.nHeads(), hd).transpose(1, 2);
        Tensor k = torch.linear(h, layer.wk).view(b, t, config.nKvHeads(), hd).transpose(1, 2);
        Tensor v = torch.linear(h, layer.wv).view(b, t, config.nKvHeads(), hd).transpose(1, 2);
        q = rotary.apply(q, t);
        k = rotary.apply(k, t);
        Tensor o = torch.scaled_dot_product_attention(
                q,
                k,
                v,
                mask == null ? new TensorOptional() : new TensorOptional(mask),
                0.0,
                mask == null,
                new DoubleOptional(),
                config.nHeads() != config.nKvHeads());
        return torch.linear(o.transpose(1, 2).reshape(b, t, (long) config.qDim()), layer.wo);
    }

    private static Tensor mlp(Layer layer, Tensor h) {
        return torch.linear(torch.silu(torch.linear(h, layer.gate)).mul(torch.linear(h, layer.up)), layer.down);
    }

    private Tensor rmsNorm(Tensor x, Tensor weight) {
        return torch.rms_norm(
                x, new long[] {config.dim()}, new TensorOptional(weight), new DoubleOptional(config.normEps()));
    }

    private void checkTokenRange(Tensor ids) {
        long min = ids.min().item_long(), max = ids.max().item_long();
        if (min < 0 || max >= config.vocabSize()) {
            throw new IllegalArgumentException(
                    "tokens: id " + (min < 0 ? min : max) + " outside the vocabulary of " + config.vocabSize());
        }
    }

    /** Logits [tokens.length * vocab] (row-major) of one sequence, computed without autograd. */
    public float[] logits(int[] tokens) {
        checkOpen();
        float[][] out = new float[1][];
        Scopes.run(() -> {
            try (NoGradGuard guard = new NoGradGuard()) {
                out[0] = TorchTensors.toFloats(forward(TorchTensors.tokens(tokens)));
            }
        });
        return out[0];
    }

    /** The parameters under their Hugging Face names, in checkpoint order (a tied head appears once, as the embedding). */
    public Map<String, Tensor> namedParameters() {
        checkOpen();
        return parameters;
    }

    /** The parameters in checkpoint order, for an optimizer. */
    public List<Tensor> parameters() {
        checkOpen();
        return new ArrayList<>(parameters.values());
    }

    /** Number of scalar parameters (a tied head counted once). */
    public long parameterCount() {
        long n = 0;
        for (Tensor p : parameters()) n += p.numel();
        return n;
    }

    /** Turns gradient tracking of every parameter on or off. */
    public TorchLlama setRequiresGrad(boolean requiresGrad) {
        checkOpen();
        Scopes.run(() -> parameters.values().forEach(p -> p.requires_grad_(requiresGrad)));
        return this;
    }

    /** Drops the accumulated gradients (they become undefined, as PyTorch's zero_grad(set_to_none=True)). */
    public void zeroGrad() {
        checkOpen();
        Scopes.run(() -> parameters.values().forEach(p -> p.mutable_grad().reset()));
    }

    /** The current parameters as F32 checkpoint tensors under their HF names (copies), for a checkpoint writer. */
    public ModelWeights toWeights() {
        checkOpen();
        Map<String, dev.cllm.model.Tensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : parameters.entrySet())
            tensors.put(e.getKey(), TorchTensors.toModel(e.getKey(), e.getValue()));
        return new ModelWeights(config, tensors, "torch");
    }

    /**
     * Copies weights into the parameters in place (an optimizer holding them keeps working), e.g. when
     * resuming training. Every parameter must be present with its shape.
     */
    public void loadWeights(ModelWeights weights) {
        checkOpen();
        for (Map.Entry<String, Tensor> e : parameters.entrySet()) {
            dev.cllm.model.Tensor source = weights.require(e.getKey());
            if (!java.util.Arrays.equals(source.shape(), TorchTensors.shape(e.getValue()))) {
                throw dev.cllm.CllmException.badFormat(
                        weights.source(),
                        "tensor " + e.getKey() + " has shape "
                                + java.util.Arrays.toString(source.shape()) + ", the model needs "
                                + java.util.Arrays.toString(TorchTensors.shape(e.getValue())));
            }
        }
        try (NoGradGuard guard = new NoGradGuard()) {
            for (Map.Entry<String, Tensor> e : parameters.entrySet()) {
                Scopes.run(() -> e.getValue().copy_(TorchTensors.fromModel(weights.require(e.getKey()))));
            }
        }
    }

    private void checkOpen() {
        if (closed) throw new IllegalStateException("TorchLlama is closed");
    }

    /** Releases the parameters and tables (an optimizer that still holds a parameter keeps its memory alive). */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        parameters.values().forEach(Tensor::close);
        rotary.close();
    }
}
