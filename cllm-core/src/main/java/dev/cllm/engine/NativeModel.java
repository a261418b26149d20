package dev.cllm.engine;

import dev.cllm.CllmException;
import dev.cllm.Device;
import dev.cllm.model.LlamaConfig;
import dev.cllm.model.ModelWeights;
import dev.cllm.model.Tensor;
import dev.cllm.model.TensorNames;
import dev.cllm.nativelib.CllmNative;
import dev.cllm.nativelib.CllmNative.cllm_config;
import dev.cllm.nativelib.CllmNative.cllm_model;

import org.bytedeco.javacpp.BytePointer;

import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * A model's weights on one device (native handle). Close it when done; closing also closes its open
 * sessions. Different sessions of one model may run on different threads at once.
 */
public final class NativeModel implements AutoCloseable {
    private final LlamaConfig config;
    private final Device device;
    private final Set<NativeSession> sessions = Collections.newSetFromMap(new IdentityHashMap<>());
    private cllm_model handle;

    private NativeModel(LlamaConfig config, Device device, cllm_model handle) {
        this.config = config;
        this.device = device;
        this.handle = handle;
    }

    /** Validates the weights against their config, then creates the model on the device and uploads them. */
    public static NativeModel load(ModelWeights weights, Device device) {
        weights.validate();
        NativeModel model = create(weights.config(), device);
        try {
            model.uploadAll(weights);
            return model;
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /** An empty model (weights still to upload). */
    public static NativeModel create(LlamaConfig config, Device device) {
        config.validate();
        NativeLibrary.ensureLoaded();
        int backend = CllmNative.CLLM_BACKEND_CPU;
        if (device.kind() == Device.Kind.CUDA) {
            if (!NativeLibrary.loadCudaPlugin()) {
                throw new CllmException(CllmException.Status.UNSUPPORTED,
                        "this build of cllm has no CUDA backend (nvcc was not found when it was built)");
            }
            backend = CllmNative.CLLM_BACKEND_CUDA;
        }
        try (cllm_config c = toNative(config)) {
            cllm_model handle = new cllm_model();
            NativeLibrary.Status.check(CllmNative.cllm_model_create(c, backend, device.index(), handle),
                    "creating a model on " + device);
            return new NativeModel(config, device, handle);
        }
    }

    static cllm_config toNative(LlamaConfig config) {
        cllm_config c = new cllm_config();
        c.dim(config.dim()).hidden_dim(config.hiddenDim()).n_layers(config.nLayers()).n_heads(config.nHeads())
                .n_kv_heads(config.nKvHeads()).head_dim(config.headDim()).vocab_size(config.vocabSize())
                .max_seq_len(config.maxSeqLen()).rope_theta(config.ropeTheta()).norm_eps(config.normEps())
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
        NativeLibrary.Status.check(CllmNative.cllm_model_check_complete(handle()), "checking the uploaded model");
    }

    /** Uploads one tensor (kind: a CLLM_TENSOR_* constant). Direct buffers are passed without a copy. */
    public void upload(int kind, int layer, Tensor tensor) {
        ByteBuffer data = tensor.data();
        if (!data.isDirect()) {
            ByteBuffer direct = ByteBuffer.allocateDirect(data.remaining());
            direct.put(data.duplicate()).flip();
            data = direct;
        }
        try (BytePointer pointer = new BytePointer(data)) {
            NativeLibrary.Status.check(CllmNative.cllm_model_upload(handle(), kind, layer, tensor.dtype().nativeCode(),
                    pointer, tensor.size()), "uploading " + tensor.name());
        }
    }

    /** A new session whose KV cache holds up to capacity positions (at most config.maxSeqLen). */
    public NativeSession newSession(int capacity) {
        if (capacity < 1 || capacity > config.maxSeqLen()) {
            throw new IllegalArgumentException("capacity must be in [1, " + config.maxSeqLen() + "], got " + capacity);
        }
        synchronized (sessions) {
            NativeSession session = new NativeSession(this, capacity);
            sessions.add(session);
            return session;
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

    public Device device() {
        return device;
    }

    /** Bytes of weights held by the backend after its dtype conversion. */
    public long weightBytes() {
        long[] out = new long[1];
        NativeLibrary.Status.check(CllmNative.cllm_model_weight_bytes(handle(), out), "reading the weight size");
        return out[0];
    }

    cllm_model handle() {
        if (handle == null) throw new IllegalStateException("model is closed");
        return handle;
    }

    @Override
    public void close() {
        if (handle == null) return;
        NativeSession[] open;
        synchronized (sessions) {
            open = sessions.toArray(new NativeSession[0]);
        }
        for (NativeSession s : open) s.close();
        CllmNative.cllm_model_free(handle);
        handle.setNull();
        handle.close();
        handle = null;
    }

}
