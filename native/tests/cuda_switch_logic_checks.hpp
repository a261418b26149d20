// Host checks of the index logic behind the CUDA speed switches (native/cuda/NOTES.md, "Speed
// switches"), included by test_cuda_host_logic.cpp:
//   - GEMM_PREFETCH: the double-buffered schedule (the template the kernel runs) loads and consumes
//     every chunk of a warp exactly once, consumes them in the plain kernel's order (so the sums are the
//     same bits), never overwrites a buffer before it is used, and keeps the next batch in flight;
//   - ROW_SPREAD: the slices of RMSNorm and RoPE/KV cover every column, pair and value exactly once;
//   - ROPE_TABLE: the table index is a bijection, and the table entries agree with the CPU twin's
//     cos/sin (same float angle) to within one float ulp;
//   - ATTN_V2: the chunk rule (multiple of the pass, within the split limit, covers the capacity, fills
//     the SMs at the reference context and is the coarsest that does), and the kernel's partition of
//     queries and positions: each once, and a query's tiles independent of the row count;
//   - the switches' parsing and the PDL eligibility (compute capability, driver).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>
#include <vector>

#include "attention_v2_plan.hpp"
#include "cpu/cpu_kernels.hpp"
#include "gemm_schedule.hpp"
#include "layout.hpp"
#include "rope_table.hpp"
#include "row_spread.hpp"
#include "speed_switches.hpp"

namespace switch_checks {

using Expect = void (*)(bool, const char*);

template <int U>
void check_gemm_schedule(Expect expect) {
  using namespace cllm::cuda;
  bool once = true, in_order = true, no_overwrite = true, in_flight = true, warps_cover = true, bounded = true;
  for (int chunks = 0; chunks <= 400; ++chunks) {
    std::vector<int> owner(size_t(chunks), 0);
    for (int warp = 0; warp < kGemmWarps; ++warp) {
      const int begin = gemm_warp_first_chunk(chunks, warp), end = gemm_warp_first_chunk(chunks, warp + 1);
      for (int c = begin; c < end; ++c) ++owner[size_t(c)];
      int buffer[2][U];
      for (auto& slot : buffer) {
        for (int& v : slot) v = -1;
      }
      std::vector<int> loads(size_t(chunks), 0), consumed_order;
      int outstanding = 0;
      auto load = [&](auto slot, int u, int c) {
        constexpr int s = decltype(slot)::value;
        if (buffer[s][u] != -1) no_overwrite = false;  // a loaded chunk not yet used would be lost
        buffer[s][u] = c;
        if (c < begin || c >= end)
          once = false;
        else
          ++loads[size_t(c)];
        bounded &= ++outstanding <= 2 * U;
      };
      auto consume = [&](auto slot, int u, int c) {
        constexpr int s = decltype(slot)::value;
        if (buffer[s][u] != c) no_overwrite = false;
        buffer[s][u] = -1;
        --outstanding;
        // When a batch starts, the next batch (if any) is already loading.
        if ((c - begin) % U == 0) {
          const int next_end = std::min(end, c + 2 * U);
          for (int n = c + U; n < next_end; ++n) in_flight &= loads[size_t(n)] == 1;
        }
        consumed_order.push_back(c);
      };
      gemm_prefetch_prologue<U>(begin, end, load);
      gemm_prefetch_loop<U>(begin, end, load, consume);
      for (int c = begin; c < end; ++c) once &= loads[size_t(c)] == 1;
      // The plain kernel consumes begin, begin + 1, ..., end - 1.
      in_order &= int(consumed_order.size()) == end - begin;
      for (size_t i = 0; i < consumed_order.size(); ++i) in_order &= consumed_order[i] == begin + int(i);
    }
    for (int v : owner) warps_cover &= v == 1;
  }
  expect(warps_cover, "GEMM: the warps' chunk ranges cover the reduction once");
  expect(once, "GEMM prefetch: every chunk of a warp is loaded exactly once, none outside its range");
  expect(in_order, "GEMM prefetch: chunks are consumed in the plain kernel's order");
  expect(no_overwrite, "GEMM prefetch: no buffer is overwritten before its chunk is used");
  expect(in_flight, "GEMM prefetch: the next batch is loading while a batch is used");
  expect(bounded, "GEMM prefetch: at most two batches of loads outstanding");
}

void check_row_spread(Expect expect) {
  using namespace cllm::cuda;
  bool covered = true, aligned = true, ordered = true;
  for (int32_t total : {1, 31, 32, 33, 100, 384, 4096, 6144, 11008, 12288}) {
    for (int32_t parts = 1; parts <= kMaxSpread; ++parts) {
      std::vector<int> seen(size_t(total), 0);
      int32_t previous_end = 0;
      for (int32_t part = 0; part < parts; ++part) {
        const SpreadRange r = spread_range(total, parts, part, kSpreadGranule);
        ordered &= r.begin == previous_end && r.end >= r.begin;
        previous_end = r.end;
        aligned &= r.begin == total || r.begin % kSpreadGranule == 0;
        // The kernels' loop: thread t of the block takes begin + t, begin + t + 256, ...
        for (int t = 0; t < 256; ++t) {
          for (int32_t i = r.begin + t; i < r.end; i += 256) ++seen[size_t(i)];
        }
      }
      ordered &= previous_end == total;
      for (int v : seen) covered &= v == 1;
    }
  }
  expect(covered, "ROW_SPREAD: the slices of a row cover every element once");
  expect(aligned, "ROW_SPREAD: slices start on the granule");
  expect(ordered, "ROW_SPREAD: slices are contiguous and in order");
  bool sane = spread_blocks_per_row(1, 132) == kMaxSpread && spread_blocks_per_row(64, 132) == 2 &&
              spread_blocks_per_row(64, 16) == 1 && spread_blocks_per_row(16, 132) == 8 &&
              spread_blocks_per_row(0, 1) == 1;
  expect(sane, "ROW_SPREAD: blocks per row fill about one wave, within [1, kMaxSpread]");
}

// Distance in float ulps (same sign assumed; both finite).
int64_t ulps(float a, float b) {
  int32_t ia, ib;
  std::memcpy(&ia, &a, 4);
  std::memcpy(&ib, &b, 4);
  if ((ia < 0) != (ib < 0)) return (a == b) ? 0 : int64_t(1) << 40;
  return std::llabs(int64_t(ia) - int64_t(ib));
}

void check_rope_table(Expect expect) {
  using namespace cllm::cuda;
  bool bijective = true, agrees = true;
  for (int32_t head_dim : {2, 48, 64, 128}) {
    const int32_t half = head_dim / 2, positions = 37;
    std::vector<int> seen(size_t(positions) * half, 0);
    for (int32_t p = 0; p < positions; ++p) {
      for (int32_t i = 0; i < half; ++i) {
        const int64_t index = rope_table_index(p, i, half);
        if (index < 0 || index >= int64_t(seen.size()))
          bijective = false;
        else
          ++seen[size_t(index)];
      }
    }
    for (int v : seen) bijective &= v == 1;
    // Against the CPU twin at early and late positions (large angles are where float sin/cos differ).
    for (float theta : {10000.0f, 500000.0f}) {
      for (int32_t first : {0, 4000, 131000}) {
        const int32_t rows = 16;
        std::vector<float> cpu(size_t(rows) * head_dim);
        cllm::cpu::rope_table(cpu.data(), rows, head_dim, first, theta);
        for (int32_t r = 0; r < rows; ++r) {
          for (int32_t i = 0; i < half; ++i) {
            float c = 0, s = 0;
            rope_cos_sin_host(first + r, rope_inv_freq(i, head_dim, theta), &c, &s);
            agrees &= ulps(c, cpu[size_t(r) * head_dim + i]) <= 1 && ulps(s, cpu[size_t(r) * head_dim + half + i]) <= 1;
          }
        }
      }
    }
  }
  expect(bijective, "ROPE_TABLE: (position, pair) -> index is a bijection onto the table");
  expect(agrees, "ROPE_TABLE: table entries equal the CPU twin's cos/sin within one float ulp");
}

void check_attention_v2(Expect expect) {
  using namespace cllm::cuda;
  bool rule = true, fills = true, coarsest = true;
  for (int32_t capacity : {1, 33, 256, 1000, 1041, 4096, 16384, 100000, 1 << 29}) {
    for (int32_t kv : {1, 4, 8, 32, 64}) {
      for (int32_t group : {1, 2, 3, 4, 8}) {
        for (int32_t sms : {1, 16, 80, 108, 132}) {
          const int32_t chunk = attention_v2_chunk(capacity, kv, group, sms), step = attention_v2_step(group);
          const int32_t splits = attention_v2_splits(capacity, chunk);
          rule &= chunk >= step && chunk % step == 0 && chunk % kAttentionTile == 0;
          rule &= splits >= 1 && splits <= kAttentionMaxSplits && int64_t(chunk) * splits >= capacity;
          const int64_t finest = round_up((int64_t(capacity) + kAttentionMaxSplits - 1) / kAttentionMaxSplits, step);
          const auto blocks = [&](int32_t c) {
            return attention_v2_blocks(kAttentionV2FillContext - 1, 1, c, kv, group);
          };
          if (chunk > finest && chunk > step) {  // chosen by the fill rule, not by the buffers
            fills &= blocks(chunk) >= sms;
            coarsest &= chunk + step > kAttentionV2FillContext || blocks(chunk + step) < sms;
          }
          if (chunk == step && finest <= step)
            coarsest &= blocks(step + step) < sms || step + step > kAttentionV2FillContext;
        }
      }
    }
  }
  expect(rule, "ATTN_V2: chunk is a multiple of the pass, splits within the limit and cover the capacity");
  expect(fills, "ATTN_V2: a chunk chosen by the fill rule covers the SMs at the reference context");
  expect(coarsest, "ATTN_V2: and it is the coarsest such chunk");
  expect(attention_v2_chunk(4096, 32, 1, 132) == 128 && attention_v2_chunk(4096, 4, 8, 132) == 64 &&
             attention_v2_chunk(1041, 4, 8, 132) == 32,
         "ATTN_V2: chunks of the 7B and 1B shapes on 132 SMs");

  // The kernel's partition. Query vector qv of a KV head (row * group + head in group) goes to block
  // qv / per_block, warp group (qv % per_block) / 4: independent of the row count.
  bool queries_once = true, tiles_once = true, row_independent = true;
  for (int32_t group : {1, 2, 3, 4, 8}) {
    const int32_t per_block = attention_v2_queries_per_block(group), P = attention_v2_position_groups(group);
    for (int32_t rows : {1, 2, 5, 16, 64}) {
      const int32_t queries = rows * group, blocks = (queries + per_block - 1) / per_block;
      std::vector<int> seen(size_t(queries), 0);
      for (int32_t b = 0; b < blocks; ++b) {
        const int32_t q_count = std::min(per_block, queries - b * per_block);
        for (int32_t qi = 0; qi < q_count; ++qi) ++seen[size_t(b * per_block + qi)];
      }
      for (int v : seen) queries_once &= v == 1;
    }
    // Positions of one split: position group pg takes tiles s0 + 32 pg + 32 P j below s_end.
    for (int32_t chunk : {attention_v2_step(group), 4 * attention_v2_step(group)}) {
      for (int32_t length : {0, 5, 100, 1000}) {
        for (int32_t split = 0; split * chunk <= length + 64; ++split) {
          const int32_t s0 = split * chunk;
          for (int32_t last_row : {0, 3, 63}) {
            const int32_t s_end = std::min(s0 + chunk, length + last_row + 1);
            if (s0 >= s_end) continue;
            std::vector<int> seen(size_t(s_end - s0), 0);
            for (int32_t pg = 0; pg < P; ++pg) {
              for (int32_t base = s0 + pg * kAttentionTile; base < s_end; base += P * kAttentionTile) {
                for (int32_t j = 0; j < kAttentionTile && base + j < s_end; ++j) ++seen[size_t(base + j - s0)];
              }
            }
            for (int v : seen) tiles_once &= v == 1;
            // Row 0's visible tiles (and the positions it sees) are the same with 1 row or last_row + 1.
            const int32_t s_end_alone = std::min(s0 + chunk, length + 1);  // the kernel's s_end for one row
            const int32_t visible_alone = std::min(s_end_alone, length + 1),
                          visible_block = std::min(s_end, length + 1);
            row_independent &= visible_alone == visible_block;
            for (int32_t pg = 0; pg < P; ++pg) {
              std::set<int32_t> alone, block;
              for (int32_t base = s0 + pg * kAttentionTile; base < s_end_alone; base += P * kAttentionTile) {
                if (base < visible_alone) alone.insert(base);
              }
              for (int32_t base = s0 + pg * kAttentionTile; base < s_end; base += P * kAttentionTile) {
                if (base < visible_block) block.insert(base);
              }
              row_independent &= alone == block;
            }
          }
        }
      }
    }
  }
  expect(queries_once, "ATTN_V2: query blocks cover every query vector once");
  expect(tiles_once, "ATTN_V2: position groups cover every position of a split once");
  expect(row_independent, "ATTN_V2: a row's tiles do not depend on how many rows share the block");
}

void check_switch_parsing(Expect expect) {
  using namespace cllm::cuda;
  const char* names[] = {"CLLM_CUDA_PDL", "CLLM_CUDA_ROPE_TABLE", "CLLM_CUDA_ROW_SPREAD", "CLLM_CUDA_ATTN_V2",
                         "CLLM_CUDA_GEMM_PREFETCH"};
  for (const char* n : names) unsetenv(n);
  SpeedSwitches off = speed_switches_from_environment(9, 12080);
  expect(
      !off.pdl && !off.pdl_requested && !off.rope_table && !off.row_spread && !off.attention_v2 && !off.gemm_prefetch,
      "switches: all off by default");
  for (const char* n : names) setenv(n, "1", 1);
  SpeedSwitches on = speed_switches_from_environment(9, 12030);
  expect(on.pdl && on.rope_table && on.row_spread && on.attention_v2 && on.gemm_prefetch, "switches: all on with =1");
  expect(!speed_switches_from_environment(8, 12080).pdl && speed_switches_from_environment(8, 12080).pdl_requested,
         "switches: PDL stays off below compute capability 9.0");
  expect(!speed_switches_from_environment(9, 12020).pdl, "switches: PDL stays off with a driver older than 12.3");
  expect(describe(speed_switches_from_environment(8, 12080)).find("requested") != std::string::npos,
         "switches: the verbose line says when PDL was requested but is unavailable");
  setenv("CLLM_CUDA_ATTN_V2", "yes", 1);
  bool rejected = false;
  try {
    speed_switches_from_environment(9, 12080);
  } catch (const cllm::Error& e) {
    rejected = e.status() == CLLM_ERR_INVALID_ARGUMENT && std::strstr(e.what(), "CLLM_CUDA_ATTN_V2") != nullptr;
  }
  expect(rejected, "switches: a value other than 0/1 is rejected with the variable's name");
  setenv("CLLM_CUDA_ATTN_V2", "0", 1);
  expect(!speed_switches_from_environment(9, 12080).attention_v2, "switches: =0 is off");
  for (const char* n : names) unsetenv(n);
}

inline void run_all(Expect expect) {
  check_gemm_schedule<2>(expect);
  check_gemm_schedule<4>(expect);
  check_row_spread(expect);
  check_rope_table(expect);
  check_attention_v2(expect);
  check_switch_parsing(expect);
}

}  // namespace switch_checks
