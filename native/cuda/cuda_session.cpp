#include "cuda_session.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>

#include "argmax.cuh"
#include "attention.cuh"
#include "attention_v2_plan.hpp"
#include "embedding.cuh"
#include "gemm_rows.cuh"
#include "jacobi.cuh"
#include "nvtx.hpp"
#include "rmsnorm.cuh"
#include "rope_kv.cuh"
#include "row_spread.hpp"

namespace cllm::cuda {
namespace {

// Ends a capture that failed half-way, so the stream is usable again, and rethrows.
template <typename Record>
cudaGraph_t capture_graph(cudaStream_t stream, Record&& record) {
  CLLM_CUDA_CHECK(cudaStreamBeginCapture(stream, cudaStreamCaptureModeThreadLocal));
  try {
    record();
  } catch (...) {
    cudaGraph_t partial = nullptr;
    cudaStreamEndCapture(stream, &partial);
    if (partial) cudaGraphDestroy(partial);
    cudaGetLastError();
    throw;
  }
  cudaGraph_t graph = nullptr;
  CLLM_CUDA_CHECK(cudaStreamEndCapture(stream, &graph));
  return graph;
}

GraphExec instantiate(cudaGraph_t graph) {
  cudaGraphExec_t exec = nullptr;
  const cudaError_t status = cudaGraphInstantiate(&exec, graph, 0);
  cudaGraphDestroy(graph);
  CLLM_CUDA_CHECK(status);
  return GraphExec(exec);
}

// Positions per attention split: the first variant's rule (capacity only), or with CLLM_CUDA_ATTN_V2 the
// second's (capacity, head counts and SMs: attention_v2_plan.hpp). Fixed for the session either way.
int32_t session_attention_chunk(const SpeedSwitches& switches, const CudaModel& model, int32_t capacity) {
  const cllm_config& c = model.config();
  if (!switches.attention_v2) return attention_chunk(capacity);
  return attention_v2_chunk(capacity, c.n_kv_heads, c.n_heads / c.n_kv_heads, model.multiprocessors());
}

struct GraphOwner {
  cudaGraph_t graph = nullptr;
  ~GraphOwner() {
    if (graph) cudaGraphDestroy(graph);
  }
};

}  // namespace

CudaSession::CudaSession(const CudaModel& model, int32_t capacity)
    : model_(model),
      capacity_(capacity),
      switches_(speed_switches_from_environment(model.cc_major(), model.driver_version())),
      attention_chunk_(session_attention_chunk(switches_, model, capacity)),
      attention_splits_(attention_v2_splits(capacity, attention_chunk_)),
      graph_mode_(graph_mode_from_environment()) {
  DeviceScope scope(model.device());
  const cllm_config& c = model.config();
  const size_t rows = size_t(kMaxRows);
  const size_t q_dim = size_t(model.q_dim()), kv_dim = size_t(model.kv_dim());
  CLLM_CUDA_CHECK(cudaStreamCreateWithFlags(&own_stream_, cudaStreamNonBlocking));
  try {
    x_ = DeviceArray<float>(rows * size_t(c.dim), "the residual stream");
    xb_ = DeviceArray<__nv_bfloat16>(rows * size_t(gemm_ld(c.dim)), "normed activations");
    qkv_ = DeviceArray<float>(rows * (q_dim + 2 * kv_dim), "QKV activations");
    q_ = DeviceArray<float>(rows * q_dim, "rotated queries");
    partial_o_ = DeviceArray<float>(size_t(attention_splits_) * rows * size_t(c.n_heads) * size_t(c.head_dim),
                                    "attention partial outputs");
    partial_ml_ =
        DeviceArray<float>(size_t(attention_splits_) * rows * size_t(c.n_heads) * 2, "attention partial sums");
    attn_ = DeviceArray<__nv_bfloat16>(rows * size_t(gemm_ld(model.q_dim())), "attention outputs");
    act_ = DeviceArray<__nv_bfloat16>(rows * size_t(gemm_ld(c.hidden_dim)), "SwiGLU activations");
    logits_ = DeviceArray<float>(rows * size_t(c.vocab_size), "logits");
    const size_t cache = size_t(c.n_layers) * size_t(capacity) * kv_dim;
    k_cache_ = DeviceArray<__nv_bfloat16>(cache, "the key cache");
    v_cache_ = DeviceArray<__nv_bfloat16>(cache, "the value cache");
    state_ = DeviceArray<JacobiState>(1, "the Jacobi state");
    host_state_ = PinnedArray<JacobiState>(1, "the Jacobi state");
    const size_t positions = size_t(capacity) + 1;
    counts_ = DeviceArray<int32_t>(2 * positions, "Jacobi iteration counts");
    history_ = DeviceArray<int32_t>(positions, "the Jacobi run history");
    host_counts_ = PinnedArray<int32_t>(2 * positions, "Jacobi iteration counts");
    host_history_ = PinnedArray<int32_t>(positions, "the Jacobi run history");
    host_logits_ = PinnedArray<float>(rows * size_t(c.vocab_size), "logits");
    if (switches_.rope_table) {
      // After the KV cache, so a session too large for the device fails there first. Filled on the
      // legacy stream, after the zero fills and before the synchronization below.
      rope_table_ = DeviceArray<float2>(size_t(capacity) * size_t(c.head_dim / 2), "the RoPE table");
      CLLM_CUDA_CHECK(launch_rope_table(rope_table_.get(), capacity, model.inv_freq(), c.head_dim, nullptr));
    }
    if (switches_.attention_v2) {
      const cudaError_t prepared = prepare_attention_v2(c.head_dim, c.n_heads / c.n_kv_heads);
      if (prepared != cudaSuccess) {
        cudaGetLastError();
        throw Error(CLLM_ERR_UNSUPPORTED,
                    "CLLM_CUDA_ATTN_V2: the device cannot give an attention block " +
                        std::to_string(attention_v2_smem_bytes(c.head_dim, c.n_heads / c.n_kv_heads)) +
                        " bytes of shared memory (" + cudaGetErrorString(prepared) + ")");
      }
    }
    // The zero fills above run on the legacy default stream, which does not order with the session's
    // non-blocking stream: finish them before any kernel relies on the zero padding.
    CLLM_CUDA_CHECK(cudaStreamSynchronize(nullptr));
  } catch (...) {
    cudaStreamDestroy(own_stream_);
    throw;
  }
  if (model.verbose()) {
    std::fprintf(stderr, "cllm cuda: session of %d positions, KV cache %.1f MiB (bf16), attention chunk %d x %d\n",
                 capacity, double(k_cache_.bytes() + v_cache_.bytes()) / (1024.0 * 1024.0), attention_chunk_,
                 attention_splits_);
    std::fprintf(stderr, "cllm cuda: speed switches: %s\n", describe(switches_).c_str());
  }
}

CudaSession::~CudaSession() {
  int previous = -1;
  const bool restore = cudaGetDevice(&previous) == cudaSuccess && previous != model_.device();
  cudaSetDevice(model_.device());
  cudaStreamSynchronize(stream());  // nothing may still use the buffers freed below
  if (user_stream_) cudaStreamSynchronize(own_stream_);
  for (auto* graphs : {&forward_graphs_, &forward_head_graphs_, &iteration_graphs_, &loop_graphs_}) {
    for (GraphExec& g : *graphs) g = GraphExec();
  }
  cudaStreamDestroy(own_stream_);
  if (restore) cudaSetDevice(previous);
}

int CudaSession::bucket_of(int32_t rows) {
  int bucket = 0;
  while (bucket < kBuckets - 1 && width_of(bucket) < rows) ++bucket;
  return bucket;
}

JacobiBegin CudaSession::begin_header(int32_t mode, const int32_t* tokens, int32_t n) const {
  JacobiBegin b{};
  b.length = length_;
  b.rows = n;
  b.mode = mode;
  std::copy(tokens, tokens + n, b.tokens);
  return b;
}

void CudaSession::begin(const JacobiBegin& b) { CLLM_CUDA_CHECK(launch_jacobi_begin(state_.get(), b, stream())); }

JacobiBuffers CudaSession::buffers() const {
  JacobiBuffers b{};
  b.history = history_.get();
  b.accepted = counts_.get();
  b.stationary = counts_.get() + (capacity_ + 1);
  b.trace = state_.get()->states;
  return b;
}

void CudaSession::gemm(cudaStream_t stream, const Bf16Matrix& w, int32_t out_features, const __nv_bfloat16* x,
                       int32_t ld_x, void* y, int32_t ld_y, int32_t epilogue, int32_t width) {
  GemmRowsArgs a{};
  a.w = w.data.get();
  a.ld = w.ld;
  a.out_rows = w.out_rows;
  a.out_features = out_features;
  a.x = x;
  a.ld_x = ld_x;
  a.y = y;
  a.ld_y = ld_y;
  a.active_rows = &state_.get()->core.rows;
  a.max_rows = width;
  a.gemv_max_rows = model_.gemv_max_rows();
  a.prefetch = switches_.gemm_prefetch ? 1 : 0;
  a.early_weights = switches_.pdl ? 1 : 0;
  CLLM_CUDA_CHECK(launch_gemm_rows(a, GemmEpilogue(epilogue), stream, launch_options(width)));
}

LaunchOptions CudaSession::launch_options(int32_t width) const {
  LaunchOptions options;
  options.pdl = switches_.pdl;
  options.spread = switches_.row_spread ? spread_blocks_per_row(width, model_.multiprocessors()) : 1;
  return options;
}

void CudaSession::record_forward(cudaStream_t s, int32_t width, bool head) {
  const cllm_config& c = model_.config();
  JacobiState* st = state_.get();
  const int32_t* rows = &st->core.rows;
  const int32_t* length = &st->core.length;
  const int32_t dim = c.dim, ld_dim = gemm_ld(dim), q_dim = model_.q_dim(), kv_dim = model_.kv_dim();
  const int32_t qkv_ld = q_dim + 2 * kv_dim, ld_q = gemm_ld(q_dim), ld_hidden = gemm_ld(c.hidden_dim);
  const int32_t store = int32_t(GemmEpilogue::kStore), accumulate = int32_t(GemmEpilogue::kAccumulate);
  // Everything after the embedding may run with programmatic dependent launch (CLLM_CUDA_PDL): each of
  // those kernels waits for the previous one before touching anything but weights
  // (launch_options.cuh). The embedding itself (first kernel, after jacobi_begin or a previous graph)
  // and the argmax and Jacobi kernels after the head launch normally, i.e. fully serialized.
  const LaunchOptions options = launch_options(width);
  CLLM_CUDA_CHECK(launch_embed_rows(st->core.window, model_.embedding().data.get(), model_.embedding().ld, c.vocab_size,
                                    dim, x_.get(), dim, rows, width, s));
  for (int32_t l = 0; l < c.n_layers; ++l) {
    const CudaLayer& layer = model_.layer(l);
    __nv_bfloat16* k_layer = k_cache_.get() + size_t(l) * size_t(capacity_) * size_t(kv_dim);
    __nv_bfloat16* v_layer = v_cache_.get() + size_t(l) * size_t(capacity_) * size_t(kv_dim);
    CLLM_CUDA_CHECK(launch_rmsnorm_rows(x_.get(), dim, layer.attn_norm.get(), dim, c.norm_eps, xb_.get(), ld_dim, rows,
                                        width, s, options));
    gemm(s, layer.wqkv, qkv_ld, xb_.get(), ld_dim, qkv_.get(), qkv_ld, store, width);

    RopeKvArgs rope{};
    rope.qkv = qkv_.get();
    rope.ld_qkv = qkv_ld;
    rope.n_heads = c.n_heads;
    rope.n_kv_heads = c.n_kv_heads;
    rope.head_dim = c.head_dim;
    rope.inv_freq = model_.inv_freq();
    rope.length = length;
    rope.active_rows = rows;
    rope.max_rows = width;
    rope.q_out = q_.get();
    rope.k_cache = k_layer;
    rope.v_cache = v_layer;
    rope.capacity = capacity_;
    rope.cos_sin = switches_.rope_table ? rope_table_.get() : nullptr;
    CLLM_CUDA_CHECK(launch_rope_kv(rope, s, options));

    AttentionArgs attention{};
    attention.q = q_.get();
    attention.k_cache = k_layer;
    attention.v_cache = v_layer;
    attention.length = length;
    attention.active_rows = rows;
    attention.max_rows = width;
    attention.n_heads = c.n_heads;
    attention.n_kv_heads = c.n_kv_heads;
    attention.head_dim = c.head_dim;
    attention.chunk = attention_chunk_;
    attention.num_splits = attention_splits_;
    attention.partial_o = partial_o_.get();
    attention.partial_ml = partial_ml_.get();
    attention.partial_rows = kMaxRows;
    attention.out = attn_.get();
    attention.ld_out = ld_q;
    attention.scale = 1.0f / std::sqrt(float(c.head_dim));
    attention.version = switches_.attention_v2 ? 2 : 1;
    CLLM_CUDA_CHECK(launch_attention(attention, s, options));

    gemm(s, layer.wo, dim, attn_.get(), ld_q, x_.get(), dim, accumulate, width);
    CLLM_CUDA_CHECK(launch_rmsnorm_rows(x_.get(), dim, layer.ffn_norm.get(), dim, c.norm_eps, xb_.get(), ld_dim, rows,
                                        width, s, options));
    gemm(s, layer.w_gate_up, c.hidden_dim, xb_.get(), ld_dim, act_.get(), ld_hidden, int32_t(GemmEpilogue::kSwiGLU),
         width);
    gemm(s, layer.w_down, dim, act_.get(), ld_hidden, x_.get(), dim, accumulate, width);
  }
  if (head) {
    CLLM_CUDA_CHECK(launch_rmsnorm_rows(x_.get(), dim, model_.final_norm(), dim, c.norm_eps, xb_.get(), ld_dim, rows,
                                        width, s, options));
    gemm(s, model_.output_head(), c.vocab_size, xb_.get(), ld_dim, logits_.get(), c.vocab_size, store, width);
  }
}

void CudaSession::record_iteration(cudaStream_t s, int32_t width) {
  const int32_t vocab = model_.config().vocab_size;
  JacobiState* st = state_.get();
  record_forward(s, width, true);
  CLLM_CUDA_CHECK(
      launch_argmax_rows_active(logits_.get(), vocab, &st->core.rows, width, vocab, st->core.predictions, s));
  CLLM_CUDA_CHECK(launch_jacobi_update(st, buffers(), s));
}

void CudaSession::run_forward(int32_t rows, bool head) {
  const int bucket = bucket_of(rows);
  const int32_t width = width_of(bucket);
  if (graph_mode_ == GraphMode::kEager) {
    record_forward(stream(), width, head);
    return;
  }
  GraphExec& exec = head ? forward_head_graphs_[size_t(bucket)] : forward_graphs_[size_t(bucket)];
  if (!exec) exec = instantiate(capture_graph(own_stream_, [&] { record_forward(own_stream_, width, head); }));
  CLLM_CUDA_CHECK(cudaGraphLaunch(exec.get(), stream()));
}

void CudaSession::run_iteration(int32_t rows) {
  NvtxRange range("cllm.jacobi_iteration");
  const int bucket = bucket_of(rows);
  const int32_t width = width_of(bucket);
  if (graph_mode_ == GraphMode::kEager) {
    record_iteration(stream(), width);
    return;
  }
  GraphExec& exec = iteration_graphs_[size_t(bucket)];
  if (!exec) exec = instantiate(capture_graph(own_stream_, [&] { record_iteration(own_stream_, width); }));
  CLLM_CUDA_CHECK(cudaGraphLaunch(exec.get(), stream()));
}

bool CudaSession::run_loop_graph(int32_t n) {
  if (!conditional_nodes_ok_) return false;
  const int bucket = bucket_of(n);
  const int32_t width = width_of(bucket);
  GraphExec& exec = loop_graphs_[size_t(bucket)];
  if (!exec) {
    try {
      int driver = 0;
      CLLM_CUDA_CHECK(cudaDriverGetVersion(&driver));
      if (driver < 12040) {
        throw Error(CLLM_ERR_UNSUPPORTED, "the driver (CUDA " + std::to_string(driver / 1000) + "." +
                                              std::to_string(driver % 1000 / 10) +
                                              ") has no WHILE conditional graph nodes (12.4 or newer needed)");
      }
      // Outer graph: one WHILE node. Body: the iteration, then a kernel that sets the condition to
      // "not done". The handle's default (1) is applied at every launch, so the body runs at least once.
      GraphOwner outer;
      CLLM_CUDA_CHECK(cudaGraphCreate(&outer.graph, 0));
      cudaGraphConditionalHandle handle{};
      CLLM_CUDA_CHECK(cudaGraphConditionalHandleCreate(&handle, outer.graph, 1, cudaGraphCondAssignDefault));
      cudaGraphNodeParams params{};
      params.type = cudaGraphNodeTypeConditional;
      params.conditional.handle = handle;
      params.conditional.type = cudaGraphCondTypeWhile;
      params.conditional.size = 1;
      cudaGraphNode_t node{};
      CLLM_CUDA_CHECK(cudaGraphAddNode(&node, outer.graph, nullptr, nullptr, 0, &params));
      cudaGraph_t body = params.conditional.phGraph_out[0];
      CLLM_CUDA_CHECK(
          cudaStreamBeginCaptureToGraph(own_stream_, body, nullptr, nullptr, 0, cudaStreamCaptureModeThreadLocal));
      try {
        record_iteration(own_stream_, width);
        CLLM_CUDA_CHECK(launch_jacobi_continue(state_.get(), handle, own_stream_));
      } catch (...) {
        cudaStreamEndCapture(own_stream_, nullptr);
        cudaGetLastError();
        throw;
      }
      CLLM_CUDA_CHECK(cudaStreamEndCapture(own_stream_, nullptr));
      cudaGraphExec_t instance = nullptr;
      CLLM_CUDA_CHECK(cudaGraphInstantiate(&instance, outer.graph, 0));
      exec = GraphExec(instance);
    } catch (const Error& e) {
      conditional_nodes_ok_ = false;
      if (model_.verbose()) {
        std::fprintf(stderr, "cllm cuda: Jacobi blocks and runs fall back to a host loop of iteration graphs: %s\n",
                     e.what());
      }
      return false;
    }
    if (model_.verbose()) std::fprintf(stderr, "cllm cuda: Jacobi loop graph (WHILE node) for width %d\n", width);
  }
  const cudaError_t launched = cudaGraphLaunch(exec.get(), stream());
  if (launched != cudaSuccess) {
    // Nothing was enqueued; the device state is still the one begin() set, so the loop can run instead.
    // A sticky (context-wide) error will surface again there and be reported.
    cudaGetLastError();
    conditional_nodes_ok_ = false;
    if (model_.verbose()) {
      std::fprintf(stderr, "cllm cuda: launching the Jacobi loop graph failed (%s); using the host loop\n",
                   cudaGetErrorString(launched));
    }
    return false;
  }
  return true;
}

void CudaSession::run_host_loop(int32_t n, int32_t max_iterations) {
  JacobiCore* device_core = &state_.get()->core;
  JacobiCore* host_core = &host_state_.get()->core;
  for (int32_t iteration = 0; iteration < max_iterations; ++iteration) {
    run_iteration(n);  // the window shrinks or narrows on the device; the kernels read its width there
    CLLM_CUDA_CHECK(
        cudaMemcpyAsync(&host_core->done, &device_core->done, sizeof(int32_t), cudaMemcpyDeviceToHost, stream()));
    CLLM_CUDA_CHECK(cudaStreamSynchronize(stream()));
    if (host_core->done) return;
  }
}

void CudaSession::run_iterations(int32_t n, int32_t max_iterations) {
  const bool ran = graph_mode_ == GraphMode::kWhile && run_loop_graph(n);
  if (!ran) run_host_loop(n, max_iterations);
}

void CudaSession::fetch(const Fetch& what) {
  JacobiState* device = state_.get();
  JacobiState* host = host_state_.get();
  const cudaStream_t s = stream();
  CLLM_CUDA_CHECK(cudaMemcpyAsync(&host->core, &device->core, sizeof(JacobiCore), cudaMemcpyDeviceToHost, s));
  if (what.states_words > 0) {
    CLLM_CUDA_CHECK(cudaMemcpyAsync(host->states, device->states, size_t(what.states_words) * sizeof(int32_t),
                                    cudaMemcpyDeviceToHost, s));
  }
  if (what.count_words > 0) {
    const size_t stride = size_t(capacity_) + 1, bytes = size_t(what.count_words) * sizeof(int32_t);
    CLLM_CUDA_CHECK(cudaMemcpyAsync(host_counts_.get(), counts_.get(), bytes, cudaMemcpyDeviceToHost, s));
    CLLM_CUDA_CHECK(
        cudaMemcpyAsync(host_counts_.get() + stride, counts_.get() + stride, bytes, cudaMemcpyDeviceToHost, s));
  }
  if (what.history_words > 0) {
    CLLM_CUDA_CHECK(cudaMemcpyAsync(host_history_.get() + what.history_from, history_.get() + what.history_from,
                                    size_t(what.history_words) * sizeof(int32_t), cudaMemcpyDeviceToHost, s));
  }
  CLLM_CUDA_CHECK(cudaStreamSynchronize(s));
}

void CudaSession::forward_chunk(const int32_t* tokens, int32_t n, float* logits, int32_t* predictions) {
  const int32_t vocab = model_.config().vocab_size;
  begin(begin_header(kJacobiForward, tokens, n));
  run_forward(n, logits != nullptr || predictions != nullptr);
  if (predictions) {
    JacobiState* st = state_.get();
    CLLM_CUDA_CHECK(launch_argmax_rows_active(logits_.get(), vocab, nullptr, n, vocab, st->core.predictions, stream()));
    CLLM_CUDA_CHECK(cudaMemcpyAsync(host_state_.get()->core.predictions, st->core.predictions,
                                    size_t(n) * sizeof(int32_t), cudaMemcpyDeviceToHost, stream()));
  }
  if (logits) {
    CLLM_CUDA_CHECK(cudaMemcpyAsync(host_logits_.get(), logits_.get(), size_t(n) * size_t(vocab) * sizeof(float),
                                    cudaMemcpyDeviceToHost, stream()));
  }
  if (logits || predictions) {
    CLLM_CUDA_CHECK(cudaStreamSynchronize(stream()));
    if (logits) std::memcpy(logits, host_logits_.get(), size_t(n) * size_t(vocab) * sizeof(float));
    if (predictions)
      std::copy(host_state_.get()->core.predictions, host_state_.get()->core.predictions + n, predictions);
  }
  length_ += n;
}

void CudaSession::forward(const int32_t* tokens, int32_t n, float* logits) {
  DeviceScope scope(model_.device());
  NvtxRange range("cllm.forward");
  const size_t vocab = size_t(model_.config().vocab_size);
  for (int32_t first = 0; first < n; first += kMaxRows) {
    const int32_t count = std::min(kMaxRows, n - first);
    forward_chunk(tokens + first, count, logits ? logits + size_t(first) * vocab : nullptr, nullptr);
  }
}

void CudaSession::forward_argmax(const int32_t* tokens, int32_t n, int32_t* predictions) {
  DeviceScope scope(model_.device());
  NvtxRange range("cllm.forward");
  for (int32_t first = 0; first < n; first += kMaxRows) {
    const int32_t count = std::min(kMaxRows, n - first);
    forward_chunk(tokens + first, count, nullptr, predictions + first);
  }
}

int32_t CudaSession::jacobi_step(const int32_t* window, int32_t n, int32_t* predictions) {
  if (n > kMaxRows) return SessionBackend::jacobi_step(window, n, predictions);  // chunked forward, host accept
  DeviceScope scope(model_.device());
  NvtxRange range("cllm.jacobi_step");
  begin(begin_header(kJacobiStep, window, n));
  run_iteration(n);
  fetch(Fetch{});
  const JacobiCore& core = host_state_.get()->core;
  if (core.accepted < 1 || core.accepted > n || core.length != length_ + core.accepted) {
    throw Error(CLLM_ERR_INTERNAL, "CUDA Jacobi step returned an inconsistent state (accepted " +
                                       std::to_string(core.accepted) + " of " + std::to_string(n) + ")");
  }
  std::copy(core.predictions, core.predictions + n, predictions);
  length_ = core.length;
  return core.accepted;
}

SessionBackend::BlockResult CudaSession::jacobi_block(int32_t y0, const int32_t* init_state, int32_t n,
                                                      int32_t max_iterations, int32_t eos_token, int32_t* produced,
                                                      int32_t* accepted, int32_t* stationary, int32_t* states) {
  if (n > kMaxRows) {
    return SessionBackend::jacobi_block(y0, init_state, n, max_iterations, eos_token, produced, accepted, stationary,
                                        states);
  }
  DeviceScope scope(model_.device());
  NvtxRange range("cllm.jacobi_block");
  // Every iteration produces at least one token, so more than n iterations never run.
  const int32_t cap = std::min(max_iterations, n);
  JacobiBegin b = begin_header(kJacobiBlock, init_state, n);
  b.max_iterations = cap;
  b.eos = eos_token;
  b.record_states = states ? 1 : 0;
  b.y0 = y0;
  begin(b);
  run_iterations(n, cap);
  Fetch what;
  what.states_words = states ? (cap + 1) * n : 0;
  what.count_words = (accepted || stationary) ? cap : 0;
  fetch(what);
  const JacobiCore& core = host_state_.get()->core;
  if (core.produced_count < 1 || core.produced_count > n || core.iterations < 1 || core.iterations > cap ||
      core.length != length_ + core.produced_count) {
    throw Error(CLLM_ERR_INTERNAL, "CUDA Jacobi block returned an inconsistent state (produced " +
                                       std::to_string(core.produced_count) + " of " + std::to_string(n) + " in " +
                                       std::to_string(core.iterations) + " iterations)");
  }
  std::copy(core.produced, core.produced + core.produced_count, produced);
  const int32_t* counts = host_counts_.get();
  if (accepted) std::copy(counts, counts + core.iterations, accepted);
  if (stationary) std::copy(counts + capacity_ + 1, counts + capacity_ + 1 + core.iterations, stationary);
  if (states) {
    const int32_t* recorded = host_state_.get()->states;
    std::copy(recorded, recorded + size_t(core.iterations + 1) * size_t(n), states);
  }
  length_ = core.length;
  return BlockResult{core.produced_count, core.iterations};
}

SessionBackend::RunResult CudaSession::jacobi_run(const RunArgs& a) {
  if (a.n > kMaxRows) return SessionBackend::jacobi_run(a);  // chunked forwards, accepted on the host
  DeviceScope scope(model_.device());
  NvtxRange range("cllm.jacobi_run");
  const int32_t n = a.n;
  // A recorded run writes each iteration's predictions into JacobiState::states, which holds
  // kStateWords / n of them: such a call may take several launches, each continuing from the device
  // state the last one left (history, window, prior), exactly as the iteration cap of cllm_jacobi_run
  // allows. Unrecorded runs take one launch.
  const int32_t launch_cap = a.predictions ? kStateWords / n : std::numeric_limits<int32_t>::max();
  std::copy(a.history, a.history + a.history_length, host_history_.get());
  CLLM_CUDA_CHECK(cudaMemcpyAsync(history_.get(), host_history_.get(), size_t(a.history_length) * sizeof(int32_t),
                                  cudaMemcpyHostToDevice, stream()));
  RunResult result{0, 0};
  int32_t history_length = a.history_length;
  const uint64_t seed = a.guess.seed;
  for (;;) {
    // Every iteration commits at least one token, so min(left, room) bounds the iterations and tokens.
    const int32_t left = a.max_tokens - result.committed, room = capacity_ - length_;
    const int32_t most_tokens = std::min(left, room);
    JacobiBegin b = begin_header(kJacobiRun, a.window, n);
    b.max_iterations = std::min(std::min(launch_cap, most_tokens), a.max_iterations - result.iterations);
    b.eos = a.eos_token;
    b.record_states = a.predictions ? 1 : 0;
    b.max_tokens = left;
    b.capacity = capacity_;
    b.history_length = history_length;
    b.guess_kind = a.guess.kind;
    b.pad_token = a.guess.pad_token;
    b.seed_low = uint32_t(seed);
    b.seed_high = uint32_t(seed >> 32);
    std::copy(a.prior, a.prior + n, b.prior);
    begin(b);
    run_iterations(n, b.max_iterations);
    Fetch what;
    what.states_words = a.predictions ? b.max_iterations * n : 0;
    what.count_words = b.max_iterations;
    what.history_from = history_length;
    what.history_words = most_tokens;
    fetch(what);
    const JacobiCore& core = host_state_.get()->core;
    const int32_t* counts = host_counts_.get();
    int32_t counted = 0;
    for (int32_t j = 0; j < std::min(core.iterations, b.max_iterations); ++j) counted += counts[j];
    if (core.produced_count < 1 || core.produced_count > most_tokens || core.iterations < 1 ||
        core.iterations > b.max_iterations || counted != core.produced_count ||
        core.length != length_ + core.produced_count || core.history_length != history_length + core.produced_count) {
      throw Error(CLLM_ERR_INTERNAL, "CUDA Jacobi run returned an inconsistent state (committed " +
                                         std::to_string(core.produced_count) + " of at most " +
                                         std::to_string(most_tokens) + " in " + std::to_string(core.iterations) +
                                         " iterations)");
    }
    std::copy(host_history_.get() + history_length, host_history_.get() + core.history_length,
              a.committed + result.committed);
    std::copy(counts, counts + core.iterations, a.accepted + result.iterations);
    std::copy(counts + capacity_ + 1, counts + capacity_ + 1 + core.iterations, a.stationary + result.iterations);
    if (a.predictions) {
      const int32_t* recorded = host_state_.get()->states;
      std::copy(recorded, recorded + size_t(core.iterations) * size_t(n),
                a.predictions + size_t(result.iterations) * size_t(n));
    }
    // An iteration that commits EOS leaves the window and prior as the one before it built them.
    std::copy(core.window, core.window + n, a.window);
    std::copy(core.prior, core.prior + n, a.prior);
    length_ = core.length;
    history_length = core.history_length;
    result.committed += core.produced_count;
    result.iterations += core.iterations;
    if (core.hit_eos || result.committed >= a.max_tokens || result.iterations >= a.max_iterations ||
        length_ >= capacity_) {
      break;
    }
  }
  return result;
}

void CudaSession::set_cuda_stream(void* stream_handle) {
  DeviceScope scope(model_.device());
  // Work queued on the current stream finishes before anything runs on the new one.
  CLLM_CUDA_CHECK(cudaStreamSynchronize(stream()));
  user_stream_ = static_cast<cudaStream_t>(stream_handle);
}

}  // namespace cllm::cuda
