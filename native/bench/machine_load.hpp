// How busy the rest of the machine was while the benchmark ran: CPU timings on a shared host are only
// meaningful when other processes leave the cores alone (the load average would count our own threads).
#pragma once

namespace cllm::bench {

struct CpuSample {
  double busy_seconds = -1;  // all CPUs, all processes (/proc/stat); < 0 where unavailable
  double self_seconds = 0;   // this process
  double wall_seconds = 0;
};

CpuSample sample_cpu();
// Average number of cores other processes kept busy between two samples, or -1 where unknown.
double other_busy_cores(const CpuSample& before, const CpuSample& after);

}  // namespace cllm::bench
