/*
 * cllm.h: the one C ABI of the cllm native engine.
 *
 * Java (through JavaCPP), the native tests and the native benchmark all drive the engine through these
 * functions, whatever the backend (CPU or CUDA). Rules every function follows:
 *   - it returns a cllm_status; CLLM_OK (0) is success, anything else leaves a message that
 *     cllm_last_error() returns on the same thread until the next call on that thread;
 *   - no C++ exception crosses this boundary, and bad input (shapes, token ids, positions, lengths,
 *     NULL pointers) is rejected with CLLM_ERR_INVALID_ARGUMENT before any memory is touched;
 *   - handles are opaque; a handle is used by one thread at a time, but different sessions of one model
 *     may run on different threads at once (the model's weights are read-only after upload).
 *
 * Jacobi conventions (docs/ARCHITECTURE.md, "Jacobi conventions"). A session holds the KV cache of the committed
 * sequence S, length L = cllm_session_length(). The next input token y0 (known correct, not yet in the cache) and a
 * guess for the following tokens form a "window" of n rows: window = (y0, g1, ..., g(n-1)), forwarded at
 * positions L..L+n-1. Row r predicts the token at position L+r+1: p(r) = argmax logits(r), ties to the
 * lowest index. The accepted count k is 1 + the number of leading g(i) (i >= 1) with g(i) == p(i-1);
 * rows 0..k-1 had correct inputs, so their KV stays and the session length becomes L+k. The new tokens
 * this iteration produced are g(1..k-1) and p(k-1) (k tokens, equal to p(0..k-1)); p(k-1) is the next y0.
 *
 * Stationary tokens (statistics only): a produced guess g(i) (1 <= i < k) is stationary when the previous
 * iteration's window held the same token at the same absolute position, i.e. it was already right
 * before the converged prefix reached it.
 *
 * Guess rule (cllm_jacobi_run; Java's InitialGuess uses the same formula): the guess for the token at
 * absolute position q, given the known sequence h[0..H) (prompt and output so far), is
 *   CLLM_GUESS_RANDOM: h[mix(seed, q) mod H], where mix is splitmix64's finaliser applied to
 *                      seed + 0x9E3779B97F4A7C15 * (q + 1) (unsigned 64-bit arithmetic):
 *                        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9; z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
 *                        mix = z ^ (z >> 31);
 *   CLLM_GUESS_LAST:   h[H-1];
 *   CLLM_GUESS_PAD:    pad_token.
 * It keeps no generator state, so every backend, and a generation cut into any number of calls, builds
 * the same windows.
 */
#ifndef CLLM_H
#define CLLM_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CLLM_ABI_VERSION 4

typedef enum cllm_status {
  CLLM_OK = 0,
  CLLM_ERR_INVALID_ARGUMENT = 1, /* a bad argument: shape, token id, length, NULL pointer */
  CLLM_ERR_OUT_OF_MEMORY = 2,    /* host or device allocation failed */
  CLLM_ERR_UNSUPPORTED = 3,      /* backend not built, no device, feature missing */
  CLLM_ERR_BACKEND = 4,          /* device or driver failure (CUDA launch error and the like) */
  CLLM_ERR_CONTEXT_FULL = 5,     /* the session has no room for the requested positions */
  CLLM_ERR_STATE = 6,            /* call out of order, e.g. a session on a model not fully uploaded */
  CLLM_ERR_INTERNAL = 7          /* a bug: please report the message */
} cllm_status;

typedef enum cllm_backend_kind { CLLM_BACKEND_CPU = 0, CLLM_BACKEND_CUDA = 1 } cllm_backend_kind;

/* Guess rules for fresh Jacobi guesses (see "Guess rule" above). */
typedef enum cllm_guess_kind { CLLM_GUESS_RANDOM = 0, CLLM_GUESS_LAST = 1, CLLM_GUESS_PAD = 2 } cllm_guess_kind;

/*
 * Element types. Uploads may use any of F32..Q8_0; the backend converts each tensor to the type it stores
 * weights in, the model's weight type (cllm_model_create_with_weights): on the CPU fp32, bf16 or Q8_0
 * matrices (norm vectors always fp32), on CUDA bf16.
 * CLLM_DTYPE_Q8_0 is GGUF's Q8_0 layout: every row of a tensor (its in_features; a norm vector is one
 * row) is a multiple of 32 values long and stored as blocks of 32, each an fp16 scale d (little-endian)
 * followed by 32 int8 values q, value = d * q; a tensor of n elements takes n / 32 * 34 bytes.
 * CLLM_DTYPE_DEFAULT is a weight type only: the backend's own choice (CPU fp32, CUDA bf16).
 */
typedef enum cllm_dtype {
  CLLM_DTYPE_DEFAULT = -1,
  CLLM_DTYPE_F32 = 0,
  CLLM_DTYPE_F16 = 1,
  CLLM_DTYPE_BF16 = 2,
  CLLM_DTYPE_Q8_0 = 3
} cllm_dtype;

/*
 * The tensors of a Llama model. Matrices are row-major [out_features, in_features] as in Hugging Face
 * checkpoints (y = W x). WQ and WK use Hugging Face's rotary layout (rotate_half: dimension i pairs with
 * i + head_dim/2); loaders of interleaved checkpoints (llama2.c) permute the rows before upload.
 */
typedef enum cllm_tensor_kind {
  CLLM_TENSOR_TOKEN_EMBEDDING = 0, /* [vocab_size, dim]                        */
  CLLM_TENSOR_ATTN_NORM = 1,       /* per layer [dim]                          */
  CLLM_TENSOR_WQ = 2,              /* per layer [n_heads * head_dim, dim]      */
  CLLM_TENSOR_WK = 3,              /* per layer [n_kv_heads * head_dim, dim]   */
  CLLM_TENSOR_WV = 4,              /* per layer [n_kv_heads * head_dim, dim]   */
  CLLM_TENSOR_WO = 5,              /* per layer [dim, n_heads * head_dim]      */
  CLLM_TENSOR_FFN_NORM = 6,        /* per layer [dim]                          */
  CLLM_TENSOR_W_GATE = 7,          /* per layer [hidden_dim, dim]              */
  CLLM_TENSOR_W_UP = 8,            /* per layer [hidden_dim, dim]              */
  CLLM_TENSOR_W_DOWN = 9,          /* per layer [dim, hidden_dim]              */
  CLLM_TENSOR_FINAL_NORM = 10,     /* [dim]                                    */
  CLLM_TENSOR_OUTPUT = 11,         /* [vocab_size, dim]; not uploaded when tied */
  CLLM_TENSOR_KIND_COUNT = 12
} cllm_tensor_kind;

typedef struct cllm_config {
  int32_t dim;        /* model width */
  int32_t hidden_dim; /* SwiGLU inner width */
  int32_t n_layers;
  int32_t n_heads;    /* query heads */
  int32_t n_kv_heads; /* key/value heads; n_heads % n_kv_heads == 0 */
  int32_t head_dim;   /* any even value; need not equal dim / n_heads */
  int32_t vocab_size;
  int32_t max_seq_len;     /* upper bound for every session's capacity */
  float rope_theta;        /* rotary base, e.g. 10000 */
  float norm_eps;          /* RMSNorm epsilon, e.g. 1e-5 */
  int32_t tied_embeddings; /* 1: the output head is the token embedding */
} cllm_config;

typedef struct cllm_model cllm_model;
typedef struct cllm_session cllm_session;

/* The message of the last failed call on this thread ("" when none). Valid until the next call. */
const char* cllm_last_error(void);
int32_t cllm_abi_version(void);

/* Bytes that n_elements values of an upload dtype take (INVALID_ARGUMENT for Q8_0 unless n % 32 == 0). */
cllm_status cllm_dtype_size(int32_t dtype, int64_t n_elements, int64_t* out_bytes);

/* Whether a backend is usable here: CLLM_OK, or CLLM_ERR_UNSUPPORTED with the reason in last_error. */
cllm_status cllm_backend_available(int32_t backend);

/*
 * Load the CUDA backend plugin (libcllm_cuda.so) from an explicit path. Optional: without it the first
 * CUDA request looks for libcllm_cuda.so next to libcllm.so. Loading twice is harmless.
 */
cllm_status cllm_cuda_plugin_load(const char* path);

/* Number of CUDA devices (0 without a driver); UNSUPPORTED without the plugin. */
cllm_status cllm_cuda_device_count(int32_t* count);

/*
 * A CUDA device's name (NUL-terminated, truncated to name_len - 1 bytes), total memory in bytes and
 * compute capability. Every output may be NULL when not wanted (name_len is then ignored).
 * UNSUPPORTED without the plugin or without a device; INVALID_ARGUMENT for an ordinal out of range.
 */
cllm_status cllm_cuda_device_info(int32_t device, char* name, int32_t name_len, int64_t* total_memory,
                                  int32_t* cc_major, int32_t* cc_minor);

/*
 * Threads of the CPU backend: one process-wide pool that every CPU forward shares (forwards running at
 * the same moment on different threads split it). n >= 1: use n threads, the calling thread included
 * (1: no worker threads at all); n == 0: back to the default, which is CLLM_NUM_THREADS, else
 * OMP_NUM_THREADS, else the number of CPUs in the process's affinity mask (the environment is read
 * once, at the first use). INVALID_ARGUMENT when n < 0 or n > 1024. Takes effect at the next parallel
 * kernel that finds the pool idle; results are bit-identical whatever the count.
 */
cllm_status cllm_set_num_threads(int32_t n);
/* The thread count CPU forwards use now (>= 1). */
int32_t cllm_get_num_threads(void);

/* ---- models ---- */

/* Allocates a model on a backend (device: CUDA ordinal, ignored on CPU) with the backend's default weight
 * type. Weights start unset. */
cllm_status cllm_model_create(const cllm_config* config, int32_t backend, int32_t device, cllm_model** out_model);
/*
 * The same with the weight type the backend stores the matrices in, whatever dtype they are uploaded in:
 * CLLM_DTYPE_DEFAULT, or on the CPU CLLM_DTYPE_F32, CLLM_DTYPE_BF16 or CLLM_DTYPE_Q8_0 (fp32
 * activations; bf16 uses vdpbf16ps where the CPU has AVX512-BF16, Q8_0 quantises each activation row to
 * 8 bits per block of 32 and uses integer dot products; README "CPU backend" has the numerics), on CUDA
 * CLLM_DTYPE_BF16 only. UNSUPPORTED for a type the backend lacks, INVALID_ARGUMENT for a value that is
 * no dtype. Every weight type computes a row the same way whatever the number of rows in a forward.
 */
cllm_status cllm_model_create_with_weights(const cllm_config* config, int32_t backend, int32_t device,
                                           int32_t weight_dtype, cllm_model** out_model);
/* The weight type a model stores its matrices in (never CLLM_DTYPE_DEFAULT). */
cllm_status cllm_model_weight_dtype(const cllm_model* model, int32_t* out_dtype);
/*
 * Copies one tensor into the model. layer is 0..n_layers-1 for per-layer tensors and -1 otherwise.
 * n_elements must equal the tensor's size for the config; data holds cllm_dtype_size(dtype, n_elements)
 * bytes. The data may be freed after the call.
 */
cllm_status cllm_model_upload(cllm_model* model, int32_t tensor, int32_t layer, int32_t dtype, const void* data,
                              int64_t n_elements);
/* CLLM_OK when every tensor has been uploaded; else CLLM_ERR_STATE naming the first missing one. */
cllm_status cllm_model_check_complete(const cllm_model* model);
/* The backend kind of a model. */
cllm_status cllm_model_backend(const cllm_model* model, int32_t* out_backend);
/* Bytes of weights the backend holds (after its dtype conversion). */
cllm_status cllm_model_weight_bytes(const cllm_model* model, int64_t* out_bytes);
void cllm_model_free(cllm_model* model);

/* ---- sessions ---- */

/* A session with a KV cache for capacity positions (1..config.max_seq_len). Length starts at 0. */
cllm_status cllm_session_create(cllm_model* model, int32_t capacity, cllm_session** out_session);
void cllm_session_free(cllm_session* session);
cllm_status cllm_session_length(const cllm_session* session, int32_t* out_length);
cllm_status cllm_session_capacity(const cllm_session* session, int32_t* out_capacity);

/*
 * Forwards n tokens at positions L..L+n-1 with causal attention over the cache and inside the block,
 * writes their KV and advances the length to L+n. logits: NULL, or host memory for n * vocab_size
 * floats (row r = position L+r). CONTEXT_FULL when L+n > capacity; nothing changes then.
 */
cllm_status cllm_session_forward(cllm_session* session, const int32_t* tokens, int32_t n, float* logits);
/* Drops cached positions >= length (0 <= length <= current length). */
cllm_status cllm_session_truncate(cllm_session* session, int32_t length);

/*
 * CUDA sessions: run all further device work of this session on the caller's stream (a cudaStream_t
 * of the model's device, e.g. one a JVM application already uses), or on the session's own stream
 * again when stream is NULL. Work already queued finishes first. The caller keeps the stream alive
 * until it is replaced or the session is freed. Calls still return only when their results are on
 * the host (a forward without logits may return before the device finishes; later calls on the
 * session are ordered after it). UNSUPPORTED on the CPU backend.
 */
cllm_status cllm_session_set_cuda_stream(cllm_session* session, void* stream);

/* Row-wise argmax of host logits [rows, cols]; ties go to the lowest index. */
cllm_status cllm_argmax_rows(const float* logits, int32_t rows, int32_t cols, int32_t* out_indices);

/* ---- sampling ---- */

/*
 * Lossless sampling. A session predicts each row's next token with its sampling settings (greedy argmax
 * until cllm_session_set_sampling says otherwise), in the Jacobi and batched calls alike. The token for
 * the absolute position t (row r of a forward at length L predicts t = L + r + 1) is a pure function of
 * (settings, seed, t, the row's logits, the tokens at positions penalty_from..t-1):
 *   1. penalties, for every token id v that occurs c > 0 times at positions penalty_from..t-1:
 *      l[v] = l[v] > 0 ? l[v] / repetition_penalty : l[v] * repetition_penalty; then
 *      l[v] -= presence_penalty; l[v] -= frequency_penalty * c;
 *   2. temperature 0: the argmax of l (ties to the lowest index). Otherwise z = l / temperature, m = max z,
 *      and a token is kept when z >= max(k-th largest z (top_k > 0), the top-p cut (top_p < 1), m + ln(min_p)
 *      (min_p > 0)). The top-p cut is the largest value v among the tokens top-k keeps such that those
 *      with z >= v hold at least top_p of their probability mass (ties at a cut are all kept);
 *   3. u = a uniform number in [0, 1) from a counter-based generator keyed by (seed, t) (no state is
 *      carried between tokens); the token is the first kept index i (in index order) whose running sum
 *      of exp(z - m) over kept tokens exceeds u times their total.
 * A Jacobi guess at position t is therefore accepted exactly when it equals what AR sampling draws at t
 * with the same settings and seed, so Jacobi output equals AR output token for token. Sessions record
 * the token at every position they forward, for the penalties.
 */
typedef struct cllm_sampling {
  float temperature;        /* >= 0; 0: greedy argmax */
  int32_t top_k;            /* >= 0; 0: off */
  float top_p;              /* (0, 1]; 1: off */
  float min_p;              /* [0, 1]; 0: off */
  float repetition_penalty; /* > 0; 1: off */
  float presence_penalty;   /* 0: off */
  float frequency_penalty;  /* 0: off */
  int32_t penalty_from;     /* >= 0: the first position the penalties look at (e.g. the prompt length) */
  uint64_t seed;
} cllm_sampling;

/* Sets a session's sampling (NULL: greedy). INVALID_ARGUMENT names a setting out of range. */
cllm_status cllm_session_set_sampling(cllm_session* session, const cllm_sampling* sampling);

/*
 * The host sampler on its own: the token for position `position` from one row of logits[vocab], with
 * history[0..history_length) the tokens at positions penalty_from..position-1 when penalties apply (so
 * history_length must equal max(0, position - penalty_from); without penalties it is ignored). The
 * logits are not modified.
 */
cllm_status cllm_sample_row(const float* logits, int32_t vocab, const cllm_sampling* sampling, int64_t position,
                            const int32_t* history, int32_t history_length, int32_t* out_token);

/* ---- Jacobi decoding (see the conventions at the top) ---- */

/*
 * One Jacobi iteration: forward window[0..n) (window[0] = y0), predictions[r] = argmax of row r,
 * *out_accepted = k, session length L -> L+k. predictions has room for n ints.
 */
cllm_status cllm_jacobi_step(cllm_session* session, const int32_t* window, int32_t n, int32_t* predictions,
                             int32_t* out_accepted);

/*
 * A whole Jacobi block with fast-forward and a shrinking window: produces the next n tokens after y0.
 * The state is the guess for those n tokens, starting from init_state[0..n). Each iteration forwards
 * (y0, the not-yet-produced part of the state minus its last token), accepts the converged prefix as in
 * cllm_jacobi_step, and replaces the rest of the state with the predictions. The block ends when all
 * n tokens are produced, when a produced token equals eos_token (eos_token < 0: none; nothing after it
 * is produced, and the KV of rows after it is dropped), or after max_iterations iterations. On CUDA
 * (n <= 64) the whole block is one graph launch with a device-side loop and one read-back.
 *   produced[0..n): the produced tokens, *out_produced their count (the last one is the next y0 and is
 *                   not in the cache; the ones before it are);
 *   *out_iterations: forward passes run (at most min(max_iterations, n));
 *   accepted: NULL, or room for min(max_iterations, n) ints: accepted[j] is the number of tokens
 *             iteration j produced (its k; on the iteration that produced EOS, up to and including
 *             it), so they add up to *out_produced;
 *   stationary: NULL, or room for min(max_iterations, n) ints: stationary[j] counts the i in
 *             [1, accepted[j]) whose window token g(i) equals the state before the previous iteration
 *             at the same position (0 for the first iteration of a block);
 *   states: NULL, or room for (max_iterations + 1) * n ints: state 0 is init_state, state j the full
 *           n-token state after iteration j (produced tokens, then the current guesses), so the last
 *           recorded state of a finished block is its fixed point. Record them only when needed.
 */
cllm_status cllm_jacobi_block(cllm_session* session, int32_t y0, const int32_t* init_state, int32_t n,
                              int32_t max_iterations, int32_t eos_token, int32_t* produced, int32_t* out_produced,
                              int32_t* out_iterations, int32_t* accepted, int32_t* stationary, int32_t* states);

/*
 * Jacobi decoding with a refill window: n tokens stay in flight (1 <= n <= 2^20; n may exceed the free
 * positions), and one call runs iterations until max_tokens tokens are committed or max_iterations
 * iterations have run (on CUDA with n <= 64: one graph launch with a device-side loop, and one read-back
 * of everything below). Each iteration forwards
 *   rows = min(n, max_tokens - tokens committed so far in this call, capacity - length)
 * rows of the window (the window narrows at the token limit and at the end of the cache), accepts k as
 * cllm_jacobi_step does, commits p(0..k-1), and builds the next window
 *   (p(k-1), p(k), ..., p(rows-1), fresh guesses up to index n-1),
 * where the fresh guess at window index i is the guess rule (guess_kind, guess_seed, pad_token; see the
 * top) for absolute position length + i (length after the commit) over the history followed by the
 * tokens committed so far in this call. The call ends when max_tokens tokens are committed, after
 * max_iterations iterations, when a committed token equals eos_token (eos_token < 0: none; nothing after
 * it is committed and the KV of the rows after it is dropped), or when the cache is full (length ==
 * capacity). Always: length on return = length at the call + *out_committed (the last committed token
 * is the next y0, not cached). max_tokens narrows the window, max_iterations does not: a generation
 * cut into calls by max_iterations (to stream tokens early) runs exactly the iterations of one call.
 *
 * In and out (n ints each; on return they continue the generation, so the next call picks up exactly
 * where this one stopped; the iteration that commits EOS leaves them as the one before it built them):
 *   window[0..n): (y0, g1, ..., g(n-1)) on entry, the next window on return;
 *   prior[0..n): prior[i] is the token that the previous iteration's window held at the position of
 *                window[i], or -1 where there is none (all -1 at the start of a generation).
 * In: history[0..history_length): the known sequence, 1 <= history_length <= length + 1 (normally the
 *     prompt and the output so far, whose last token is y0).
 * Out, with T = min(max_tokens, capacity - length) and I = min(T, max_iterations) (every iteration
 * commits at least one token):
 *   committed: room for T ints: the committed tokens in order (EOS included), *out_committed of them;
 *   *out_iterations: forward passes run (<= I);
 *   accepted: room for I ints: accepted[j] is the number of tokens iteration j committed (its k; on the
 *             iteration that committed EOS, up to and including it);
 *   stationary: room for I ints: stationary[j] counts the i in [1, accepted[j]) with prior[i] ==
 *             window[i] for iteration j's window (see "Stationary tokens" at the top);
 *   iteration_predictions: NULL, or room for I * n ints: row j (at j * n) holds iteration j's
 *             predictions p(0..rows-1), then -1 up to n (for observers that draw every iteration).
 * CONTEXT_FULL when length == capacity (no row fits); nothing changes then.
 */
cllm_status cllm_jacobi_run(cllm_session* session, int32_t* window, int32_t* prior, int32_t n, int32_t max_tokens,
                            int32_t max_iterations, int32_t eos_token, int32_t guess_kind, int64_t guess_seed,
                            int32_t pad_token, const int32_t* history, int32_t history_length, int32_t* committed,
                            int32_t* out_committed, int32_t* out_iterations, int32_t* accepted, int32_t* stationary,
                            int32_t* iteration_predictions);

/* ---- batched steps: several sessions of one model in one forward ---- */

/*
 * A batch holds the scratch of a forward over up to max_rows rows (all sessions together). The rows of
 * every session go through the weight GEMMs together; attention stays per session, over its own cache.
 * Each row's result is bit-identical to the same session's cllm_jacobi_step alone (docs/ARCHITECTURE.md,
 * Numerics: a row does not depend on which other sessions share the forward). A batch is used by one thread at a time,
 * and so is each session in it.
 */
typedef struct cllm_batch cllm_batch;

cllm_status cllm_batch_create(cllm_model* model, int32_t max_rows, cllm_batch** out_batch);
void cllm_batch_free(cllm_batch* batch);

/*
 * One Jacobi iteration for each of count distinct sessions of the batch's model (1 row: an AR step):
 * session s forwards ns[s] rows (1..64) taken in order from windows, its predictions go to the same
 * places of predictions, and accepted[s] and its new length are what cllm_jacobi_step would give.
 * The rows of all sessions add up to at most max_rows. CONTEXT_FULL (nothing changes) when a session
 * has no room for its rows.
 */
cllm_status cllm_batch_jacobi_step(cllm_batch* batch, cllm_session* const* sessions, int32_t count,
                                   const int32_t* windows, const int32_t* ns, int32_t* predictions, int32_t* accepted);

#ifdef __cplusplus
}
#endif

#endif /* CLLM_H */
