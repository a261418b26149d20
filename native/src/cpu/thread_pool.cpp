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
  { std::lock_guard<std::mutex> lock(sleep_mutex); }
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
      return p;
    }();
    return *pool;
  }

  // The team a job may use now: `wanted`, capped by what contention allows (see run: stalls lower the
  // cap; after a back-off without stalls it rises again by one).
  int32_t admit(int32_t wanted) {
    if (!adaptive.load(std::memory_order_relaxed)) return wanted;
    int32_t cap = cap_.load(std::memory_order_relaxed);
    if (cap >= wanted) return wanted;
    const int64_t now = now_ns();
    int64_t due = raise_at_ns_.load(std::memory_order_relaxed);
    if (now >= due && raise_at_ns_.compare_exchange_strong(due, now + backoff_ns_.load(std::memory_order_relaxed),
                                                             std::memory_order_relaxed)) {
      raises_.fetch_add(1, std::memory_order_relaxed);
      cap_.compare_exchange_strong(cap, cap + 1, std::memory_order_relaxed);
      cap = cap_.load(std::memory_order_relaxed);
    }
    return cap < wanted ? cap : wanted;
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
    const int64_t start = now_ns();
    epoch_.fetch_add(1, std::memory_order_seq_cst);
    if (sleepers_.load(std::memory_order_seq_cst) > 0) {
      for (int32_t i = 0; i < helpers; ++i) wake(*slots_[size_t(i)]);
    }
    const uint32_t mine = work();
    const int64_t own_done = now_ns();
    if (!spin_until([&] { return done_.load(std::memory_order_acquire) == parts; })) {
      waiting_.store(1, std::memory_order_seq_cst);
      for (uint32_t d; (d = done_.load(std::memory_order_seq_cst)) != parts;) sleep_while_equal(done_, d);
      waiting_.store(0, std::memory_order_relaxed);
    }
    judge(team, parts, mine, own_done - start, now_ns() - own_done);
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

  static constexpr int64_t kStallSlackNs = 20'000;
  static constexpr int32_t kWindow = 16;  // jobs per verdict on the workers' usefulness
  static constexpr int64_t kMinBackoffNs = 1'000'000;
  static constexpr int64_t kMaxBackoffNs = 256'000'000;

  Pool() = default;

  static void wake(Slot& slot) {
    if (slot.sleeping.load(std::memory_order_seq_cst)) {
      slot.wakeup.store(1, std::memory_order_seq_cst);
      wake_all(slot.wakeup);
    }
  }

  // Whether the workers paid off in a job the caller ran `mine` of `parts` parts of, working `own` ns,
  // then waiting `wait` ns for the workers' last parts. Two ways they do not:
  //   - a stall: the caller waited longer than it worked. A worker was preempted (another process wants
  //     its core) or slow to wake, and the job would have been faster on fewer threads;
  //   - no gain: the caller's own pace over all parts (own * parts / mine, the job alone) is not clearly
  //     slower than the job took. The workers hardly ran: they share a core with the caller or with
  //     another process, and their spinning only takes time from the caller.
  // A stall, or no gain in most jobs of a window, lowers the team cap by one; admit raises it again
  // after a back-off: twice as long each time the verdict comes within two windows of a raise
  // (sustained contention), short again when it comes after 16 good windows (an isolated one).
  void judge(int32_t team, uint32_t parts, uint32_t mine, int64_t own, int64_t wait) {
    const bool stall = wait > own + kStallSlackNs;
    const bool no_gain = mine > 0 && double(own) * parts < 1.15 * double(own + wait) * mine;
    const uint32_t raises = raises_.load(std::memory_order_relaxed);
    jobs_since_raise_ = raises == raises_seen_ ? jobs_since_raise_ + 1 : 1;
    raises_seen_ = raises;
    window_jobs_ += 1;
    window_no_gain_ += no_gain ? 1 : 0;
    bool lower = stall;
    if (window_jobs_ == kWindow) {
      lower = lower || 2 * window_no_gain_ > kWindow;
      window_jobs_ = window_no_gain_ = 0;
    }
    if (!lower) return;
    window_jobs_ = window_no_gain_ = 0;
    const int64_t now = now_ns(), backoff = backoff_ns_.load(std::memory_order_relaxed);
    const int64_t next = jobs_since_raise_ <= 2 * kWindow    ? (2 * backoff < kMaxBackoffNs ? 2 * backoff : kMaxBackoffNs)
                         : jobs_since_raise_ > 16 * kWindow ? kMinBackoffNs
                                                            : backoff;
    backoff_ns_.store(next, std::memory_order_relaxed);
    raise_at_ns_.store(now + next, std::memory_order_relaxed);
    cap_.store(team - 1, std::memory_order_relaxed);
  }

  // Claims and runs parts of the current job until none is left; returns how many it ran.
  uint32_t work() {
    for (uint32_t ran = 0;; ++ran) {
      const uint64_t claim = claim_.fetch_add(1, std::memory_order_acq_rel);
      const uint32_t part = uint32_t(claim), parts = uint32_t(claim >> 32);
      if (part >= parts) return ran;
      const Job job = job_;  // stable until this part is counted done
      if (!failed_.load(std::memory_order_relaxed)) {
        try {
          job.fn(job.context, job.count * part / parts, job.count * (part + 1) / parts);
        } catch (...) {
          bool first = false;
          if (failed_.compare_exchange_strong(first, true, std::memory_order_acq_rel)) error_ = std::current_exception();
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
    cap_.store(target + 1, std::memory_order_relaxed);
    backoff_ns_.store(kMinBackoffNs, std::memory_order_relaxed);
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
  int32_t window_jobs_ = 0, window_no_gain_ = 0;
  uint32_t raises_seen_ = 0;
  int64_t jobs_since_raise_ = 0;
  std::atomic<int32_t> live_{0};              // workers with a smaller index keep running
  std::atomic<int32_t> helpers_{0};           // workers with a smaller index take part in the current job
  std::atomic<int32_t> cap_{kMaxThreads};     // team size contention allows now
  std::atomic<int64_t> backoff_ns_{kMinBackoffNs};
  std::atomic<int64_t> raise_at_ns_{0};       // when admit may raise cap_ by one
  std::atomic<uint32_t> raises_{0};          // times admit raised cap_
  alignas(64) std::atomic<uint64_t> claim_{0};  // (parts << 32) | next part
  alignas(64) Word done_{0};                    // parts finished
  Word waiting_{0};                             // the caller sleeps on done_
  alignas(64) Word epoch_{0};                   // bumped per job and per resize
  std::atomic<int32_t> sleepers_{0};            // workers asleep (or about to be)
};

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
    team = pool.admit(team);
    if (team > 1 && pool.try_acquire()) return pool.run(count, team, fn, context);
  }
  const InsideScope inside;
  fn(context, 0, count);
}

ForwardScope::ForwardScope() { forwards_running.fetch_add(1, std::memory_order_relaxed); }
ForwardScope::~ForwardScope() { forwards_running.fetch_sub(1, std::memory_order_relaxed); }

}  // namespace cllm::cpu
