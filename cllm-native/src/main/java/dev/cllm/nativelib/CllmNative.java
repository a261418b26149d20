package dev.cllm.nativelib;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacpp.annotation.ByPtrPtr;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Const;
import org.bytedeco.javacpp.annotation.Name;
import org.bytedeco.javacpp.annotation.Opaque;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * JavaCPP binding of the C ABI in {@code native/include/cllm/cllm.h}, one Java method per C function,
 * same names and meanings. Use {@code dev.cllm.engine.NativeModel} and {@code dev.cllm.engine.NativeSession}
 * (in cllm-core) rather than this class: they own the handles, check every status and throw
 * {@code dev.cllm.CllmException}.
 */
@Platform(include = "cllm/cllm.h", link = "cllm")
public final class CllmNative {
    static {
        Loader.load();
    }

    private CllmNative() {}

    /**
     * The ABI version this binding was written for ({@code CLLM_ABI_VERSION} in cllm.h); the engine
     * classes compare it with {@link #cllm_abi_version()} when they load the library. Raise both together
     * whenever a function, struct or constant of cllm.h changes meaning.
     */
    public static final int CLLM_ABI_VERSION = 4;

    public static final int CLLM_OK = 0;
    public static final int CLLM_ERR_INVALID_ARGUMENT = 1;
    public static final int CLLM_ERR_OUT_OF_MEMORY = 2;
    public static final int CLLM_ERR_UNSUPPORTED = 3;
    public static final int CLLM_ERR_BACKEND = 4;
    public static final int CLLM_ERR_CONTEXT_FULL = 5;
    public static final int CLLM_ERR_STATE = 6;
    public static final int CLLM_ERR_INTERNAL = 7;

    public static final int CLLM_BACKEND_CPU = 0;
    public static final int CLLM_BACKEND_CUDA = 1;

    public static final int CLLM_GUESS_RANDOM = 0;
    public static final int CLLM_GUESS_LAST = 1;
    public static final int CLLM_GUESS_PAD = 2;

    public static final int CLLM_DTYPE_DEFAULT = -1;
    public static final int CLLM_DTYPE_F32 = 0;
    public static final int CLLM_DTYPE_F16 = 1;
    public static final int CLLM_DTYPE_BF16 = 2;
    public static final int CLLM_DTYPE_Q8_0 = 3;

    public static final int CLLM_TENSOR_TOKEN_EMBEDDING = 0;
    public static final int CLLM_TENSOR_ATTN_NORM = 1;
    public static final int CLLM_TENSOR_WQ = 2;
    public static final int CLLM_TENSOR_WK = 3;
    public static final int CLLM_TENSOR_WV = 4;
    public static final int CLLM_TENSOR_WO = 5;
    public static final int CLLM_TENSOR_FFN_NORM = 6;
    public static final int CLLM_TENSOR_W_GATE = 7;
    public static final int CLLM_TENSOR_W_UP = 8;
    public static final int CLLM_TENSOR_W_DOWN = 9;
    public static final int CLLM_TENSOR_FINAL_NORM = 10;
    public static final int CLLM_TENSOR_OUTPUT = 11;
    public static final int CLLM_TENSOR_KIND_COUNT = 12;

    /** Opaque model handle ({@code cllm_model*}). */
    @Opaque
    public static class cllm_model extends Pointer {
        public cllm_model() {
            super((Pointer) null);
        }

        public cllm_model(Pointer p) {
            super(p);
        }
    }

    /** Opaque session handle ({@code cllm_session*}). */
    @Opaque
    public static class cllm_session extends Pointer {
        public cllm_session() {
            super((Pointer) null);
        }

        public cllm_session(Pointer p) {
            super(p);
        }
    }

    /** Opaque batch handle ({@code cllm_batch*}): scratch for batched steps over several sessions. */
    @Opaque
    public static class cllm_batch extends Pointer {
        public cllm_batch() {
            super((Pointer) null);
        }

        public cllm_batch(Pointer p) {
            super(p);
        }
    }

    /** The sampling settings struct ({@code cllm_sampling}), allocated in native memory; close it after use. */
    @Name("cllm_sampling")
    public static class cllm_sampling extends Pointer {
        static {
            Loader.load();
        }

        public cllm_sampling() {
            super((Pointer) null);
            allocate();
        }

        private native void allocate();

        public native float temperature();

        public native cllm_sampling temperature(float v);

        public native int top_k();

        public native cllm_sampling top_k(int v);

        public native float top_p();

        public native cllm_sampling top_p(float v);

        public native float min_p();

        public native cllm_sampling min_p(float v);

        public native float repetition_penalty();

        public native cllm_sampling repetition_penalty(float v);

        public native float presence_penalty();

        public native cllm_sampling presence_penalty(float v);

        public native float frequency_penalty();

        public native cllm_sampling frequency_penalty(float v);

        public native int penalty_from();

        public native cllm_sampling penalty_from(int v);

        public native @Cast("uint64_t") long seed();

        public native cllm_sampling seed(long v);
    }

    /** The model configuration struct, allocated in native memory; close it after use. */
    @Name("cllm_config")
    public static class cllm_config extends Pointer {
        static {
            Loader.load();
        }

        public cllm_config() {
            super((Pointer) null);
            allocate();
        }

        private native void allocate();

        public native int dim();

        public native cllm_config dim(int v);

        public native int hidden_dim();

        public native cllm_config hidden_dim(int v);

        public native int n_layers();

        public native cllm_config n_layers(int v);

        public native int n_heads();

        public native cllm_config n_heads(int v);

        public native int n_kv_heads();

        public native cllm_config n_kv_heads(int v);

        public native int head_dim();

        public native cllm_config head_dim(int v);

        public native int vocab_size();

        public native cllm_config vocab_size(int v);

        public native int max_seq_len();

        public native cllm_config max_seq_len(int v);

        public native float rope_theta();

        public native cllm_config rope_theta(float v);

        public native float norm_eps();

        public native cllm_config norm_eps(float v);

        public native int tied_embeddings();

        public native cllm_config tied_embeddings(int v);
    }

    public static native @Cast("const char*") BytePointer cllm_last_error();

    public static native int cllm_abi_version();

    public static native @Cast("cllm_status") int cllm_dtype_size(
            int dtype, long nElements, @Cast("int64_t*") long[] outBytes);

    public static native @Cast("cllm_status") int cllm_backend_available(int backend);

    public static native @Cast("cllm_status") int cllm_cuda_plugin_load(String path);

    public static native @Cast("cllm_status") int cllm_cuda_device_count(IntPointer count);

    public static native @Cast("cllm_status") int cllm_cuda_device_info(
            int device,
            @Cast("char*") BytePointer name,
            int nameLen,
            @Cast("int64_t*") long[] totalMemory,
            IntPointer ccMajor,
            IntPointer ccMinor);

    public static native @Cast("cllm_status") int cllm_set_num_threads(int n);

    public static native int cllm_get_num_threads();

    public static native @Cast("cllm_status") int cllm_model_create(
            @Const cllm_config config, int backend, int device, @ByPtrPtr cllm_model outModel);

    public static native @Cast("cllm_status") int cllm_model_create_with_weights(
            @Const cllm_config config, int backend, int device, int weightDtype, @ByPtrPtr cllm_model outModel);

    public static native @Cast("cllm_status") int cllm_model_weight_dtype(@Const cllm_model model, IntPointer outDtype);

    public static native @Cast("cllm_status") int cllm_model_upload(
            cllm_model model, int tensor, int layer, int dtype, @Const Pointer data, long nElements);

    public static native @Cast("cllm_status") int cllm_model_check_complete(@Const cllm_model model);

    public static native @Cast("cllm_status") int cllm_model_backend(@Const cllm_model model, IntPointer outBackend);

    public static native @Cast("cllm_status") int cllm_model_weight_bytes(
            @Const cllm_model model, @Cast("int64_t*") long[] outBytes);

    public static native void cllm_model_free(cllm_model model);

    public static native @Cast("cllm_status") int cllm_session_create(
            cllm_model model, int capacity, @ByPtrPtr cllm_session outSession);

    public static native void cllm_session_free(cllm_session session);

    public static native @Cast("cllm_status") int cllm_session_length(
            @Const cllm_session session, IntPointer outLength);

    public static native @Cast("cllm_status") int cllm_session_capacity(
            @Const cllm_session session, IntPointer outCapacity);

    public static native @Cast("cllm_status") int cllm_session_forward(
            cllm_session session, @Const IntPointer tokens, int n, FloatPointer logits);

    public static native @Cast("cllm_status") int cllm_session_truncate(cllm_session session, int length);

    /** stream: a {@code cudaStream_t} (e.g. a Bytedeco {@code CUstream_st}), or null for the session's own. */
    public static native @Cast("cllm_status") int cllm_session_set_cuda_stream(cllm_session session, Pointer stream);

    public static native @Cast("cllm_status") int cllm_argmax_rows(
            @Const FloatPointer logits, int rows, int cols, IntPointer outIndices);

    /** sampling: null for greedy. */
    public static native @Cast("cllm_status") int cllm_session_set_sampling(
            cllm_session session, @Const cllm_sampling sampling);

    public static native @Cast("cllm_status") int cllm_sample_row(
            @Const FloatPointer logits,
            int vocab,
            @Const cllm_sampling sampling,
            long position,
            @Const IntPointer history,
            int historyLength,
            IntPointer outToken);

    public static native @Cast("cllm_status") int cllm_batch_create(
            cllm_model model, int maxRows, @ByPtrPtr cllm_batch outBatch);

    public static native void cllm_batch_free(cllm_batch batch);

    public static native @Cast("cllm_status") int cllm_batch_jacobi_step(
            cllm_batch batch,
            @Cast("cllm_session* const*") PointerPointer<cllm_session> sessions,
            int count,
            @Const IntPointer windows,
            @Const IntPointer ns,
            IntPointer predictions,
            IntPointer accepted);

    public static native @Cast("cllm_status") int cllm_jacobi_step(
            cllm_session session, @Const IntPointer window, int n, IntPointer predictions, IntPointer outAccepted);

    public static native @Cast("cllm_status") int cllm_jacobi_block(
            cllm_session session,
            int y0,
            @Const IntPointer initState,
            int n,
            int maxIterations,
            int eosToken,
            IntPointer produced,
            IntPointer outProduced,
            IntPointer outIterations,
            IntPointer accepted,
            IntPointer stationary,
            IntPointer states);

    /** window and prior are read and updated in place (cllm.h); iterationPredictions may be null. */
    public static native @Cast("cllm_status") int cllm_jacobi_run(
            cllm_session session,
            IntPointer window,
            IntPointer prior,
            int n,
            int maxTokens,
            int maxIterations,
            int eosToken,
            int guessKind,
            @Cast("int64_t") long guessSeed,
            int padToken,
            @Const IntPointer history,
            int historyLength,
            IntPointer committed,
            IntPointer outCommitted,
            IntPointer outIterations,
            IntPointer accepted,
            IntPointer stationary,
            IntPointer iterationPredictions);
}
