package dev.cllm.engine;

import dev.cllm.CllmException;
import dev.cllm.Device;
import dev.cllm.WeightType;
import dev.cllm.model.LlamaConfig;
import dev.cllm.model.ModelWeights;
import dev.cllm.model.Tensor;
import dev.cllm.model.TensorNames;
import dev.cllm.nativelib.CllmNative;
import dev.cllm.nativelib.CllmNative.cllm_config;
import dev.cllm.nativelib.CllmNative.cllm_model;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import org.bytedeco.javacpp.IntPointer;

/**
 * A model's weights on one device (native handle). Close it when done; closing also closes its open
 * sessions. Different sessions of one model may run on different threads at once.
 *
 * <p>{@link #close()} is safe from any thread at any time: it refuses new calls, closes the sessions
 * (each waits for its native call in flight, so a generation running meanwhile ends at its next call
 * with {@link CllmException} STATE, "session is closed"), then frees the weights. Calls after close
 * throw {@link CllmException} STATE, "model is closed".
 */
public final class NativeModel implements AutoCloseable {
    private final LlamaConfig config;
    private final Device device;
    private final Set<NativeSession> sessions = Collections.newSetFromMap(new IdentityHashMap<>());
    private final HandleGuard guard = HandleGuard.shared("model");
    private cllm_model handle;

    private NativeModel(LlamaConfig config, Device device, cllm_model handle) {
        this.config = config;
        this.device = device;
        this.handle = handle;
    }

    /**
     * Validates the weights against their config, then creates the model on the device and uploads them, in
     * the checkpoint's own weight type ({@link WeightType#ofCheckpoint}; on CUDA the backend's bf16).
     */
    public static NativeModel load(ModelWeights weights, Device device) {
        return load(weights, device, null);
    }

    /**
     * Like {@link #load(ModelWeights, Device)}, storing the matrices as weightType (converted once, as
     * they are uploaded); null: the checkpoint's own type on the CPU, bf16 on CUDA.
     */
    public static NativeModel load(ModelWeights weights, Device device, WeightType weightType) {
        weights.validate();
        // Resolve auto first: on a machine without a GPU, Device.auto() is the CPU and keeps the checkpoint's type.
        NativeLibrary.ensureLoaded();
        Device resolved = NativeLibrary.resolve(device);
        WeightType type = weightType == null && resolved.kind() == Device.Kind.CPU
                ? WeightType.ofCheckpoint(weights)
                : weightType;
        NativeModel model = create(weights.config(), resolved, type);
        try {
            model.uploadAll(weights);
            return model;
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /**
     * An empty model (weights still to upload) in the backend's default weight type (CPU f32, CUDA bf16).
     * {@link Device#auto()} is resolved here, to CUDA device 0 when one answers and the CPU otherwise;
     * {@link #device()} tells which.
     */
    public static NativeModel create(LlamaConfig config, Device device) {
        return create(config, device, null);
    }

    /**
     * An empty model whose matrices the backend stores as weightType (null: the backend's default), whatever
     * dtype they are uploaded in. CllmException UNSUPPORTED for a type the backend lacks (CUDA: bf16 only).
     */
    public static NativeModel create(LlamaConfig config, Device device, WeightType weightType) {
        config.validate();
        NativeLibrary.ensureLoaded();
        device = NativeLibrary.resolve(device);
        int backend = CllmNative.CLLM_BACKEND_CPU;
        if (device.kind() == Device.Kind.CUDA) {
            if (!NativeLibrary.loadCudaPlugin()) {
                throw new CllmException(
                        CllmException.Status.UNSUPPORTED,
                        "this build of cllm has no CUDA backend (nvcc was not found when it was built)");
            }
            backend = CllmNative.CLLM_BACKEND_CUDA;
        }
        try (cllm_config c = toNative(config)) {
            cllm_model handle = new cllm_model();
            int weights = weightType == null ? CllmNative.CLLM_DTYPE_DEFAULT : weightType.nativeCode();
            NativeLibrary.Status.check(
                    CllmNative.cllm_model_create_with_weights(c, backend, device.index(), weights, handle),
                    "creating a model on " + device
                            + (weightType == null ? "" : " with " + weightType.cliName() + " weights"));
            return new NativeModel(config, device, handle);
        }
    }

    static cllm_config toNative(LlamaConfig config) {
        cllm_config c = new cllm_config();
        c.dim(config.dim())
                .hidden_dim(config.hiddenDim())
                .n_layers(config.nLayers())
                .n_heads(config.nHeads())
                .n_kv_heads(config.nKvHeads())
                .head_dim(config.headDim())
                .vocab_size(config.vocabSize())
                .max_seq_len(config.maxSeqLen())
                .rope_theta(config.ropeTheta())
                .norm_eps(config.normEps())
                .tied_embeddings(config.tiedEmbeddings() ? 1 : 0);
        return c;
    }

    private void uploadAll(ModelWeights weights) {
        upload(CllmNative.CLLM_TENSOR_TOKEN_EMBEDDING, -1, weights.require(TensorNames.EMBED));
        for (int l = 0; l < config.nLayers(); l++) {
            upload(CllmNative.CLLM_TENSOR_ATTN_NORM, l, weights.require(TensorNames.attnNorm(l)));
            upload(CllmNative.CLLM_TENSOR_WQ, l, weights.require(TensorNames.wq(l)));
            upload(CllmNative.CLLM_TENSOR_WK, l, weights.require(TensorNames.wk(l)));
            upload(CllmNative.CLLM_TENSOR_WV, l, weights.require(TensorNames.wv(l)));
            upload(CllmNative.CLLM_TENSOR_WO, l, weights.require(TensorNames.wo(l)));
            upload(CllmNative.CLLM_TENSOR_FFN_NORM, l, weights.require(TensorNames.ffnNorm(l)));
            upload(CllmNative.CLLM_TENSOR_W_GATE, l, weights.require(TensorNames.gate(l)));
            upload(CllmNative.CLLM_TENSOR_W_UP, l, weights.require(TensorNames.up(l)));
            upload(CllmNative.CLLM_TENSOR_W_DOWN, l, weights.require(TensorNames.down(l)));
        }
        upload(CllmNative.CLLM_TENSOR_FINAL_NORM, -1, weights.require(TensorNames.FINAL_NORM));
        if (!config.tiedEmbeddings()) upload(CllmNative.CLLM_TENSOR_OUTPUT, -1, weights.require(TensorNames.LM_HEAD));
        guard.enter();
        try {
            NativeLibrary.Status.check(CllmNative.cllm_model_check_complete(handle), "checking the uploaded model");
        } finally {
            guard.leave();
        }
    }

    /**
     * Uploads one tensor (kind: a CLLM_TENSOR_* constant) in its own dtype; the backend converts it to the
     * model's weight type. Its bytes are first copied into owned memory ({@link OwnedTensorCopy}): a
     * memory-mapped file truncated under a loaded model is an IO error, not a crash.
     */
    public void upload(int kind, int layer, Tensor tensor) {
        guard.enter();
        try (OwnedTensorCopy copy = OwnedTensorCopy.of(tensor)) {
            NativeLibrary.Status.check(
                    CllmNative.cllm_model_upload(
                            handle, kind, layer, tensor.dtype().nativeCode(), copy.pointer(), tensor.size()),
                    "uploading " + tensor.name());
        } finally {
            guard.leave();
        }
    }

    /** A new session whose KV cache holds up to capacity positions (at most config.maxSeqLen). */
    public NativeSession newSession(int capacity) {
        if (capacity < 1 || capacity > config.maxSeqLen()) {
            throw new IllegalArgumentException("capacity must be in [1, " + config.maxSeqLen() + "], got " + capacity);
        }
        guard.enter();
        try {
            synchronized (sessions) {
                NativeSession session = new NativeSession(this, capacity);
                sessions.add(session);
                return session;
            }
        } finally {
            guard.leave();
        }
    }

    void forget(NativeSession session) {
        synchronized (sessions) {
            sessions.remove(session);
        }
    }

    public LlamaConfig config() {
        return config;
    }

    /** The device the weights are on (never {@link Device.Kind#AUTO}: that was resolved at creation). */
    public Device device() {
        return device;
    }

    /** The type the backend stores the matrices in. */
    public WeightType weightType() {
        guard.enter();
        try (IntPointer out = new IntPointer(1)) {
            NativeLibrary.Status.check(CllmNative.cllm_model_weight_dtype(handle, out), "reading the weight type");
            return WeightType.ofNative(out.get());
        } finally {
            guard.leave();
        }
    }

    /** Bytes of weights held by the backend after its dtype conversion. */
    public long weightBytes() {
        guard.enter();
        try {
            long[] out = new long[1];
            NativeLibrary.Status.check(CllmNative.cllm_model_weight_bytes(handle, out), "reading the weight size");
            return out[0];
        } finally {
            guard.leave();
        }
    }

    /** The native handle, for a session being created inside {@link #newSession}'s guarded call. */
    cllm_model handle() {
        return handle;
    }

    /** Whether {@link #close()} was called (by any thread). */
    public boolean isClosed() {
        return guard.isClosed();
    }

    /**
     * Closes the open sessions (stopping generations that run on them), then frees the weights. Safe
     * from any thread at any time; closing twice is harmless.
     */
    @Override
    public void close() {
        guard.close(() -> {
            // No session can be created any more (the guard is closed), so this list is complete.
            NativeSession[] open;
            synchronized (sessions) {
                open = sessions.toArray(new NativeSession[0]);
            }
            for (NativeSession s : open) s.close();
            CllmNative.cllm_model_free(handle);
            handle.setNull();
            handle.close();
            handle = null;
        });
    }
}
