// `ptrm bench`: time one supervision step of the official-size Sudoku TRMs (MLP-t and attention) on random
// weights for K trajectories, against the analytic matmul FLOPs and against an XNNPACK-GEMM-only bound (the same
// projection GEMMs, same shapes and order, nothing else), so the report shows how far the engine is from the
// GEMM library it is built on. --save-weights writes the exact weights so training/bench_torch.py can time the
// PyTorch reference on the same model.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <map>
#include <optional>

#include "cli.h"
#include "kernels/kernels.h"  // Linear: the GEMM-only bound times the private GEMM wrapper
#include "ptrm/config.h"
#include "ptrm/errors.h"
#include "ptrm/json.h"
#include "ptrm/model.h"
#include "ptrm/rng.h"
#include "ptrm/safetensors.h"
#include "ptrm/tasks.h"

namespace ptrm::cli {
namespace {

constexpr uint64_t kWeightSeed = 20251008;  // fixed: the bench and bench_torch.py must see the same weights
// Any valid puzzle works (a step's cost does not depend on the tokens); this one is from Sudoku-Extreme's style.
constexpr const char* kPuzzle = "..3.2.6..9..3.5..1..18.64....81.29..7.......8..67.82....26.95..8..2.3..9..5.1.3..";

ModelConfig official_sudoku(bool mlp_t) {
  ModelConfig c;  // defaults are the official trm.yaml values
  c.mlp_t = mlp_t;
  c.pos_encodings = mlp_t ? "none" : "rope";
  c.vocab_size = 11;
  c.seq_len = 81;
  c.task = "sudoku";
  c.board = 9;
  c.validate();
  return c;
}

// The tensors of docs/design.md "Model file" for `c`, filled with seeded normals at the official init scales
// (LeCun 1/sqrt(fan_in) for weights, 1 for H_init/L_init). Loading them through Model::load keeps the loader the
// single authority on names and shapes.
std::vector<TensorToWrite> random_tensors(const ModelConfig& c) {
  std::vector<TensorToWrite> out;
  uint32_t index = 0;
  for (const Model::TensorSpec& t : Model::tensor_specs(c)) {
    const size_t n = t.numel();
    // LeCun normal for matrices (fan-in = the input width), unit normal for vectors.
    const double stddev = t.shape.size() == 2 ? 1.0 / std::sqrt(static_cast<double>(t.shape[1])) : 1.0;
    std::vector<float> v(n, 0.0f);
    add_normal(v.data(), n, static_cast<float>(stddev), kWeightSeed, index++, 0);
    // Official H_init/L_init are bf16 buffers; the reference loader insists on bf16-representable values.
    const bool bf16 = t.name == "H_init" || t.name == "L_init";
    out.push_back(TensorToWrite::from_f32(t.name, t.shape, v, bf16 ? DType::BF16 : DType::F32));
  }
  return out;
}

// One GEMM of a supervision step: weight [out, in] applied to rows_per_traj rows per trajectory.
struct Gemm {
  const std::vector<float>* weight;
  const std::vector<float>* bias;
  int in, out, rows_per_traj;
};

// The projection GEMMs of one supervision step in execution order (docs/references.md "One supervision step"):
// H_cycles × (L_cycles z updates + 1 y update) net calls of L_layers blocks, then lm_head on the seq_len answer
// positions and q_head on position 0.
std::vector<Gemm> step_gemms(const Model& m) {
  const ModelConfig& c = m.config;
  const int D = c.hidden_size, S = c.seq_total(), I = c.inter(D);
  std::vector<Gemm> net;
  for (const Model::Block& b : m.blocks) {
    if (c.mlp_t) {
      const int It = c.inter(S);  // token mixing runs on the transposed [D, S] view of each row
      net.push_back({&b.mlp_t_gate_up, nullptr, S, 2 * It, D});
      net.push_back({&b.mlp_t_down, nullptr, It, S, D});
    } else {
      net.push_back({&b.qkv_proj, nullptr, D, 3 * D, S});
      net.push_back({&b.o_proj, nullptr, D, D, S});
    }
    net.push_back({&b.mlp_gate_up, nullptr, D, 2 * I, S});
    net.push_back({&b.mlp_down, nullptr, I, D, S});
  }
  std::vector<Gemm> all;
  for (int call = 0; call < c.H_cycles * (c.L_cycles + 1); ++call) all.insert(all.end(), net.begin(), net.end());
  all.push_back({&m.lm_head, nullptr, D, c.vocab_size, c.seq_len});
  all.push_back({&m.q_head_w, &m.q_head_b, D, 2, 1});
  return all;
}

// Analytic matmul FLOPs of one supervision step for one trajectory (2 per multiply-add).
struct Flops {
  double gemm = 0;       // the projection GEMMs of step_gemms()
  double attention = 0;  // QKᵀ and PV of the attention core (0 for MLP-t)
  double total() const { return gemm + attention; }
};

Flops step_flops(const Model& m) {
  Flops f;
  for (const Gemm& g : step_gemms(m)) f.gemm += 2.0 * g.rows_per_traj * g.in * g.out;
  const ModelConfig& c = m.config;
  if (!c.mlp_t) {
    const double S = c.seq_total(), D = c.hidden_size;
    // Per layer and net call: QKᵀ is S×S×head_dim per head and PV the same, i.e. 2·S²·D multiply-adds.
    f.attention = 4.0 * S * S * D * c.L_layers * c.H_cycles * (c.L_cycles + 1);
  }
  return f;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// Wall and process-CPU seconds of one call. On a shared machine wall time includes time the scheduler gave to
// others; CPU time (all threads of this process) does not, so the report carries both.
struct Timing {
  double wall = 0, cpu = 0;
};

double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

// Runs fn once to warm up (XNNPACK packing, page faults, caches), then `reps` timed times; medians.
template <class F>
Timing time_median(int reps, F&& fn) {
  fn();
  std::vector<double> wall, cpu;
  for (int r = 0; r < reps; ++r) {
    double c0 = cpu_seconds();
    auto t0 = std::chrono::steady_clock::now();
    fn();
    wall.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    cpu.push_back(cpu_seconds() - c0);
  }
  return {median(wall), median(cpu)};
}

struct Measurement {
  std::string config;
  int k;
  Timing step, gemm;
  Flops flops;  // per trajectory
};

Measurement measure(const Model& model, ThreadPool& pool, int k, int reps, bool gemm_bound, Precision prec) {
  Measurement r{model.config.mlp_t ? "mlp_t" : "attention", k, {}, {}, step_flops(model)};

  std::vector<int32_t> question = make_task("sudoku", 9)->encode(kPuzzle);
  std::vector<int32_t> tokens, ids(k, 0);
  for (int t = 0; t < k; ++t) tokens.insert(tokens.end(), question.begin(), question.end());
  Session session(model, pool, k, prec);
  session.reset(k, tokens.data(), ids.data());
  r.step = time_median(reps, [&] { session.step(); });
  if (!gemm_bound) return r;

  std::vector<Gemm> gemms = step_gemms(model);
  // One XNNPACK operator per distinct weight, as the engine packs each weight once.
  std::map<const std::vector<float>*, Linear> ops;
  size_t max_in = 0, max_out = 0;
  for (const Gemm& g : gemms) {
    if (!ops.count(g.weight)) {
      Linear op(g.weight->data(), g.bias ? g.bias->data() : nullptr, g.in, g.out);
      op.reshape(k * g.rows_per_traj, pool);
      ops.emplace(g.weight, std::move(op));
    }
    max_in = std::max(max_in, static_cast<size_t>(k) * g.rows_per_traj * g.in);
    max_out = std::max(max_out, static_cast<size_t>(k) * g.rows_per_traj * g.out);
  }
  std::vector<float> x(max_in, 0.5f), y(max_out);
  r.gemm = time_median(reps, [&] {
    for (const Gemm& g : gemms) ops.at(g.weight).run(x.data(), y.data());
  });
  return r;
}

}  // namespace

int run_bench(const std::vector<std::string>& argv) {
  Args args(command("bench"), argv);
  int threads = thread_count(args);
  std::vector<int> ks = args.int_list("k", {1, 16}, 1, 1024);
  int reps = static_cast<int>(args.integer("steps", 5, 1, 1000));
  std::string which = args.choice("config", "mlp_t,attention");
  bool json = args.flag("json");
  // --no-gemm: time the step only (interleaved peer benchmarks do not need the GEMM-only bound, which doubles
  // the run time).
  bool gemm_bound = !args.flag("no-gemm");
  const Precision prec = precision(args);
  std::optional<std::string> save_dir = args.get("save-weights");

  ThreadPool pool(threads);
  note_thread_clamp(pool);
  std::vector<Measurement> results;
  for (bool mlp_t : {true, false}) {
    const char* name = mlp_t ? "mlp_t" : "attention";
    if (which.find(name) == std::string::npos) continue;
    ModelConfig config = official_sudoku(mlp_t);
    std::vector<TensorToWrite> tensors = random_tensors(config);
    std::map<std::string, std::string> metadata{{"ptrm.config", config.to_json()},
                                                {"ptrm.name", std::string("bench-") + name},
                                                {"ptrm.description", "random weights for `ptrm bench`"}};
    if (save_dir) {
      std::error_code ec;
      std::filesystem::create_directories(*save_dir, ec);
      if (ec) throw Error(ErrorKind::Io, "cannot create directory '" + *save_dir + "': " + ec.message());
      write_safetensors(*save_dir + "/bench-" + name + ".safetensors", tensors, metadata);
    }
    Model model = Model::load(SafeTensors::from_bytes(safetensors_bytes(tensors, metadata)));
    for (int k : ks) {
      results.push_back(measure(model, pool, k, reps, gemm_bound, prec));
      if (!json) {
        const Measurement& r = results.back();
        if (results.size() == 1)
          std::printf("%-10s %5s %10s %10s %9s %9s %10s %9s %8s\n", "config", "K", "ms/step", "cpu ms", "GFLOP",
                      "GFLOP/s", "GEMM ms", "GEMM GF/s", "step/GEMM");
        double gf = r.flops.total() * k * 1e-9, gemm_gf = r.flops.gemm * k * 1e-9;
        std::printf("%-10s %5d %10.1f %10.1f %9.2f %9.1f", r.config.c_str(), k, r.step.wall * 1e3, r.step.cpu * 1e3, gf,
                    gf / r.step.wall);
        if (gemm_bound)
          std::printf(" %10.1f %9.1f %8.2f", r.gemm.wall * 1e3, gemm_gf / r.gemm.wall, r.step.wall / r.gemm.wall);
        std::printf("\n");
        std::fflush(stdout);
      }
    }
  }
  if (json) {
    Json::Array arr;
    for (const Measurement& r : results) {
      double gf = r.flops.total() * r.k * 1e-9, gemm_gf = r.flops.gemm * r.k * 1e-9;
      Json::Object o{{"config", r.config},
                     {"k", r.k},
                     {"ms_per_step", r.step.wall * 1e3},
                     {"cpu_ms_per_step", r.step.cpu * 1e3},
                     {"gflop_per_step", gf},
                     {"attention_gflop_per_step", r.flops.attention * r.k * 1e-9},
                     {"gflops", gf / r.step.wall}};
      if (gemm_bound) {
        o["gemm_ms"] = r.gemm.wall * 1e3;
        o["gemm_cpu_ms"] = r.gemm.cpu * 1e3;
        o["gemm_gflop"] = gemm_gf;
        o["gemm_gflops"] = gemm_gf / r.gemm.wall;
      }
      arr.push_back(std::move(o));
    }
    Json::Object out{{"threads", pool.threads()},
                     {"timed_steps", reps},
                     {"precision", prec == Precision::Int8 ? "int8" : "fp32"},
                     {"results", std::move(arr)}};
    std::printf("%s\n", Json(std::move(out)).dump().c_str());
  } else {
    std::printf(
        "threads %d; median of %d timed steps after 1 warm-up; GFLOP = analytic matmul FLOPs incl. "
        "attention QK/PV; cpu ms = process CPU time (all threads); GEMM = the same projection GEMMs alone through "
        "XNNPACK\n",
        pool.threads(), reps);
  }
  return 0;
}

}  // namespace ptrm::cli
