// The process-wide thread pool of thread_pool.hpp (compiled once, for the baseline ISA).
//
// Protocol. One caller at a time owns the pool (busy_). It writes the job (fn, context, count), resets
// the counters, then publishes the claim word: (parts << 32) | next part = 0. Every participant, the
// caller included, claims parts with one fetch_add on that word; a claim is valid when its part index
// is below the part count packed in the same word, so a late worker still holding a view of an earlier
// job can only ever claim a part of the job published now, and reads the job's fields only after a
// valid claim (they cannot change before that part is counted done). The caller returns once `done_`
// reaches the part count, so no worker touches the caller's context after parallel_for returned.
// Workers learn of a new job from epoch_ (spin, then futex sleep); the caller wakes them only when one
// sleeps. The caller sleeps on done_ the same way when its wait outlasts the spin.
#include "thread_pool.hpp"

#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <thread>
#include <vector>

#if defined(__linux__)
#include <linux/futex.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>
#else
#include <condition_variable>
#include <mutex>
#endif

namespace cllm::cpu {
namespace {

// Parts per participating thread: more parts bound what a preempted worker can hold up (one part) and
// balance uneven progress; fewer keep each thread's weight stream contiguous. See README measurements.
constexpr int32_t kPartsPerThread = 4;
// How long a worker spins for the next job, and the caller for the workers' last parts, before sleeping.
// Jobs of one forward follow each other within microseconds; a forward's last job ends its spin.
constexpr std::chrono::microseconds kSpin{50};

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield" ::: "memory");
#endif
}

using Word = std::atomic<uint32_t>;
static_assert(sizeof(Word) == sizeof(uint32_t) && Word::is_always_lock_free, "futex words are plain 32-bit words");

#if defined(__linux__)
// Sleeps while word == value (returns at once otherwise); may return spuriously.
void sleep_while_equal(Word& word, uint32_t value) {
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(&word), FUTEX_WAIT_PRIVATE, value, nullptr, nullptr, 0);
}
void wake_all(Word& word) {
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(&word), FUTEX_WAKE_PRIVATE, INT_MAX, nullptr, nullptr, 0);
}
#else
std::mutex sleep_mutex;
std::condition_variable sleep_cv;
void sleep_while_equal(Word& word, uint32_t value) {
  std::unique_lock<std::mutex> lock(sleep_mutex);
  if (word.load() == value) sleep_cv.wait(lock);
}
void wake_all(Word&) {
  {
    std::lock_guard<std::mutex> lock(sleep_mutex);
  }
  sleep_cv.notify_all();
}
#endif

// Spins (pause instruction) until done() or kSpin has passed; returns done().
template <typename Done>
bool spin_until(const Done& done) {
  if (done()) return true;
  const auto deadline = std::chrono::steady_clock::now() + kSpin;
  for (;;) {
    for (int i = 0; i < 16; ++i) {
      cpu_relax();
      if (done()) return true;
    }
    if (std::chrono::steady_clock::now() >= deadline) return done();
  }
}

// True on pool workers always, and on a caller while it runs parts: parallel_for there runs inline.
thread_local bool inside_parallel = false;

class InsideScope {
 public:
  InsideScope() : was_(inside_parallel) { inside_parallel = true; }
  ~InsideScope() { inside_parallel = was_; }
  InsideScope(const InsideScope&) = delete;
  InsideScope& operator=(const InsideScope&) = delete;

 private:
  bool was_;
};

std::atomic<int32_t> requested_threads{0};  // set_num_threads; 0: default
std::atomic<bool> adaptive{true};
std::atomic<int32_t> forwards_running{0};

// The first number of a list such as OMP_NUM_THREADS ("4" or "4,2"), or 0 when there is none.
int32_t parse_count(const char* text) {
  if (!text) return 0;
  char* end = nullptr;
  const long value = std::strtol(text, &end, 10);
  if (end == text || (*end && *end != ',') || value < 1) return 0;
  return value > kMaxThreads ? kMaxThreads : int32_t(value);
}

int32_t cpus_available() {
#if defined(__linux__)
  for (int cpus = 1024; cpus <= (1 << 16); cpus *= 4) {  // sets larger than cpu_set_t on huge machines
    cpu_set_t* set = CPU_ALLOC(cpus);
    if (!set) break;
    const size_t bytes = CPU_ALLOC_SIZE(cpus);
    CPU_ZERO_S(bytes, set);
    const bool ok = sched_getaffinity(0, bytes, set) == 0;
    const int count = ok ? CPU_COUNT_S(bytes, set) : 0;
    CPU_FREE(set);
    if (ok) return count;
  }
#endif
  return int32_t(std::thread::hardware_concurrency());
}

int32_t compute_default_threads() {
  if (const char* text = std::getenv("CLLM_NUM_THREADS"); text && *text) {
    if (const int32_t n = parse_count(text)) return n;
    std::fprintf(stderr, "cllm: ignoring CLLM_NUM_THREADS=%s (expected a positive integer)\n", text);
  } else if (const int32_t n = parse_count(std::getenv("OMP_NUM_THREADS"))) {
    return n;
  }
  const int32_t cpus = cpus_available();
  return cpus < 1 ? 1 : cpus > kMaxThreads ? kMaxThreads : cpus;
}

using Clock = std::chrono::steady_clock;

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

class Pool {
 public:
  // Never destroyed: workers may still sleep in the futex when the process exits.
  static Pool& instance() {
    static Pool* pool = [] {
      auto* p = new Pool;
      pthread_atfork(nullptr, nullptr, [] { instance().forget_workers_after_fork(); });
      created.store(p, std::memory_order_release);
      return p;
    }();
    return *pool;
  }

  static std::atomic<Pool*> created;  // instance(), once it exists

  // The team an eligible job (enough work for several threads) may use now: `wanted`, capped by the
  // controller below. Also feeds the controller's throughput meter.
  //
  // Controller. Whether more threads pay off depends on what else runs on the machine, and the only
  // reliable judge is the wall clock: every eligible job adds its work (multiply-adds) and the wall time
  // since the previous eligible job started (gaps above kGapNs count as kGapNs: idle periods between
  // forwards are not the threads' doing) to a meter. The team cap in force (cap_) is used for
  // exploit_len_ jobs; then at least kProbeJobs jobs run with an alternative cap (one thread fewer or
  // more) and as many with the current one again, and the faster of the two, by work per wall time, is
  // kept: more threads must win by 5%, fewer threads only must not lose (a band against flip-flopping
  // on noise; fewer threads burn less CPU). A kept cap doubles the next
  // exploit_len_ (up to kMaxExploit), a change resets it. Phases end where a forward ends (ForwardScope),
  // so that both phases of an experiment see whole forwards, the same mix of jobs (a forward's jobs
  // differ in size and speed; the output head alone can be a third of the work); without forwards, after
  // kUnalignedJobs more. On an idle machine the alternative (fewer threads) loses clearly and costs a
  // forward or two at lower speed every kMaxExploit jobs; where other processes hold the cores the team
  // settles at one thread, and tries two now and then.
  int32_t admit(int32_t wanted, int64_t work) {
    if (!adaptive.load(std::memory_order_relaxed)) return wanted;
    const int64_t now = now_ns();
    const int64_t gap = now - last_job_ns_.exchange(now, std::memory_order_relaxed);
    meter_ns_.fetch_add(gap < 0 || gap > kGapNs ? kGapNs : gap, std::memory_order_relaxed);
    meter_work_.fetch_add(work, std::memory_order_relaxed);
    const uint64_t n = jobs_.fetch_add(1, std::memory_order_relaxed) + 1;
    if (n >= phase_end_.load(std::memory_order_relaxed) + kUnalignedJobs) try_advance(false);
    const int32_t cap = phase_cap_.load(std::memory_order_relaxed);
    return cap < wanted ? cap : wanted;
  }

  // A forward ended (ForwardScope): the place where the controller's phases change.
  void forward_ended() {
    if (adaptive.load(std::memory_order_relaxed) &&
        jobs_.load(std::memory_order_relaxed) >= phase_end_.load(std::memory_order_relaxed)) {
      try_advance(true);
    }
  }

  bool try_acquire() { return !busy_.exchange(true, std::memory_order_acquire); }

  // Runs the job with `team` participants at most (the caller and team - 1 workers); the pool must be
  // acquired, and is released before this returns or throws.
  void run(int64_t count, int32_t team, RangeFn fn, void* context) {
    struct Release {
      Pool* pool;
      ~Release() { pool->busy_.store(false, std::memory_order_release); }
    } release{this};
    const InsideScope inside;
    resize(num_threads() - 1);
    const int32_t helpers = team - 1 < int32_t(workers_.size()) ? team - 1 : int32_t(workers_.size());
    const int64_t max_parts = int64_t(team) * kPartsPerThread;
    const uint32_t parts = uint32_t(count < max_parts ? count : max_parts);
    job_ = Job{fn, context, count};
    error_ = nullptr;
    failed_.store(false, std::memory_order_relaxed);
    done_.store(0, std::memory_order_relaxed);
    helpers_.store(helpers, std::memory_order_relaxed);
    claim_.store(uint64_t(parts) << 32, std::memory_order_release);
    epoch_.fetch_add(1, std::memory_order_seq_cst);
    if (sleepers_.load(std::memory_order_seq_cst) > 0) {
      for (int32_t i = 0; i < helpers; ++i) wake(*slots_[size_t(i)]);
    }
    work();
    if (!spin_until([&] { return done_.load(std::memory_order_acquire) == parts; })) {
      waiting_.store(1, std::memory_order_seq_cst);
      for (uint32_t d; (d = done_.load(std::memory_order_seq_cst)) != parts;) sleep_while_equal(done_, d);
      waiting_.store(0, std::memory_order_relaxed);
    }
    if (failed_.load(std::memory_order_acquire)) std::rethrow_exception(error_);
  }

 private:
  struct Job {
    RangeFn fn;
    void* context;
    int64_t count;
  };

  // Per worker: its futex word for sleeping (so that a job wakes only the workers it uses).
  struct alignas(64) Slot {
    Word wakeup{0};
    std::atomic<int32_t> sleeping{0};
  };

  static constexpr int64_t kGapNs = 2'000'000;
  static constexpr uint64_t kProbeJobs = 24, kMinExploit = 64, kMaxExploit = 4096, kUnalignedJobs = 1024;

  Pool() = default;

  static void wake(Slot& slot) {
    if (slot.sleeping.load(std::memory_order_seq_cst)) {
      slot.wakeup.store(1, std::memory_order_seq_cst);
      wake_all(slot.wakeup);
    }
  }

  enum class Phase { exploit, alternative, current };

  void restart_controller() {
    while (phase_lock_.exchange(true, std::memory_order_acquire)) cpu_relax();  // holders never block
    cap_.store(kMaxThreads, std::memory_order_relaxed);
    phase_cap_.store(kMaxThreads, std::memory_order_relaxed);
    phase_ = Phase::exploit;
    exploit_len_ = kMinExploit;
    phase_end_.store(jobs_.load(std::memory_order_relaxed) + kProbeJobs, std::memory_order_relaxed);
    phase_lock_.store(false, std::memory_order_release);
  }

  void try_advance(bool at_forward_end) {
    if (phase_lock_.exchange(true, std::memory_order_acquire)) return;  // another thread does it
    const uint64_t n = jobs_.load(std::memory_order_relaxed);
    if (n >= phase_end_.load(std::memory_order_relaxed)) {
      if (at_forward_end) {  // the forward's tail since its last job belongs to this phase
        const int64_t now = now_ns(), gap = now - last_job_ns_.exchange(now, std::memory_order_relaxed);
        meter_ns_.fetch_add(gap < 0 || gap > kGapNs ? kGapNs : gap, std::memory_order_relaxed);
      }
      advance(n);
    }
    phase_lock_.store(false, std::memory_order_release);
  }

  // Ends the controller's phase at eligible job n (one thread at a time: phase_lock_).
  void advance(uint64_t n) {
    const int64_t work = meter_work_.load(std::memory_order_relaxed), ns = meter_ns_.load(std::memory_order_relaxed);
    const double rate = double(work - phase_work_) / double(ns - phase_ns_ > 0 ? ns - phase_ns_ : 1);
    phase_work_ = work;
    phase_ns_ = ns;
    const int32_t cap = cap_.load(std::memory_order_relaxed), threads = num_threads();
    switch (phase_) {
      case Phase::exploit:
        if (threads < 2) break;
        alternative_ = cap >= threads ? threads - 1 : cap <= 1 ? 2 : try_more_ ? cap + 1 : cap - 1;
        try_more_ = !try_more_;
        phase_ = Phase::alternative;
        phase_cap_.store(alternative_, std::memory_order_relaxed);
        phase_end_.store(n + kProbeJobs, std::memory_order_relaxed);
        return;
      case Phase::alternative:
        alternative_rate_ = rate;
        phase_ = Phase::current;
        phase_cap_.store(cap, std::memory_order_relaxed);
        phase_end_.store(n + kProbeJobs, std::memory_order_relaxed);
        return;
      case Phase::current: {
        const bool better = alternative_ > cap ? alternative_rate_ > 1.05 * rate : alternative_rate_ >= rate;
        if (better) cap_.store(alternative_, std::memory_order_relaxed);
        exploit_len_ = better ? kMinExploit : 2 * exploit_len_ < kMaxExploit ? 2 * exploit_len_ : kMaxExploit;
        break;
      }
    }
    phase_ = Phase::exploit;
    phase_cap_.store(cap_.load(std::memory_order_relaxed), std::memory_order_relaxed);
    phase_end_.store(n + exploit_len_, std::memory_order_relaxed);
  }

  // Claims and runs parts of the current job until none is left.
  void work() {
    for (;;) {
      const uint64_t claim = claim_.fetch_add(1, std::memory_order_acq_rel);
      const uint32_t part = uint32_t(claim), parts = uint32_t(claim >> 32);
      if (part >= parts) return;
      const Job job = job_;  // stable until this part is counted done
      if (!failed_.load(std::memory_order_relaxed)) {
        try {
          job.fn(job.context, job.count * part / parts, job.count * (part + 1) / parts);
        } catch (...) {
          bool first = false;
          if (failed_.compare_exchange_strong(first, true, std::memory_order_acq_rel))
            error_ = std::current_exception();
        }
      }
      if (done_.fetch_add(1, std::memory_order_seq_cst) + 1 == parts && waiting_.load(std::memory_order_seq_cst)) {
        wake_all(done_);
      }
    }
  }

  void worker_main(int32_t index) {
    inside_parallel = true;
#if defined(__linux__)
    char name[16];
    std::snprintf(name, sizeof name, "cllm-pool-%u", unsigned(index + 1) % 10000u);  // 15 characters at most
    pthread_setname_np(pthread_self(), name);
#endif
    Slot& slot = *slots_[size_t(index)];
    uint32_t seen = epoch_.load(std::memory_order_acquire);
    // A new epoch that concerns this worker: a job it helps with, or a resize that stops it.
    auto called = [&] {
      const uint32_t epoch = epoch_.load(std::memory_order_seq_cst);
      if (epoch == seen) return false;
      seen = epoch;
      return index < helpers_.load(std::memory_order_relaxed) || index >= live_.load(std::memory_order_acquire);
    };
    for (;;) {
      if (index >= live_.load(std::memory_order_acquire)) return;
      if (index < helpers_.load(std::memory_order_relaxed)) work();
      if (spin_until(called)) continue;
      sleepers_.fetch_add(1, std::memory_order_seq_cst);
      for (;;) {
        slot.wakeup.store(0, std::memory_order_seq_cst);
        slot.sleeping.store(1, std::memory_order_seq_cst);
        const bool go = called();
        if (!go) sleep_while_equal(slot.wakeup, 0);
        slot.sleeping.store(0, std::memory_order_relaxed);
        if (go || called()) break;
      }
      sleepers_.fetch_sub(1, std::memory_order_relaxed);
    }
  }

  // Starts or stops workers (the pool is owned by the caller; no job runs). A worker that cannot be
  // created is not retried until the thread count changes: the pool works with the ones it has.
  void resize(int32_t target) {
    if (target == target_) return;
    target_ = target;
    restart_controller();  // a new thread count starts with all threads
    const int32_t have = int32_t(workers_.size());
    if (target < have) {
      live_.store(target, std::memory_order_release);
      epoch_.fetch_add(1, std::memory_order_seq_cst);
      for (int32_t i = target; i < have; ++i) wake(*slots_[size_t(i)]);
      for (int32_t i = target; i < have; ++i) workers_[size_t(i)].join();
      workers_.resize(size_t(target));
      return;
    }
    live_.store(target, std::memory_order_release);
    // Workers block asynchronous signals (SIGINT, SIGQUIT, ...), so that the host process (a JVM) gets
    // them on its own threads; faults still reach its handlers.
    sigset_t all, old;
    sigfillset(&all);
    for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGABRT}) sigdelset(&all, sig);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    try {
      workers_.reserve(size_t(target));
      while (slots_.size() < size_t(target)) slots_.push_back(std::make_unique<Slot>());
      for (int32_t i = have; i < target; ++i) workers_.emplace_back(&Pool::worker_main, this, i);
    } catch (...) {  // no more threads: go on with those that started
    }
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
    live_.store(int32_t(workers_.size()), std::memory_order_release);
  }

  // In a child process after fork() only the forking thread exists: drop the workers' handles without
  // touching them (destroying a joinable std::thread would terminate) and start afresh.
  void forget_workers_after_fork() {
    new std::vector<std::thread>(std::move(workers_));  // leaked on purpose
    workers_.clear();
    for (auto& slot : slots_) slot = std::make_unique<Slot>();
    target_ = 0;
    live_.store(0);
    helpers_.store(0);
    sleepers_.store(0);
    waiting_.store(0);
    claim_.store(0);
    busy_.store(false);
  }

  std::atomic<bool> busy_{false};
  Job job_{};
  std::exception_ptr error_;
  std::atomic<bool> failed_{false};
  std::vector<std::thread> workers_;
  std::vector<std::unique_ptr<Slot>> slots_;  // never shrinks: a stopping worker may still touch its slot
  int32_t target_ = 0;                        // workers wanted at the last resize
  std::atomic<int32_t> live_{0};              // workers with a smaller index keep running
  std::atomic<int32_t> helpers_{0};           // workers with a smaller index take part in the current job
  // The controller (admit): cap_ is the team cap chosen, phase_cap_ the one in force now.
  std::atomic<int32_t> cap_{kMaxThreads}, phase_cap_{kMaxThreads};
  std::atomic<uint64_t> jobs_{0}, phase_end_{kProbeJobs};  // the first experiment comes early
  std::atomic<int64_t> meter_work_{0}, meter_ns_{0}, last_job_ns_{0};
  std::atomic<bool> phase_lock_{false};
  Phase phase_ = Phase::exploit;  // the rest: phase_lock_ holder only
  int64_t phase_work_ = 0, phase_ns_ = 0;
  uint64_t exploit_len_ = kMinExploit;
  int32_t alternative_ = 1;
  double alternative_rate_ = 0;
  bool try_more_ = false;
  alignas(64) std::atomic<uint64_t> claim_{0};  // (parts << 32) | next part
  alignas(64) Word done_{0};                    // parts finished
  Word waiting_{0};                             // the caller sleeps on done_
  alignas(64) Word epoch_{0};                   // bumped per job and per resize
  std::atomic<int32_t> sleepers_{0};            // workers asleep (or about to be)
};

std::atomic<Pool*> Pool::created{nullptr};

}  // namespace

int32_t default_num_threads() {
  static const int32_t threads = compute_default_threads();
  return threads;
}

int32_t num_threads() {
  const int32_t requested = requested_threads.load(std::memory_order_relaxed);
  return requested > 0 ? requested : default_num_threads();
}

void set_num_threads(int32_t n) {
  requested_threads.store(n < 0 ? 0 : n > kMaxThreads ? kMaxThreads : n, std::memory_order_relaxed);
}

bool set_adaptive(bool on) { return adaptive.exchange(on); }

void parallel_for(int64_t count, int64_t work, RangeFn fn, void* context) {
  if (count <= 0) return;
  int32_t team = 1;
  if (count > 1 && work >= kParallelMinWork && !inside_parallel) {
    const int32_t forwards = forwards_running.load(std::memory_order_relaxed);
    team = num_threads() / (forwards > 1 ? forwards : 1);
    // At least half the threshold's work per thread: a small job does not wake 16 workers.
    const int64_t by_work = work / (kParallelMinWork / 2);
    team = by_work < team ? int32_t(by_work) : team;
  }
  if (team > 1) {
    Pool& pool = Pool::instance();
    team = pool.admit(team, work);
    if (team > 1 && pool.try_acquire()) return pool.run(count, team, fn, context);
  }
  const InsideScope inside;
  fn(context, 0, count);
}

ForwardScope::ForwardScope() { forwards_running.fetch_add(1, std::memory_order_relaxed); }
ForwardScope::~ForwardScope() {
  forwards_running.fetch_sub(1, std::memory_order_relaxed);
  if (Pool* pool = Pool::created.load(std::memory_order_acquire)) pool->forward_ended();
}

}  // namespace cllm::cpu
