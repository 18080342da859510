// ThreadPool: a thin owner of a pthreadpool, shared by XNNPACK operators and our elementwise kernels.
#include <pthreadpool.h>

#include "ptrm/errors.h"
#include "ptrm/threadpool.h"

namespace ptrm {

ThreadPool::ThreadPool(int threads) {
  if (threads < 0 || threads > 256) throw Error(ErrorKind::BadOptions, "threads must be 0 (auto) or 1..256");
  // A 1-thread pool would only add synchronisation; XNNPACK and parallel_for treat a null pool as serial.
  if (threads == 1) return;
  pool_ = pthreadpool_create(static_cast<size_t>(threads));
  // Single-threaded wasm builds link pthreadpool's shim, which returns no pool: then we simply run serially.
  threads_ = pool_ ? static_cast<int>(pthreadpool_get_threads_count(pool_)) : 1;
}

ThreadPool::~ThreadPool() {
  if (pool_) pthreadpool_destroy(pool_);
}

void ThreadPool::run_tiled(size_t n, size_t tile, void (*task)(void*, size_t, size_t), void* ctx) {
  pthreadpool_parallelize_1d_tile_1d(pool_, task, ctx, n, tile, 0);
}

}  // namespace ptrm
