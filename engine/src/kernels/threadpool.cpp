// ThreadPool: a thin owner of a pthreadpool, shared by XNNPACK operators and our elementwise kernels, sized to
// the CPUs this process can really use.
#include <pthreadpool.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#ifdef __EMSCRIPTEN__
#include <emscripten/threading.h>
#else
#include <sched.h>
#endif

#include "ptrm/errors.h"
#include "ptrm/threadpool.h"

namespace ptrm {

int cpu_max_quota(const char* text) {
  // "<quota> <period>" with quota "max" for no limit (cgroup v2 cpu.max).
  char quota[32] = {0};
  long long period = 0;
  if (!text || std::sscanf(text, "%31s %lld", quota, &period) != 2 || period <= 0) return 0;
  if (std::strcmp(quota, "max") == 0) return 0;
  char* end = nullptr;
  long long q = std::strtoll(quota, &end, 10);
  if (end == quota || *end != '\0' || q <= 0) return 0;
  return static_cast<int>(std::min<long long>((q + period - 1) / period, 1 << 20));
}

namespace {

#ifndef __EMSCRIPTEN__
std::string read_small(const std::string& path) {
  std::ifstream f(path);
  if (!f) return {};
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// The tightest CPU quota on this process's cgroup path (a parent's limit binds its children too); 0 = none.
int cgroup_quota() {
  int best = 0;
  auto take = [&](int q) {
    if (q > 0) best = best ? std::min(best, q) : q;
  };
  std::istringstream lines(read_small("/proc/self/cgroup"));
  std::string line;
  while (std::getline(lines, line)) {
    // v2: "0::/path"; v1: "N:cpu,cpuacct:/path".
    size_t a = line.find(':'), b = a == std::string::npos ? a : line.find(':', a + 1);
    if (b == std::string::npos) continue;
    std::string controllers = line.substr(a + 1, b - a - 1), path = line.substr(b + 1);
    const bool v2 = controllers.empty();
    if (!v2 && (',' + controllers + ',').find(",cpu,") == std::string::npos) continue;
    const std::string root = v2 ? "/sys/fs/cgroup" : "/sys/fs/cgroup/cpu";
    for (std::string p = path;;) {  // "/a/b", "/a", "" (the root)
      const std::string dir = root + (p == "/" ? "" : p);
      if (v2) {
        take(cpu_max_quota(read_small(dir + "/cpu.max").c_str()));
      } else {
        const std::string q = read_small(dir + "/cpu.cfs_quota_us"), per = read_small(dir + "/cpu.cfs_period_us");
        if (!q.empty() && !per.empty()) take(cpu_max_quota((q.substr(0, q.find('\n')) + " " + per).c_str()));
      }
      if (p.empty() || p == "/") break;
      p.erase(p.rfind('/'));
    }
  }
  return best;
}
#endif

}  // namespace

int available_cpus() {
#ifdef __EMSCRIPTEN__
  return std::max(1, emscripten_num_logical_cores());
#else
  int n = 0;
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) n = CPU_COUNT(&set);
  if (n <= 0) n = static_cast<int>(std::thread::hardware_concurrency());
  if (int q = cgroup_quota(); q > 0) n = std::min(n, q);
  return std::max(1, n);
#endif
}

ThreadPool::ThreadPool(int threads, bool oversubscribe) : requested_(threads) {
  if (threads < 0 || threads > 256) throw Error(ErrorKind::BadOptions, "threads must be 0 (auto) or 1..256");
  const int want = threads == 0 ? available_cpus() : oversubscribe ? threads : std::min(threads, available_cpus());
  // A 1-thread pool would only add synchronisation; XNNPACK and parallel_for treat a null pool as serial.
  if (want == 1) return;
  pool_ = pthreadpool_create(static_cast<size_t>(want));
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
