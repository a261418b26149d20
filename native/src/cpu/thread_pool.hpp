// The CPU backend's thread pool: one per process, replacing OpenMP (libcllm links no OpenMP runtime).
//
// parallel_for(count, work, fn, context) splits [0, count) into contiguous parts whose boundaries depend
// only on count and the thread count, and runs fn(context, begin, end) once per part: the calling thread
// and the pool's workers claim parts in turn until none is left, then the call returns. Every index is
// visited exactly once. The kernels compute each output element inside one fn call in a fixed order, so
// results are bit-identical whatever the thread count or whichever thread ran a part.
//
// Why not OpenMP: its workers busy-wait at every barrier, and a barrier waits for every team member. When
// another process holds a core, a preempted member makes all others wait out its time slice: a 1-token
// forward of the 110M model went from 15 ms to 584 ms with one busy process on 2 cores. OMP_WAIT_POLICY
// cannot be set from inside a library in a JVM. Here:
//   - workers spin briefly (tens of microseconds, with a pause instruction) after their last part, then
//     sleep on a futex: an idle process costs nothing;
//   - the caller never waits for a worker that has not started: parts nobody claimed yet are run by the
//     caller itself, so a preempted or sleeping worker costs at most the part it is running;
//   - a part is one of a few per thread, so that part is small;
//   - whether workers pay off at all depends on what else runs on the machine, so the pool measures it:
//     eligible jobs alternate, now and then, between the current team size and one thread fewer (or
//     more) for a few dozen jobs each, and the team with more work done per wall-clock second wins
//     (thread_pool.cpp: Pool::admit). With other processes holding the cores the team settles at one
//     thread, and a forward runs at single-thread speed; on an idle machine all threads stay in use.
//
// Runs fn(context, 0, count) on the calling thread instead (no hand-off at all) when count <= 1, when
// `work` (the caller's estimate of the whole range's cost in multiply-adds) is below kParallelMinWork,
// when one thread is configured or the team is down to one (above), inside another parallel_for
// (nested calls), and when the pool is busy with another caller's parallel_for (two sessions forwarding
// on two threads: the second does not wait for the first). None of these can deadlock. A job uses at
// most one thread per kParallelMinWork / 2 of work.
//
// An exception thrown by fn in any thread is caught there; the remaining parts are skipped and the
// first exception is rethrown by parallel_for on the calling thread after every running part finished.
//
// This header is included by the per-ISA kernel sources too: declarations only (see simd.hpp).
#pragma once

#include <cstdint>

namespace cllm::cpu {

using RangeFn = void (*)(void* context, int64_t begin, int64_t end);

void parallel_for(int64_t count, int64_t work, RangeFn fn, void* context);

// Below this much work (multiply-adds or comparable element operations) a parallel_for runs inline:
// handing a part to a worker costs about a microsecond, a sleeping worker tens.
constexpr int64_t kParallelMinWork = int64_t(1) << 16;

// Threads a parallel_for uses at most, the calling thread included (>= 1).
int32_t num_threads();
// n >= 1: use n threads from the next parallel_for on; n == 0: back to default_num_threads().
// Takes effect at the next parallel_for that finds the pool idle (workers start or stop there).
void set_num_threads(int32_t n);
// CLLM_NUM_THREADS, else the first number of OMP_NUM_THREADS (accepted for compatibility), else the
// CPUs of this process's affinity mask; read once, at the first call.
int32_t default_num_threads();
constexpr int32_t kMaxThreads = 1024;

// Whether the pool adapts its team to what pays off (thread_pool.cpp: Pool::admit), on by
// default. Off: every parallel_for uses num_threads() (tests that must exercise a given thread count,
// benchmark comparisons). Returns the previous setting.
bool set_adaptive(bool on);

// Marks a forward in progress. parallel_for gives each of the forwards running at one moment an equal
// share of num_threads(): two sessions forwarding on two threads on 2 cores then run one thread each
// instead of three threads fighting over two cores.
class ForwardScope {
 public:
  ForwardScope();
  ~ForwardScope();
  ForwardScope(const ForwardScope&) = delete;
  ForwardScope& operator=(const ForwardScope&) = delete;
};

}  // namespace cllm::cpu
