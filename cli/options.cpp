// Sampler and threading options common to `ptrm solve` and `ptrm eval`.
#include <climits>
#include <cstdio>

#include "cli.h"
#include "ptrm/errors.h"

namespace ptrm::cli {

SolveOptions sampler_options(const Args& args) {
  SolveOptions o;
  // Ranges are the sampler's (SolveOptions::validate); only the syntax is checked here so the limits live once.
  o.sigma = static_cast<float>(args.number("sigma", 0.0));
  o.steps = static_cast<int>(args.integer("steps", 0, INT_MIN, INT_MAX));
  if (args.has("steps") && o.steps == 0) throw Error(ErrorKind::BadOptions, "--steps: must be at least 1");
  o.seed = args.u64("seed", 0);
  o.noise_on = parse_noise_on(args.choice("noise-on", "z"), "--noise-on");
  o.noise_every_inner = args.flag("noise-every-inner");
  o.precision = precision(args);
  return o;
}

Precision precision(const Args& args) {
  return args.choice("precision", "fp32") == "int8" ? Precision::Int8 : Precision::F32;
}

int thread_count(const Args& args) { return static_cast<int>(args.integer("threads", 0, 1, 256)); }

void note_thread_clamp(const ThreadPool& pool) {
  if (pool.requested() > pool.threads())
    std::fprintf(stderr, "note: --threads %d is more than the %d CPU(s) this process can use; using %d\n",
                 pool.requested(), pool.threads(), pool.threads());
}

void check_options(const SolveOptions& options) {
  try {
    options.validate();
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::BadOptions) throw;
    throw Error(ErrorKind::BadOptions, std::string("invalid options: ") + e.what());
  }
}

}  // namespace ptrm::cli
