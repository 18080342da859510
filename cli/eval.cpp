// `ptrm eval`: exact accuracy of deterministic TRM and of PTRM best-Q@K / mode@K / pass@K over a labelled CSV,
// throughput, and what the checker early exit (--stop-on-valid) would have done, optionally by difficulty bucket
// (Sudoku givens, or the CSV's `rating` column: path length for mazes, backtracks for rated Sudoku sets).
#include <algorithm>
#include <charconv>
#include <chrono>
#include <climits>
#include <cstdio>
#include <mutex>

#include "cli.h"
#include "ptrm/errors.h"
#include "ptrm/json.h"
#include "ptrm/model.h"
#include "ptrm/tasks.h"

namespace ptrm::cli {
namespace {

constexpr int kDefaultBucketWidth = 4;  // givens per bucket: 20-23, 24-27, ... (few buckets, each populated)

struct Shard {
  int index = 0, count = 1;
};

// True if all of `text` is one decimal int (nothing before or after it).
bool parse_int(std::string_view text, int& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return !text.empty() && ec == std::errc() && end == text.data() + text.size();
}

Shard parse_shard(const Args& args) {
  auto v = args.get("shard");
  if (!v) return {};
  Shard s;
  size_t slash = v->find('/');
  if (slash == std::string::npos || !parse_int(std::string_view(*v).substr(0, slash), s.index) ||
      !parse_int(std::string_view(*v).substr(slash + 1), s.count))
    throw Error(ErrorKind::BadOptions, "--shard: expected i/n (e.g. 0/4), got '" + *v + "'");
  if (s.count < 1 || s.index < 0 || s.index >= s.count)
    throw Error(ErrorKind::BadOptions, "--shard " + *v + ": need 0 <= i < n");
  return s;
}

struct Puzzle {
  std::vector<int32_t> question, label;
  int difficulty = 0;  // what --buckets groups by: givens or rating
};

// What --stop-on-valid would have done, tracked from the step events of the run without early exits.
struct FirstValid {
  int step = 0;          // first step whose answer passed the checker; 0 = never
  bool correct = false;  // that answer equals the label
};

// Accuracy counts for one K prefix over a set of puzzles.
struct Tally {
  int n = 0, deterministic = 0;
  std::vector<int> best_q, mode, pass, fired, fired_correct;
  std::vector<int64_t> steps_solve, steps_traj;  // trajectory-steps the two early exits would have run
  explicit Tally(size_t nk) : best_q(nk), mode(nk), pass(nk), fired(nk), fired_correct(nk), steps_solve(nk),
                              steps_traj(nk) {}
};

double frac(int64_t a, int64_t b) { return b ? static_cast<double>(a) / static_cast<double>(b) : 0.0; }

}  // namespace

int run_eval(const std::vector<std::string>& argv) {
  Args args(command("eval"), argv);
  SolveOptions options = sampler_options(args);
  std::vector<int> ks = args.int_list("k", {1, 4, 16}, 1, INT_MAX);
  options.k = ks.back();
  check_options(options);
  int threads = thread_count(args);
  int64_t limit = args.integer("limit", INT_MAX, 1, INT_MAX);
  Shard shard = parse_shard(args);
  const std::string bucket_kind = args.choice("buckets", "");
  const bool by_bucket = !bucket_kind.empty();
  const int bucket_width = static_cast<int>(args.integer("bucket-width", kDefaultBucketWidth, 1, 1000000));
  bool json = args.flag("json");
  std::string model_path = args.required("model");
  std::string data_path = args.required("data");

  require_file(model_path);
  Model model = Model::load_file(model_path);
  std::unique_ptr<Task> task = make_task(model.config);
  if (bucket_kind == "givens" && task->name() != "sudoku")
    throw Error(ErrorKind::BadOptions, "--buckets givens needs a sudoku model, this one solves " + task->name());
  const int steps = options.steps ? options.steps : model.config.halt_max_steps;

  Csv csv = parse_csv(read_file(data_path));
  int qcol = csv.column("question"), acol = csv.column("answer");
  if (qcol < 0 || acol < 0)
    throw Error(ErrorKind::BadPuzzle, "'" + data_path + "': the header needs 'question' and 'answer' columns");
  int rcol = csv.column("rating");
  if (bucket_kind == "rating" && rcol < 0)
    throw Error(ErrorKind::BadPuzzle, "'" + data_path + "': --buckets rating needs a 'rating' column");
  size_t total = std::min<size_t>(csv.rows.size(), static_cast<size_t>(limit));
  // Contiguous shards of the first `limit` rows, so n shards together cover exactly what one run would.
  size_t begin = total * shard.index / shard.count, end = total * (shard.index + 1) / shard.count;
  if (begin == end) throw Error(ErrorKind::BadPuzzle, "'" + data_path + "': no puzzles in the selected rows");

  std::vector<Puzzle> puzzles;
  std::vector<std::vector<int32_t>> questions;
  for (size_t r = begin; r < end; ++r) {
    Puzzle p;
    try {
      p.question = task->encode(csv.rows[r][qcol]);
      p.label = task->encode(csv.rows[r][acol]);
    } catch (const Error& e) {
      if (e.kind() != ErrorKind::BadPuzzle) throw;
      throw Error(ErrorKind::BadPuzzle, "'" + data_path + "' line " + std::to_string(csv.lines[r]) + ": " + e.what());
    }
    if (bucket_kind == "givens") {
      constexpr int32_t kSudokuBlank = 1;  // docs/design.md token map
      p.difficulty = static_cast<int>(std::count_if(p.question.begin(), p.question.end(),
                                                    [](int32_t t) { return t != kSudokuBlank; }));
    } else if (bucket_kind == "rating") {
      const std::string& text = csv.rows[r][rcol];
      if (!parse_int(text, p.difficulty) || p.difficulty < 0)
        throw Error(ErrorKind::BadPuzzle, "'" + data_path + "' line " + std::to_string(csv.lines[r]) +
                                              ": rating '" + text + "' is not a non-negative integer");
    }
    questions.push_back(p.question);
    puzzles.push_back(std::move(p));
  }
  const int n = static_cast<int>(puzzles.size());
  const int kmax = options.k;

  ThreadPool pool(threads);
  note_thread_clamp(pool);
  using Clock = std::chrono::steady_clock;

  // PTRM run at the largest K; smaller K are its trajectory prefixes (the sampler guarantees K=k equivalence).
  std::vector<std::vector<FirstValid>> first_valid(n, std::vector<FirstValid>(kmax));
  std::mutex mu;  // the sampler does not promise to call back from one thread only
  auto on_step = [&](const StepEvent& ev) {
    if (!ev.valid) return true;
    std::lock_guard<std::mutex> lock(mu);
    FirstValid& fv = first_valid[ev.puzzle][ev.traj];
    if (fv.step == 0) {
      fv.step = ev.step;
      const std::vector<int32_t>& label = puzzles[ev.puzzle].label;
      fv.correct = std::equal(label.begin(), label.end(), ev.answer);
    }
    return true;
  };
  auto t0 = Clock::now();
  std::vector<SolveResult> results = solve_many(model, pool, *task, questions, {}, options,
                                                task->has_checker() ? StepCallback(on_step) : StepCallback());
  double seconds = std::chrono::duration<double>(Clock::now() - t0).count();

  // Deterministic TRM (K=1, sigma=0). With sigma=0 the PTRM run's trajectory 0 already is exactly that.
  std::vector<SolveResult> det_results;
  double det_seconds = 0;
  if (options.sigma != 0.0f) {
    SolveOptions det = options;
    det.k = 1;
    det.sigma = 0.0f;
    auto t1 = Clock::now();
    det_results = solve_many(model, pool, *task, questions, {}, det);
    det_seconds = std::chrono::duration<double>(Clock::now() - t1).count();
  }

  // Tally overall and per difficulty bucket.
  std::map<int, Tally> buckets;
  Tally all(ks.size());
  for (int p = 0; p < n; ++p) {
    const Puzzle& pz = puzzles[p];
    const std::vector<int32_t>& det_answer =
        (det_results.empty() ? results[p] : det_results[p]).trajectories[0].answer;
    std::vector<Tally*> into = {&all};
    if (by_bucket) into.push_back(&buckets.try_emplace(pz.difficulty / bucket_width, ks.size()).first->second);
    for (Tally* t : into) {
      t->n++;
      t->deterministic += det_answer == pz.label;
    }
    for (size_t i = 0; i < ks.size(); ++i) {
      Selection sel = select(results[p], ks[i], pz.label.data());
      int first = 0;  // earliest first-valid step among the k trajectories
      bool first_correct = false;
      int64_t traj_steps = 0;
      for (int t = 0; t < ks[i]; ++t) {
        const FirstValid& fv = first_valid[p][t];
        traj_steps += fv.step ? fv.step : steps;
        if (fv.step && (first == 0 || fv.step < first)) first = fv.step, first_correct = fv.correct;
      }
      for (Tally* t : into) {
        t->best_q[i] += sel.best_q_correct;
        t->mode[i] += sel.mode_correct;
        t->pass[i] += sel.pass == 1;
        t->fired[i] += first != 0;
        t->fired_correct[i] += first_correct;
        t->steps_solve[i] += static_cast<int64_t>(ks[i]) * (first ? first : steps);
        t->steps_traj[i] += traj_steps;
      }
    }
  }

  auto results_json = [&](const Tally& t) {
    Json::Array arr;
    for (size_t i = 0; i < ks.size(); ++i) {
      Json::Object r{{"k", ks[i]},
                     {"sigma", static_cast<double>(options.sigma)},
                     {"best_q", frac(t.best_q[i], t.n)},
                     {"mode", frac(t.mode[i], t.n)},
                     {"pass", frac(t.pass[i], t.n)},
                     {"counts", Json::Object{{"best_q", t.best_q[i]}, {"mode", t.mode[i]}, {"pass", t.pass[i]}}}};
      if (task->has_checker()) {
        int64_t budget = static_cast<int64_t>(t.n) * ks[i] * steps;
        r["early_exit"] = Json::Object{{"fired", frac(t.fired[i], t.n)},
                                       {"correct", frac(t.fired_correct[i], t.n)},
                                       {"steps_saved_solve", 1.0 - frac(t.steps_solve[i], budget)},
                                       {"steps_saved_trajectory", 1.0 - frac(t.steps_traj[i], budget)}};
      }
      arr.push_back(std::move(r));
    }
    return arr;
  };
  auto bucket_name = [&](int b) {
    return std::to_string(b * bucket_width) + "-" + std::to_string(b * bucket_width + bucket_width - 1);
  };

  if (json) {
    Json::Object out{{"n", n},
                     {"task", task->name()},
                     {"steps", steps},
                     {"seed", static_cast<double>(options.seed)},
                     {"shard", std::to_string(shard.index) + "/" + std::to_string(shard.count)},
                     {"rows", Json::Array{static_cast<int64_t>(begin), static_cast<int64_t>(end)}},
                     {"deterministic", frac(all.deterministic, n)},
                     {"deterministic_count", all.deterministic},
                     {"results", results_json(all)},
                     {"seconds", seconds},
                     {"puzzles_per_s", n / seconds},
                     {"deterministic_seconds", det_results.empty() ? Json() : Json(det_seconds)},
                     {"deterministic_puzzles_per_s", det_results.empty() ? Json() : Json(n / det_seconds)}};
    if (by_bucket) {
      Json::Array arr;
      for (const auto& [b, t] : buckets)
        arr.push_back(Json::Object{{bucket_kind, bucket_name(b)},
                                   {"n", t.n},
                                   {"deterministic", frac(t.deterministic, t.n)},
                                   {"results", results_json(t)}});
      out["buckets"] = std::move(arr);
    }
    std::printf("%s\n", Json(std::move(out)).dump().c_str());
    return 0;
  }

  std::printf("%d puzzles (rows %zu..%zu of '%s'), %s, %d steps, sigma %g, seed %llu\n", n, begin, end - 1,
              data_path.c_str(), task->name().c_str(), steps, static_cast<double>(options.sigma),
              static_cast<unsigned long long>(options.seed));
  auto print_table = [&](const Tally& t) {
    std::printf("  deterministic TRM (K=1, sigma=0): %.4f (%d/%d)\n", frac(t.deterministic, t.n), t.deterministic,
                t.n);
    std::printf("  %6s %8s %8s %8s", "K", "best-Q", "mode", "pass");
    if (task->has_checker()) std::printf(" %10s %10s %12s", "chk-fired", "chk-right", "saved(solve)");
    std::printf("\n");
    for (size_t i = 0; i < ks.size(); ++i) {
      std::printf("  %6d %8.4f %8.4f %8.4f", ks[i], frac(t.best_q[i], t.n), frac(t.mode[i], t.n),
                  frac(t.pass[i], t.n));
      if (task->has_checker()) {
        int64_t budget = static_cast<int64_t>(t.n) * ks[i] * steps;
        std::printf(" %10.4f %10.4f %12.4f", frac(t.fired[i], t.n), frac(t.fired_correct[i], t.n),
                    1.0 - frac(t.steps_solve[i], budget));
      }
      std::printf("\n");
    }
  };
  print_table(all);
  std::printf("PTRM run (K=%d): %.2f s, %.3f puzzles/s", kmax, seconds, n / seconds);
  if (!det_results.empty()) std::printf("; deterministic run: %.2f s, %.3f puzzles/s", det_seconds, n / det_seconds);
  std::printf("\n");
  for (const auto& [b, t] : buckets) {
    std::printf("%s %s: %d puzzles\n", bucket_kind.c_str(), bucket_name(b).c_str(), t.n);
    print_table(t);
  }
  return 0;
}

}  // namespace ptrm::cli
