// The thread pool front ends create and hand to the engine (Session, solve, solve_many): the one public piece of
// the compute layer. Kernels (engine/src/kernels/kernels.h) and XNNPACK run their parallel work on it.
#pragma once
#include <cstddef>
#include <type_traits>

struct pthreadpool;

namespace ptrm {

// A pthreadpool shared by XNNPACK and the elementwise kernels. threads = 0 → one per hardware thread;
// threads = 1 → no worker threads (everything runs on the caller).
class ThreadPool {
 public:
  explicit ThreadPool(int threads = 0);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;
  int threads() const { return threads_; }
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
    run_tiled(n, grain, [](void* c, size_t begin, size_t len) { (*static_cast<Fn*>(c))(begin, begin + len); },
              const_cast<void*>(static_cast<const void*>(&fn)));
  }

 private:
  void run_tiled(size_t n, size_t tile, void (*task)(void*, size_t, size_t), void* ctx);
  pthreadpool* pool_ = nullptr;
  int threads_ = 1;
};

}  // namespace ptrm
