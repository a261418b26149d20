#include "machine_load.hpp"

#include <time.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "timing.hpp"

namespace cllm::bench {

CpuSample sample_cpu() {
  CpuSample s;
  s.wall_seconds = now_seconds();
  timespec self{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &self);
  s.self_seconds = double(self.tv_sec) + double(self.tv_nsec) * 1e-9;
  std::ifstream stat("/proc/stat");
  std::string cpu;
  long long user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
  if (stat >> cpu >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal && cpu == "cpu") {
    s.busy_seconds = double(user + nice + system + irq + softirq + steal) / double(sysconf(_SC_CLK_TCK));
  }
  return s;
}

double other_busy_cores(const CpuSample& before, const CpuSample& after) {
  const double wall = after.wall_seconds - before.wall_seconds;
  if (before.busy_seconds < 0 || after.busy_seconds < 0 || wall <= 0) return -1;
  const double other = (after.busy_seconds - before.busy_seconds) - (after.self_seconds - before.self_seconds);
  return other > 0 ? other / wall : 0;
}

}  // namespace cllm::bench
