// `ptrm eval`: exact accuracy of deterministic TRM and of PTRM best-Q@K / mode@K / vote@K / pass@K over a labelled
// CSV, throughput, and what the checker early exit (--stop-on-valid) would have done, optionally by difficulty bucket
// (Sudoku givens, or the CSV's `rating` column: path length for mazes, backtracks for rated Sudoku sets).
#include <algorithm>
#include <charconv>
#include <chrono>
#include <climits>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>

#include "cli.h"
#include "ptrm/errors.h"
#include "ptrm/file.h"
#include "ptrm/json.h"
#include "ptrm/model.h"
#include "ptrm/tasks.h"

namespace ptrm::cli {
namespace {

constexpr int kDefaultBucketWidth = 4;  // givens per bucket: 20-23, 24-27, ... (few buckets, each populated)

struct Shard {
  int index = 0, count = 1;
};

// True if all of `text` is one decimal integer of type T (nothing before or after it).
template <class T>
bool parse_int(std::string_view text, T& out) {
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
  int64_t difficulty = 0;  // what --buckets groups by: givens or rating
};

// What --stop-on-valid would have done, tracked from the step events of the run without early exits.
struct FirstValid {
  int step = 0;          // first step whose answer passed the checker; 0 = never
  bool correct = false;  // that answer equals the label
};

// Accuracy counts for one K prefix over a set of puzzles.
struct Tally {
  int64_t n = 0, deterministic = 0;
  std::vector<int64_t> best_q, mode, vote, pass, fired, fired_correct;
  std::vector<int64_t> steps_solve, steps_traj;  // trajectory-steps the two early exits would have run
  explicit Tally(size_t nk)
      : best_q(nk), mode(nk), vote(nk), pass(nk), fired(nk), fired_correct(nk), steps_solve(nk), steps_traj(nk) {}
};

double frac(int64_t a, int64_t b) { return b ? static_cast<double>(a) / static_cast<double>(b) : 0.0; }

// Everything `ptrm eval` was asked to do, checked before any compute: options, model, and every selected CSV row
// encoded once (a bad row fails the run up front, not after hours of work).
struct Plan {
  SolveOptions options;
  std::vector<int> ks;
  int threads = 0, steps = 0;
  Shard shard;
  std::string bucket_kind, model_path, data_path;
  int64_t bucket_width = kDefaultBucketWidth;
  bool json = false;
  Model model;
  std::unique_ptr<Task> task;
  int qcol = -1, acol = -1, rcol = -1;
  int64_t begin = 0, end = 0;  // selected rows [begin, end) (0-based data rows)
};

struct Totals {
  Tally all;
  std::map<int64_t, Tally> buckets;  // key = difficulty / bucket_width
  double seconds = 0, det_seconds = 0;
  bool det_run = false;
  explicit Totals(size_t nk) : all(nk) {}
};

// Streams the data rows of the CSV; a fresh reader per pass (the file is a regular file, so it can be re-read).
class DataRows {
 public:
  explicit DataRows(const std::string& path)
      : file_(path, UINT64_MAX, "data set"), reader_([this](char* buf, size_t n) { return file_.read(buf, n); }) {}
  CsvReader& reader() { return reader_; }

 private:
  RegularFile file_;
  CsvReader reader_;
};

Puzzle encode_row(const Plan& plan, const std::vector<std::string>& row, int64_t line) {
  Puzzle p;
  auto where = [&] { return "'" + plan.data_path + "' line " + std::to_string(line) + ": "; };
  try {
    p.question = plan.task->encode(row[plan.qcol]);
    p.label = plan.task->encode(row[plan.acol]);
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::BadPuzzle) throw;
    throw Error(ErrorKind::BadPuzzle, where() + e.what());
  }
  if (plan.bucket_kind == "givens") {
    constexpr int32_t kSudokuBlank = 1;  // docs/design.md token map
    p.difficulty = std::count_if(p.question.begin(), p.question.end(), [](int32_t t) { return t != kSudokuBlank; });
  } else if (plan.bucket_kind == "rating") {
    const std::string& text = row[plan.rcol];
    if (!parse_int(text, p.difficulty) || p.difficulty < 0)
      throw Error(ErrorKind::BadPuzzle, where() + "rating '" + text + "' is not a non-negative 64-bit integer");
  }
  return p;
}

// load: options, model, and a first pass over the CSV that encodes every selected row and counts the rows.
Plan load(const std::vector<std::string>& argv) {
  Args args(command("eval"), argv);
  Plan plan;
  plan.options = sampler_options(args);
  plan.ks = args.int_list("k", {1, 4, 16}, 1, INT_MAX);
  plan.options.k = plan.ks.back();
  check_options(plan.options);
  plan.threads = thread_count(args);
  const int64_t limit = args.integer("limit", INT64_MAX, 1, INT64_MAX);
  plan.shard = parse_shard(args);
  plan.bucket_kind = args.choice("buckets", "");
  plan.bucket_width = args.integer("bucket-width", kDefaultBucketWidth, 1, 1000000000);
  plan.json = args.flag("json");
  plan.model_path = args.required("model");
  plan.data_path = args.required("data");

  require_file(plan.model_path);
  plan.model = Model::load_file(plan.model_path);
  plan.task = make_task(plan.model.config);
  if (plan.bucket_kind == "givens" && plan.task->name() != "sudoku")
    throw Error(ErrorKind::BadOptions, "--buckets givens needs a sudoku model, this one solves " + plan.task->name());
  plan.steps = plan.options.steps ? plan.options.steps : plan.model.config.halt_max_steps;

  DataRows data(plan.data_path);
  CsvReader& csv = data.reader();
  plan.qcol = csv.column("question");
  plan.acol = csv.column("answer");
  plan.rcol = csv.column("rating");
  if (plan.qcol < 0 || plan.acol < 0)
    throw Error(ErrorKind::BadPuzzle, "'" + plan.data_path + "': the header needs 'question' and 'answer' columns");
  if (plan.bucket_kind == "rating" && plan.rcol < 0)
    throw Error(ErrorKind::BadPuzzle, "'" + plan.data_path + "': --buckets rating needs a 'rating' column");
  std::vector<std::string> row;
  int64_t line = 0, total = 0;
  while (total < limit && csv.next(row, line)) {
    encode_row(plan, row, line);
    ++total;
  }
  // Contiguous shards of the first `limit` rows, so n shards together cover exactly what one run would.
  plan.begin = static_cast<int64_t>(static_cast<__int128>(total) * plan.shard.index / plan.shard.count);
  plan.end = static_cast<int64_t>(static_cast<__int128>(total) * (plan.shard.index + 1) / plan.shard.count);
  if (plan.begin == plan.end)
    throw Error(ErrorKind::BadPuzzle, "'" + plan.data_path + "': no puzzles in the selected rows");
  return plan;
}

// Puzzles per solve_many call: enough to fill the batch (eval runs no early exits, so a chunk's rows all start
// and stop together), at most kChunkPuzzles, and few enough that the chunk's results (K trajectories x steps q
// values + an answer each) stay within kChunkResultBytes. Memory is then bounded whatever the row count.
constexpr int64_t kChunkPuzzles = 256;
constexpr size_t kChunkResultBytes = size_t{64} << 20;
int64_t chunk_puzzles(const Plan& plan) {
  const int64_t K = plan.options.k;
  const int64_t batch = batch_rows(plan.model.config, plan.options, INT64_MAX);
  const int64_t per_puzzle = K * (static_cast<int64_t>(plan.steps) * 4 + plan.model.config.seq_len * 4 + 128);
  const int64_t by_memory = std::max<int64_t>(1, static_cast<int64_t>(kChunkResultBytes) / per_puzzle);
  return std::clamp<int64_t>((batch + K - 1) / K, 1, std::min(kChunkPuzzles, by_memory));
}

// tally: one chunk's results into the totals (overall and per bucket).
void tally(const Plan& plan, const std::vector<Puzzle>& puzzles, const std::vector<SolveResult>& results,
           const std::vector<SolveResult>& det_results, const std::vector<std::vector<FirstValid>>& first_valid,
           Totals& totals) {
  const std::vector<int>& ks = plan.ks;
  for (size_t p = 0; p < puzzles.size(); ++p) {
    const Puzzle& pz = puzzles[p];
    const std::vector<int32_t>& det_answer = (det_results.empty() ? results[p] : det_results[p]).trajectories[0].answer;
    std::vector<Tally*> into = {&totals.all};
    if (!plan.bucket_kind.empty())
      into.push_back(&totals.buckets.try_emplace(pz.difficulty / plan.bucket_width, ks.size()).first->second);
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
        traj_steps += fv.step ? fv.step : plan.steps;
        if (fv.step && (first == 0 || fv.step < first)) first = fv.step, first_correct = fv.correct;
      }
      for (Tally* t : into) {
        t->best_q[i] += sel.best_q_correct;
        t->mode[i] += sel.mode_correct;
        t->vote[i] += sel.vote_correct;
        t->pass[i] += sel.pass == 1;
        t->fired[i] += first != 0;
        t->fired_correct[i] += first_correct;
        t->steps_solve[i] += static_cast<int64_t>(ks[i]) * (first ? first : plan.steps);
        t->steps_traj[i] += traj_steps;
      }
    }
  }
}

// run: the selected rows in chunks; each chunk is solved (PTRM at the largest K, and deterministic TRM when
// sigma > 0), tallied and dropped, so memory does not grow with the number of rows.
Totals run(const Plan& plan) {
  Totals totals(plan.ks.size());
  ThreadPool pool(plan.threads);
  note_thread_clamp(pool);
  using Clock = std::chrono::steady_clock;
  const int kmax = plan.options.k;
  const int64_t chunk = chunk_puzzles(plan);
  DataRows data(plan.data_path);
  std::vector<std::string> row;
  int64_t line = 0, index = 0;
  for (; index < plan.begin && data.reader().next(row, line); ++index) {
  }

  std::vector<Puzzle> puzzles;
  std::vector<std::vector<int32_t>> questions;
  std::vector<std::vector<FirstValid>> first_valid;
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
  while (index < plan.end) {
    puzzles.clear();
    questions.clear();
    for (; index < plan.end && static_cast<int64_t>(puzzles.size()) < chunk; ++index) {
      if (!data.reader().next(row, line))
        throw Error(ErrorKind::Io, "'" + plan.data_path + "' changed while it was evaluated");
      puzzles.push_back(encode_row(plan, row, line));
      questions.push_back(puzzles.back().question);
    }
    first_valid.assign(puzzles.size(), std::vector<FirstValid>(kmax));
    // PTRM at the largest K; smaller K are its trajectory prefixes (the sampler guarantees K=k equivalence).
    auto t0 = Clock::now();
    std::vector<SolveResult> results = solve_many(plan.model, pool, *plan.task, questions, {}, plan.options,
                                                  plan.task->has_checker() ? StepCallback(on_step) : StepCallback());
    totals.seconds += std::chrono::duration<double>(Clock::now() - t0).count();
    // Deterministic TRM (K=1, sigma=0). With sigma=0 the PTRM run's trajectory 0 already is exactly that.
    std::vector<SolveResult> det_results;
    if (plan.options.sigma != 0.0f) {
      SolveOptions det = plan.options;
      det.k = 1;
      det.sigma = 0.0f;
      auto t1 = Clock::now();
      det_results = solve_many(plan.model, pool, *plan.task, questions, {}, det);
      totals.det_seconds += std::chrono::duration<double>(Clock::now() - t1).count();
      totals.det_run = true;
    }
    tally(plan, puzzles, results, det_results, first_valid, totals);
  }
  return totals;
}

// print: the totals as one JSON object or as tables.
void print(const Plan& plan, const Totals& totals) {
  const std::vector<int>& ks = plan.ks;
  const Task& task = *plan.task;
  const int64_t n = totals.all.n;
  auto results_json = [&](const Tally& t) {
    Json::Array arr;
    for (size_t i = 0; i < ks.size(); ++i) {
      Json::Object r{
          {"k", ks[i]},
          {"sigma", static_cast<double>(plan.options.sigma)},
          {"best_q", frac(t.best_q[i], t.n)},
          {"mode", frac(t.mode[i], t.n)},
          {"vote", frac(t.vote[i], t.n)},
          {"pass", frac(t.pass[i], t.n)},
          {"counts",
           Json::Object{{"best_q", t.best_q[i]}, {"mode", t.mode[i]}, {"vote", t.vote[i]}, {"pass", t.pass[i]}}}};
      if (task.has_checker()) {
        int64_t budget = t.n * ks[i] * plan.steps;
        r["early_exit"] = Json::Object{{"fired", frac(t.fired[i], t.n)},
                                       {"correct", frac(t.fired_correct[i], t.n)},
                                       {"steps_saved_solve", 1.0 - frac(t.steps_solve[i], budget)},
                                       {"steps_saved_trajectory", 1.0 - frac(t.steps_traj[i], budget)}};
      }
      arr.push_back(std::move(r));
    }
    return arr;
  };
  // 64-bit: a bucket of ratings near INT64_MAX / width must not overflow.
  auto bucket_name = [&](int64_t b) {
    const __int128 lo = static_cast<__int128>(b) * plan.bucket_width, hi = lo + plan.bucket_width - 1;
    return std::to_string(static_cast<int64_t>(lo)) + "-" +
           (hi > INT64_MAX ? std::to_string(INT64_MAX) : std::to_string(static_cast<int64_t>(hi)));
  };
  const double seconds = totals.seconds, det_seconds = totals.det_seconds;

  if (plan.json) {
    Json::Object out{{"n", n},
                     {"task", task.name()},
                     {"steps", plan.steps},
                     {"seed", Json::exact(plan.options.seed)},
                     {"shard", std::to_string(plan.shard.index) + "/" + std::to_string(plan.shard.count)},
                     {"rows", Json::Array{plan.begin, plan.end}},
                     {"deterministic", frac(totals.all.deterministic, n)},
                     {"deterministic_count", totals.all.deterministic},
                     {"results", results_json(totals.all)},
                     {"seconds", seconds},
                     {"puzzles_per_s", n / seconds},
                     {"deterministic_seconds", totals.det_run ? Json(det_seconds) : Json()},
                     {"deterministic_puzzles_per_s", totals.det_run ? Json(n / det_seconds) : Json()}};
    if (!plan.bucket_kind.empty()) {
      Json::Array arr;
      for (const auto& [b, t] : totals.buckets)
        arr.push_back(Json::Object{{plan.bucket_kind, bucket_name(b)},
                                   {"n", t.n},
                                   {"deterministic", frac(t.deterministic, t.n)},
                                   {"results", results_json(t)}});
      out["buckets"] = std::move(arr);
    }
    std::printf("%s\n", Json(std::move(out)).dump().c_str());
    return;
  }

  std::printf("%lld puzzles (rows %lld..%lld of '%s'), %s, %d steps, sigma %g, seed %llu\n", static_cast<long long>(n),
              static_cast<long long>(plan.begin), static_cast<long long>(plan.end - 1), plan.data_path.c_str(),
              task.name().c_str(), plan.steps, static_cast<double>(plan.options.sigma),
              static_cast<unsigned long long>(plan.options.seed));
  auto print_table = [&](const Tally& t) {
    std::printf("  deterministic TRM (K=1, sigma=0): %.4f (%lld/%lld)\n", frac(t.deterministic, t.n),
                static_cast<long long>(t.deterministic), static_cast<long long>(t.n));
    std::printf("  %6s %8s %8s %8s %8s", "K", "best-Q", "mode", "vote", "pass");
    if (task.has_checker()) std::printf(" %10s %10s %12s", "chk-fired", "chk-right", "saved(solve)");
    std::printf("\n");
    for (size_t i = 0; i < ks.size(); ++i) {
      std::printf("  %6d %8.4f %8.4f %8.4f %8.4f", ks[i], frac(t.best_q[i], t.n), frac(t.mode[i], t.n),
                  frac(t.vote[i], t.n), frac(t.pass[i], t.n));
      if (task.has_checker()) {
        int64_t budget = t.n * ks[i] * plan.steps;
        std::printf(" %10.4f %10.4f %12.4f", frac(t.fired[i], t.n), frac(t.fired_correct[i], t.n),
                    1.0 - frac(t.steps_solve[i], budget));
      }
      std::printf("\n");
    }
  };
  print_table(totals.all);
  std::printf("PTRM run (K=%d): %.2f s, %.3f puzzles/s", plan.options.k, seconds, n / seconds);
  if (totals.det_run) std::printf("; deterministic run: %.2f s, %.3f puzzles/s", det_seconds, n / det_seconds);
  std::printf("\n");
  for (const auto& [b, t] : totals.buckets) {
    std::printf("%s %s: %lld puzzles\n", plan.bucket_kind.c_str(), bucket_name(b).c_str(), static_cast<long long>(t.n));
    print_table(t);
  }
}

}  // namespace

int run_eval(const std::vector<std::string>& argv) {
  const Plan plan = load(argv);
  print(plan, run(plan));
  return 0;
}

}  // namespace ptrm::cli
