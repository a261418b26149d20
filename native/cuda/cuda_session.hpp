// A CUDA session: the KV cache (bf16) and activation buffers for up to kMaxRows tokens, the
// device-resident Jacobi state, one stream, and the CUDA graphs captured from them.
//
// Every call starts with one small kernel whose by-value arguments carry the host's length, the window
// and the mode into the device state; everything after it reads those from device memory. So the graphs
// are captured once per window-width bucket (1, 2, 4, ..., 64 rows) and replayed for every call:
//   - forward graph: embedding, the layers, and (optionally) the final norm and the output head;
//   - iteration graph: the forward with head, argmax, and the Jacobi update (accept, commit, flags);
//   - loop graph: a WHILE conditional node whose body is the iteration plus a kernel that sets the
//     condition to "not done". The update in the iteration reads the mode from the device state, so the
//     same graph runs a whole Jacobi block (done: all n produced, EOS, or the iteration cap) and a whole
//     refill run (done: the token limit, EOS, a full cache, or the launch's iteration cap); the host
//     learns the result with one read-back.
// Without conditional nodes (old driver, or a failure building them) blocks and runs use the iteration
// graph in a host loop that reads the done flag after each iteration (one small copy per iteration).
#pragma once

#include <array>
#include <cstdint>

#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include "cuda_model.hpp"
#include "jacobi_state.hpp"
#include "launch_options.cuh"
#include "speed_switches.hpp"

namespace cllm::cuda {

class GraphExec {
 public:
  GraphExec() = default;
  explicit GraphExec(cudaGraphExec_t exec) : exec_(exec) {}
  ~GraphExec() {
    if (exec_) cudaGraphExecDestroy(exec_);
  }
  GraphExec(GraphExec&& other) noexcept : exec_(other.exec_) { other.exec_ = nullptr; }
  GraphExec& operator=(GraphExec&& other) noexcept {
    if (this != &other) {
      if (exec_) cudaGraphExecDestroy(exec_);
      exec_ = other.exec_;
      other.exec_ = nullptr;
    }
    return *this;
  }
  GraphExec(const GraphExec&) = delete;
  GraphExec& operator=(const GraphExec&) = delete;
  cudaGraphExec_t get() const { return exec_; }
  explicit operator bool() const { return exec_ != nullptr; }

 private:
  cudaGraphExec_t exec_ = nullptr;
};

class CudaSession final : public SessionBackend {
 public:
  CudaSession(const CudaModel& model, int32_t capacity);
  ~CudaSession() override;

  int32_t length() const override { return length_; }
  int32_t capacity() const override { return capacity_; }
  void forward(const int32_t* tokens, int32_t n, float* logits) override;
  void forward_argmax(const int32_t* tokens, int32_t n, int32_t* predictions) override;
  void truncate(int32_t length) override { length_ = length; }
  int32_t jacobi_step(const int32_t* window, int32_t n, int32_t* predictions) override;
  BlockResult jacobi_block(int32_t y0, const int32_t* init_state, int32_t n, int32_t max_iterations, int32_t eos_token,
                           int32_t* produced, int32_t* accepted, int32_t* stationary, int32_t* states) override;
  RunResult jacobi_run(const RunArgs& args) override;
  void set_cuda_stream(void* stream) override;

 private:
  static constexpr int kBuckets = 7;  // widths 1, 2, 4, 8, 16, 32, 64
  static int bucket_of(int32_t rows);
  static int32_t width_of(int bucket) { return int32_t(1) << bucket; }

  cudaStream_t stream() const { return user_stream_ ? user_stream_ : own_stream_; }
  // The header every device-side call starts from: the cache length, n rows, the mode and the n tokens
  // (the window, or a block's initial state); the block fields stay zero.
  JacobiBegin begin_header(int32_t mode, const int32_t* tokens, int32_t n) const;
  void begin(const JacobiBegin& begin);
  // Launches (or records, during capture) the kernels of one forward / one iteration.
  void record_forward(cudaStream_t stream, int32_t width, bool head);
  void record_iteration(cudaStream_t stream, int32_t width);
  void gemm(cudaStream_t stream, const Bf16Matrix& w, int32_t out_features, const __nv_bfloat16* x, int32_t ld_x,
            void* y, int32_t ld_y, int32_t epilogue, int32_t width);
  // Launch options of the per-layer kernels from the speed switches: PDL, and the blocks per row of
  // RMSNorm and RoPE/KV for a launch sized for `width` rows.
  LaunchOptions launch_options(int32_t width) const;
  // Graph runners: capture on first use per width bucket; eager launches in GraphMode::kEager.
  void run_forward(int32_t rows, bool head);
  void run_iteration(int32_t rows);
  bool run_loop_graph(int32_t n);  // false: no conditional nodes here, use the host loop
  void run_host_loop(int32_t n, int32_t max_iterations);
  // Runs the iterations begin() set up: the WHILE graph, else the host loop.
  void run_iterations(int32_t n, int32_t max_iterations);
  // One read-back after a call: the core, then (when > 0) the first `states_words` recorded words,
  // `count_words` per-iteration counts of each kind, and history[history_from, + history_words).
  struct Fetch {
    int32_t states_words = 0;
    int32_t count_words = 0;
    int32_t history_from = 0;
    int32_t history_words = 0;
  };
  void fetch(const Fetch& what);
  JacobiBuffers buffers() const;
  void forward_chunk(const int32_t* tokens, int32_t n, float* logits, int32_t* predictions);

  const CudaModel& model_;
  int32_t capacity_;
  int32_t length_ = 0;
  cudaStream_t own_stream_ = nullptr;
  cudaStream_t user_stream_ = nullptr;

  // Activations for kMaxRows rows. GEMM inputs are bf16 with zero-padded rows of gemm_ld(columns).
  DeviceArray<float> x_;                          // residual stream [rows][dim]
  DeviceArray<__nv_bfloat16> xb_;                 // normed input [rows][gemm_ld(dim)]
  DeviceArray<float> qkv_;                        // fused projection [rows][q_dim + 2 kv_dim]
  DeviceArray<float> q_;                          // rotated queries [rows][q_dim]
  DeviceArray<float> partial_o_, partial_ml_;     // attention chunks
  DeviceArray<__nv_bfloat16> attn_;               // attention output [rows][gemm_ld(q_dim)]
  DeviceArray<__nv_bfloat16> act_;                // SwiGLU output [rows][gemm_ld(hidden)]
  DeviceArray<float> logits_;                     // [rows][vocab]
  DeviceArray<__nv_bfloat16> k_cache_, v_cache_;  // [layer][capacity][kv_dim]
  DeviceArray<float2> rope_table_;                // CLLM_CUDA_ROPE_TABLE: (cos, sin) [capacity][head_dim / 2]
  DeviceArray<JacobiState> state_;
  PinnedArray<JacobiState> host_state_;
  // Blocks and refill runs: per-iteration counts (accepted, then stationary; capacity + 1 each, as
  // iterations never exceed committed tokens) and the history of a run (capacity + 1 tokens), with
  // pinned host copies for the one upload and the one read-back per call.
  DeviceArray<int32_t> counts_, history_;
  PinnedArray<int32_t> host_counts_, host_history_;
  PinnedArray<float> host_logits_;
  SpeedSwitches switches_;  // read when the session is created (speed_switches.hpp)
  int32_t attention_chunk_, attention_splits_;
  GraphMode graph_mode_;

  std::array<GraphExec, kBuckets> forward_graphs_, forward_head_graphs_, iteration_graphs_, loop_graphs_;
  bool conditional_nodes_ok_ = true;
};

}  // namespace cllm::cuda
