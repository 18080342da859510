// The thread pool front ends create and hand to the engine (Session, solve, solve_many): the one public piece of
// the compute layer. Kernels (engine/src/kernels/kernels.h) and XNNPACK run their parallel work on it.
#pragma once
#include <cstddef>
#include <type_traits>

struct pthreadpool;

namespace ptrm {

// CPUs this process can really run on: the CPUs of its affinity mask (sched_getaffinity), bounded by its cgroup
// CPU quota (cgroup v2 cpu.max or v1 cfs_quota_us / period, rounded up, the tightest along the cgroup path).
// Under Emscripten: navigator.hardwareConcurrency (the JS side also bounds the pthread pool). At least 1.
int available_cpus();
// The quota of one cgroup v2 `cpu.max` text ("max 100000" or "200000 100000") in CPUs, rounded up; 0 = none.
int cpu_max_quota(const char* cpu_max_text);

// A pthreadpool shared by XNNPACK and the elementwise kernels. threads = 0 → available_cpus(); threads = 1 → no
// worker threads (everything runs on the caller). More threads than available_cpus() are clamped to it: a worker
// without a core of its own stalls every fork-join of a step (XNNPACK runs ~340 per supervision step) until the
// scheduler gets to it, so it only ever loses. `oversubscribe` keeps the exact count (tests that check results do
// not depend on the thread count). Workers spin only briefly before they sleep (cmake/xnnpack.cmake,
// PTRM_POOL_SPIN), so a pool never takes a busy core away from other work for long.
class ThreadPool {
 public:
  explicit ThreadPool(int threads = 0, bool oversubscribe = false);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;
  int threads() const { return threads_; }
  // What the caller asked for (0 = auto); threads() < requested() means it was clamped (front ends say so).
  int requested() const { return requested_; }
  pthreadpool* get() const { return pool_; }
  // Runs fn(begin, end) over [0, n) split into chunks of `grain` items, on the pool's threads and the caller.
  // fn must be safe to run concurrently on disjoint ranges. Small n runs inline (no synchronisation).
  template <class F>
  void parallel_for(size_t n, size_t grain, F&& fn) {
    if (n == 0) return;
    if (grain == 0) grain = 1;
    if (n <= grain || threads() == 1) {
      fn(size_t{0}, n);
      return;
    }
    using Fn = std::remove_reference_t<F>;
    run_tiled(
        n, grain, [](void* c, size_t begin, size_t len) { (*static_cast<Fn*>(c))(begin, begin + len); },
        const_cast<void*>(static_cast<const void*>(&fn)));
  }

 private:
  void run_tiled(size_t n, size_t tile, void (*task)(void*, size_t, size_t), void* ctx);
  pthreadpool* pool_ = nullptr;
  int threads_ = 1;
  int requested_ = 0;
};

}  // namespace ptrm
