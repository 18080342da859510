// End-to-end tests of the `ptrm` binary (PTRM_CLI): exit codes and one-line messages for bad input, and the
// numbers solve/eval print checked against each other and against the Python reference fixtures.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "../support/random_model.h"
#include "ptrm/config.h"
#include "ptrm/json.h"
#include "ptrm/safetensors.h"
#include "ptrm/tasks.h"
#include "ptrm/threadpool.h"

namespace {

namespace fs = std::filesystem;
using ptrm::Json;

const std::string kFixtures = std::string(PTRM_SOURCE_DIR) + "/tests/fixtures/";
const std::string kModel = kFixtures + "sudoku_mlp_tiny.safetensors";
const std::string kExpected = kFixtures + "sudoku_mlp_tiny.expected.safetensors";

struct CliRun {
  int code = -1;
  std::string out, err;
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "ptrm_cli_XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  std::string write(const std::string& name, const std::string& content) const {
    std::ofstream(file(name), std::ios::binary) << content;
    return file(name);
  }

 private:
  fs::path path_;
};

CliRun run(const std::vector<std::string>& args) {
  TempDir dir;
  std::string cmd = shell_quote(PTRM_CLI);
  for (const auto& a : args) cmd += " " + shell_quote(a);
  cmd += " >" + dir.file("out") + " 2>" + dir.file("err") + " </dev/null";
  int status = std::system(cmd.c_str());
  CliRun r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
  r.out = slurp(dir.file("out"));
  r.err = slurp(dir.file("err"));
  return r;
}

// A failure must be exactly one line on stderr, mention `needle`, print nothing on stdout and exit with `code`.
void expect_error(const std::vector<std::string>& args, int code, const std::string& needle) {
  CliRun r = run(args);
  std::string cmdline;
  for (const auto& a : args) cmdline += a + " ";
  EXPECT_EQ(r.code, code) << cmdline << "\nstderr: " << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << cmdline << "\nstderr: " << r.err;
  EXPECT_NE(r.err.find(needle), std::string::npos) << cmdline << "\nstderr: " << r.err;
  EXPECT_TRUE(r.out.empty()) << cmdline << "\nstdout: " << r.out;
}

// Model runs use one thread: on a shared, oversubscribed box a spinning 2-thread pool makes tiny models ~10x
// slower, and the results do not depend on the thread count.
Json run_json(std::vector<std::string> args) {
  args.insert(args.end(), {"--threads", "1"});
  CliRun r = run(args);
  EXPECT_EQ(r.code, 0) << r.err;
  if (r.code != 0) return Json();
  return Json::parse(r.out);
}

// The fixture's B puzzles as puzzle text and the reference model's final-step argmax answers as text.
struct FixturePuzzles {
  std::vector<std::string> questions, answers;
};

FixturePuzzles fixture_puzzles() {
  auto st = ptrm::SafeTensors::open(kExpected);
  const auto& shape = st.info("logits").shape;  // (steps, B, seq_len, V)
  const int64_t steps = shape[0], B = shape[1], L = shape[2], V = shape[3];
  std::vector<int32_t> inputs = st.read_i32("inputs", {B, L});
  std::vector<float> logits = st.read_f32("logits", shape);
  FixturePuzzles fp;
  for (int64_t b = 0; b < B; ++b) {
    std::string q, a;
    for (int64_t i = 0; i < L; ++i) {
      int32_t t = inputs[b * L + i];
      q += t == 1 ? '.' : static_cast<char>('0' + t - 1);
      const float* row = logits.data() + (((steps - 1) * B + b) * L + i) * V;
      int32_t best = static_cast<int32_t>(std::max_element(row, row + V) - row);
      a += best >= 2 ? static_cast<char>('0' + best - 1) : best == 1 ? '.' : '?';  // 1 = blank, 0 = PAD
    }
    fp.questions.push_back(q);
    fp.answers.push_back(a);
  }
  return fp;
}

const std::string kQuestion = "4...3.......6..8..........1....5..9..8....6...7.2........1.27..5.3....4.9........";

// ---------------------------------------------------------------------------------------------------------------
// Bad input: typed one-line errors with the design's exit codes (2 options, 3 model, 4 puzzle, 5 io).

TEST(Cli, UsageErrors) {
  expect_error({}, 2, "missing subcommand");
  expect_error({"frobnicate"}, 2, "unknown subcommand");
  EXPECT_EQ(run({"--help"}).code, 0);
}

TEST(Cli, BadOptions) {
  const std::vector<std::string> base = {"solve", "--model", kModel, "--puzzle", kQuestion};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> a = base;
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  };
  expect_error(with({"--bogus", "1"}), 2, "--bogus");
  expect_error(with({"--k"}), 2, "needs a value");
  expect_error(with({"--k", "--json"}), 2, "needs a value");
  expect_error(with({"--k", "0"}), 2, "k");
  expect_error(with({"--k", "100000"}), 2, "k");
  expect_error(with({"--k", "4x"}), 2, "expected an integer");
  expect_error(with({"--sigma", "nan"}), 2, "finite");
  expect_error(with({"--sigma", "inf"}), 2, "finite");
  expect_error(with({"--sigma", "-1"}), 2, "sigma");
  expect_error(with({"--steps", "0"}), 2, "steps");
  expect_error(with({"--steps", "-3"}), 2, "steps");
  expect_error(with({"--seed", "-1"}), 2, "--seed");
  expect_error(with({"--threads", "0"}), 2, "--threads");
  expect_error(with({"--noise-on", "x"}), 2, "--noise-on");
  expect_error(with({"--stop-on-valid", "always"}), 2, "--stop-on-valid");
  expect_error(with({"--select", "first"}), 2, "--select");
  expect_error(with({"--json=1"}), 2, "takes no value");
  expect_error(with({"--k", "2", "--k", "3"}), 2, "twice");
  expect_error(with({"stray"}), 2, "unexpected argument");
  expect_error(with({"--task", "maze"}), 2, "does not match");
  expect_error({"solve", "--puzzle", kQuestion}, 2, "--model");
  expect_error({"solve", "--model", kModel}, 2, "--puzzle");

  const std::vector<std::string> ev = {"eval", "--model", kModel, "--data", "/nonexistent.csv"};
  auto eval_with = [&](std::vector<std::string> extra) {
    std::vector<std::string> a = ev;
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  };
  expect_error(eval_with({"--shard", "3/2"}), 2, "--shard");
  expect_error(eval_with({"--shard", "2/2"}), 2, "--shard");
  expect_error(eval_with({"--shard", "1/0"}), 2, "--shard");
  expect_error(eval_with({"--shard", "a/b"}), 2, "--shard");
  expect_error(eval_with({"--k", "1,4,4"}), 2, "increasing");
  expect_error(eval_with({"--k", "1,,4"}), 2, "--k");
  expect_error(eval_with({"--k", "0,4"}), 2, "--k");
  expect_error(eval_with({"--k", "1,100000"}), 2, "k");
  expect_error(eval_with({"--limit", "0"}), 2, "--limit");
  expect_error(eval_with({"--buckets", "difficulty"}), 2, "--buckets");
  expect_error(eval_with({"--buckets", "rating", "--bucket-width", "0"}), 2, "--bucket-width");

  expect_error({"bench", "--k", "0"}, 2, "--k");
  expect_error({"bench", "--config", "rnn"}, 2, "--config");
  expect_error({"bench", "--steps", "0"}, 2, "--steps");
}

TEST(Cli, BadFilesAndModels) {
  TempDir dir;
  expect_error({"solve", "--model", dir.file("missing.safetensors"), "--puzzle", kQuestion}, 5, "missing");
  expect_error({"solve", "--model", kModel, "--puzzle", "@" + dir.file("missing.txt")}, 5, "missing.txt");
  expect_error({"eval", "--model", kModel, "--data", dir.file("missing.csv")}, 5, "missing.csv");

  expect_error({"solve", "--model", dir.file(""), "--puzzle", kQuestion}, 5, "directory");
  expect_error({"solve", "--model", kModel, "--puzzle", "@" + dir.file("")}, 5, "directory");
  expect_error({"eval", "--model", kModel, "--data", dir.file("")}, 5, "directory");

  std::string garbage = dir.write("garbage.safetensors", "this is not a model file at all");
  expect_error({"solve", "--model", garbage, "--puzzle", kQuestion}, 3, "BadModel");

  std::string bytes = slurp(kModel);
  std::string truncated = dir.write("truncated.safetensors", bytes.substr(0, bytes.size() / 2));
  expect_error({"solve", "--model", truncated, "--puzzle", kQuestion}, 3, "BadModel");

  // A header length far beyond the file: must be rejected before any allocation of that size.
  std::string huge = bytes;
  for (int i = 0; i < 8; ++i) huge[i] = static_cast<char>(i == 5 ? 0x7f : 0);
  std::string bad_header = dir.write("huge_header.safetensors", huge);
  expect_error({"solve", "--model", bad_header, "--puzzle", kQuestion}, 3, "BadModel");
}

TEST(Cli, BadPuzzles) {
  TempDir dir;
  expect_error({"solve", "--model", kModel, "--puzzle", "123"}, 4, "BadPuzzle");
  expect_error({"solve", "--model", kModel, "--puzzle", std::string(80, '.') + "x"}, 4, "BadPuzzle");
  std::string empty = dir.write("empty.txt", "");
  expect_error({"solve", "--model", kModel, "--puzzle", "@" + empty}, 4, "BadPuzzle");

  std::string ragged = dir.write("ragged.csv", "source,question,answer\ns," + kQuestion + "\n");
  expect_error({"eval", "--model", kModel, "--data", ragged}, 4, "line 2");
  std::string no_answer = dir.write("noanswer.csv", "source,question\ns," + kQuestion + "\n");
  expect_error({"eval", "--model", kModel, "--data", no_answer}, 4, "answer");
  std::string bad_cell = dir.write("badcell.csv", "question,answer\n" + kQuestion + "," + kQuestion + "\n" +
                                                      kQuestion.substr(1) + "," + kQuestion + "\n");
  expect_error({"eval", "--model", kModel, "--data", bad_cell}, 4, "line 3");
  std::string open_quote = dir.write("quote.csv", "question,answer\n\"" + kQuestion + "," + kQuestion + "\n");
  expect_error({"eval", "--model", kModel, "--data", open_quote}, 4, "unterminated");
  std::string header_only = dir.write("header.csv", "question,answer\n");
  expect_error({"eval", "--model", kModel, "--data", header_only}, 4, "no puzzles");
}

// ---------------------------------------------------------------------------------------------------------------
// Results.

TEST(Cli, SolveMatchesReferenceRollout) {
  FixturePuzzles fp = fixture_puzzles();
  ASSERT_FALSE(fp.questions.empty());
  for (size_t b = 0; b < fp.questions.size(); ++b) {
    Json j = run_json({"solve", "--model", kModel, "--puzzle", fp.questions[b], "--json"});
    ASSERT_TRUE(j.is_object());
    EXPECT_EQ(j.find("answer")->as_string(), fp.answers[b]) << "puzzle " << b;
    EXPECT_EQ(j.find("chosen")->as_number(), 0);
    EXPECT_EQ(j.find("trajectories")->as_array().size(), 1u);
  }
}

// `--threads 256` runs with the CPUs this process can use and says so (issue 12 fault 5); same answer as 1
// thread. Counts and answers only: nothing here is timed.
TEST(Cli, ThreadsAboveAvailableAreClampedWithANote) {
  const int cpus = ptrm::available_cpus();
  CliRun r = run({"solve", "--model", kModel, "--puzzle", kQuestion, "--json", "--threads", "256"});
  ASSERT_EQ(r.code, 0) << r.err;
  if (cpus < 256) {
    EXPECT_NE(r.err.find("note: --threads 256 is more than the " + std::to_string(cpus) +
                         " CPU(s) this process can use; using " + std::to_string(cpus)),
              std::string::npos)
        << r.err;
  }
  Json one = run_json({"solve", "--model", kModel, "--puzzle", kQuestion, "--json"});
  EXPECT_EQ(Json::parse(r.out).find("answer")->as_string(), one.find("answer")->as_string());
}

TEST(Cli, SolveJsonAndText) {
  TempDir dir;
  std::string puzzle_file = dir.write("p.txt", kQuestion.substr(0, 40) + "\n" + kQuestion.substr(40) + "\n");
  Json j = run_json({"solve", "--model", kModel, "--puzzle", "@" + puzzle_file, "--k", "6", "--sigma", "0.5", "--seed",
                     "3", "--json"});
  ASSERT_TRUE(j.is_object());
  const auto& trajs = j.find("trajectories")->as_array();
  ASSERT_EQ(trajs.size(), 6u);
  int best = static_cast<int>(j.find("selection")->find("best_q")->as_number());
  int mode = static_cast<int>(j.find("selection")->find("mode")->as_number());
  EXPECT_EQ(j.find("chosen")->as_number(), best);
  EXPECT_EQ(j.find("answer")->as_string(), trajs[best].find("answer")->as_string());
  int agree = 0;
  for (const Json& t : trajs) {
    EXPECT_LE(t.find("q_halt")->as_number(), trajs[best].find("q_halt")->as_number());
    EXPECT_EQ(t.find("steps")->as_number(), 16);
    bool same = t.find("answer")->as_string() == trajs[mode].find("answer")->as_string();
    EXPECT_EQ(t.find("agrees_with_mode")->as_bool(), same);
    agree += same;
  }
  EXPECT_EQ(j.find("selection")->find("mode_count")->as_number(), agree);
  EXPECT_EQ(j.find("traj_steps_run")->as_number(), 6 * 16);
  EXPECT_EQ(j.find("select")->as_string(), "bestQ");
  EXPECT_EQ(j.find("selection")->find("chosen")->as_number(), best);

  // --select mode: the engine's mode trajectory is the answer, printed as chosen.
  Json m = run_json({"solve", "--model", kModel, "--puzzle", kQuestion, "--k", "6", "--sigma", "0.5", "--seed", "3",
                     "--select", "mode", "--json"});
  ASSERT_TRUE(m.is_object());
  EXPECT_EQ(m.find("select")->as_string(), "mode");
  EXPECT_EQ(m.find("chosen")->as_number(), mode);
  EXPECT_EQ(m.find("answer")->as_string(), trajs[mode].find("answer")->as_string());

  // --select vote: the engine's vote trajectory (reported whatever the policy) is the answer, printed as chosen; it
  // is the best-Q member of its answer.
  int vote = static_cast<int>(j.find("selection")->find("vote")->as_number());
  Json v = run_json({"solve", "--model", kModel, "--puzzle", kQuestion, "--k", "6", "--sigma", "0.5", "--seed", "3",
                     "--select", "vote", "--json"});
  ASSERT_TRUE(v.is_object());
  EXPECT_EQ(v.find("select")->as_string(), "vote");
  EXPECT_EQ(v.find("selection")->find("policy")->as_string(), "vote");
  EXPECT_EQ(v.find("chosen")->as_number(), vote);
  EXPECT_EQ(v.find("selection")->find("chosen")->as_number(), vote);
  EXPECT_EQ(v.find("selection")->find("vote")->as_number(), vote);
  EXPECT_EQ(v.find("answer")->as_string(), trajs[vote].find("answer")->as_string());
  for (const Json& t : trajs)
    if (t.find("answer")->as_string() == trajs[vote].find("answer")->as_string())
      EXPECT_LE(t.find("q_halt")->as_number(), trajs[vote].find("q_halt")->as_number());

  // Same run, human-readable.
  CliRun r = run({"solve", "--model", kModel, "--puzzle", kQuestion, "--k", "6", "--sigma", "0.5", "--seed", "3",
                  "--threads", "1"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("trajectory " + std::to_string(best) + " of 6"), std::string::npos) << r.out;
  EXPECT_TRUE(r.err.empty()) << r.err;

  // Early exit on q_halt: fewer trajectory-steps unless no q_halt ever turns positive.
  Json h = run_json({"solve", "--model", kModel, "--puzzle", kQuestion, "--k", "6", "--sigma", "0.5", "--seed", "3",
                     "--halt-on-q", "--steps", "4", "--json"});
  ASSERT_TRUE(h.is_object());
  EXPECT_EQ(h.find("traj_steps_budget")->as_number(), 24);
  int64_t run_steps = 0;
  for (const Json& t : h.find("trajectories")->as_array()) {
    run_steps += static_cast<int64_t>(t.find("steps")->as_number());
    bool halted = t.find("stop")->as_string() == "haltQ";
    EXPECT_EQ(halted, t.find("q_halt")->as_number() > 0);
  }
  EXPECT_EQ(h.find("traj_steps_run")->as_number(), run_steps);
}

// The tiny fixture model rewired so that every answer cell is blank, whatever the puzzle: untrained answers have
// conflicting digits and PAD, which are not valid CSV labels, while "81 blanks" is. The last block's channel
// SwiGLU gets up = gate (so silu(g)·g >= 0) and a rank-1 down projection of size 1e3 along the all-ones vector,
// which swamps the residual: zH ends up ≈ all-ones at every position, and lm_head row 1 (blank) = ones wins.
std::string blank_answer_model(const TempDir& dir) {
  auto st = ptrm::SafeTensors::open(kModel);
  ptrm::ModelConfig c = ptrm::ModelConfig::from_safetensors(st);
  const std::string last = "L_level.layers." + std::to_string(c.L_layers - 1) + ".mlp.";
  std::vector<ptrm::TensorToWrite> tensors;
  for (const std::string& name : st.names()) {
    const ptrm::TensorInfo& info = st.info(name);
    std::vector<float> w = st.read_f32(name, info.shape);
    const int64_t cols = info.shape.size() == 2 ? info.shape[1] : 1;
    if (name == "lm_head.weight") {
      for (size_t i = 0; i < w.size(); ++i) w[i] = i / cols == 1 ? 1.0f : 0.0f;
    } else if (name == last + "gate_up_proj.weight") {
      std::copy(w.begin(), w.begin() + w.size() / 2, w.begin() + w.size() / 2);
    } else if (name == last + "down_proj.weight") {
      std::fill(w.begin(), w.end(), 1e3f);
    }
    tensors.push_back(ptrm::TensorToWrite::from_f32(name, info.shape, w, info.dtype));
  }
  std::string path = dir.file("blank.safetensors");
  ptrm::write_safetensors(path, tensors, st.metadata());
  return path;
}

// eval's accuracies must equal what solve reports puzzle by puzzle; the smaller K are prefixes of the largest.
TEST(Cli, EvalAgreesWithSolve) {
  FixturePuzzles fp = fixture_puzzles();
  ASSERT_GE(fp.questions.size(), 3u);
  TempDir dir;
  const std::string kModel = blank_answer_model(dir);
  const std::vector<std::string> noisy = {"--sigma", "0.5", "--seed", "11", "--steps", "6"};
  auto solve_json = [&](const std::string& q, int k, bool with_noise) {
    std::vector<std::string> a = {"solve", "--model", kModel, "--puzzle", q, "--k", std::to_string(k), "--json"};
    if (with_noise) a.insert(a.end(), noisy.begin(), noisy.end());
    else a.insert(a.end(), {"--steps", "6"});
    return run_json(a);
  };
  std::vector<Json> det, ptrm4;
  for (int p = 0; p < 3; ++p) {
    det.push_back(solve_json(fp.questions[p], 1, false));
    ptrm4.push_back(solve_json(fp.questions[p], 4, true));
    ASSERT_TRUE(det.back().is_object() && ptrm4.back().is_object());
  }
  // Labels: puzzle 0 = its deterministic answer, 1 = its best-Q@4 answer, 2 = its question (never an answer).
  std::vector<std::string> labels = {det[0].find("answer")->as_string(), ptrm4[1].find("answer")->as_string(),
                                     fp.questions[2]};
  EXPECT_EQ(labels[0], std::string(81, '.'));
  std::string csv = "source,question,answer,rating\n";
  for (int p = 0; p < 3; ++p)
    csv += "fixture," + fp.questions[p] + "," + labels[p] + "," + std::to_string(7 * p) + "\r\n";
  std::string data = dir.write("set.csv", csv);

  Json e = run_json({"eval", "--model", kModel, "--data", data, "--k", "1,2,4", "--sigma", "0.5", "--seed", "11",
                     "--steps", "6", "--json"});
  ASSERT_TRUE(e.is_object());
  EXPECT_EQ(e.find("n")->as_number(), 3);
  int det_correct = 0;
  for (int p = 0; p < 3; ++p) det_correct += det[p].find("answer")->as_string() == labels[p];
  EXPECT_GE(det_correct, 1);
  EXPECT_EQ(e.find("deterministic_count")->as_number(), det_correct);

  const auto& results = e.find("results")->as_array();
  ASSERT_EQ(results.size(), 3u);
  const int ks[] = {1, 2, 4};
  for (int i = 0; i < 3; ++i) {
    const Json& r = results[i];
    EXPECT_EQ(r.find("k")->as_number(), ks[i]);
    int best_q = 0, pass = 0, vote = 0;
    for (int p = 0; p < 3; ++p) {
      // vote@k: what `solve --k k` chooses with --select vote (a K=k run is the first k trajectories of a K=4 run).
      Json vk = solve_json(fp.questions[p], ks[i], true);
      const auto& vt = vk.find("trajectories")->as_array();
      vote += vt[static_cast<size_t>(vk.find("selection")->find("vote")->as_number())].find("answer")->as_string() ==
              labels[p];
      const auto& trajs = ptrm4[p].find("trajectories")->as_array();
      int best = 0;  // best-Q over the prefix, ties to the lowest index
      bool any = false;
      for (int t = 0; t < ks[i]; ++t) {
        if (trajs[t].find("q_halt")->as_number() > trajs[best].find("q_halt")->as_number()) best = t;
        any = any || trajs[t].find("answer")->as_string() == labels[p];
      }
      best_q += trajs[best].find("answer")->as_string() == labels[p];
      pass += any;
    }
    EXPECT_EQ(r.find("counts")->find("best_q")->as_number(), best_q) << "K=" << ks[i];
    EXPECT_EQ(r.find("counts")->find("pass")->as_number(), pass) << "K=" << ks[i];
    EXPECT_EQ(r.find("counts")->find("vote")->as_number(), vote) << "K=" << ks[i];
    EXPECT_LE(r.find("counts")->find("mode")->as_number(), pass);
    EXPECT_DOUBLE_EQ(r.find("best_q")->as_number(), best_q / 3.0);
    EXPECT_DOUBLE_EQ(r.find("vote")->as_number(), vote / 3.0);
    const Json* ee = r.find("early_exit");
    ASSERT_NE(ee, nullptr);
    EXPECT_GE(ee->find("fired")->as_number(), ee->find("correct")->as_number());
  }
  EXPECT_EQ(results[2].find("counts")->find("best_q")->as_number() >= 1, true);  // puzzle 1 by construction
  EXPECT_GT(e.find("puzzles_per_s")->as_number(), 0);

  // Shards partition the rows; --limit takes a prefix; givens buckets partition the puzzles.
  int n = 0, best = 0;
  for (const char* s : {"0/2", "1/2"}) {
    Json part = run_json({"eval", "--model", kModel, "--data", data, "--k", "1,2,4", "--sigma", "0.5", "--seed", "11",
                          "--steps", "6", "--shard", s, "--json"});
    ASSERT_TRUE(part.is_object());
    n += static_cast<int>(part.find("n")->as_number());
    best += static_cast<int>(part.find("results")->as_array()[2].find("counts")->find("best_q")->as_number());
  }
  EXPECT_EQ(n, 3);
  EXPECT_EQ(best, results[2].find("counts")->find("best_q")->as_number());
  Json lim =
      run_json({"eval", "--model", kModel, "--data", data, "--limit", "1", "--steps", "6", "--k", "1", "--json"});
  ASSERT_TRUE(lim.is_object());
  EXPECT_EQ(lim.find("n")->as_number(), 1);
  EXPECT_EQ(lim.find("deterministic_count")->as_number(), 1);  // puzzle 0's label is its deterministic answer
  Json buckets = run_json(
      {"eval", "--model", kModel, "--data", data, "--steps", "6", "--k", "1", "--buckets", "givens", "--json"});
  ASSERT_TRUE(buckets.is_object());
  int bucket_n = 0;
  for (const Json& b : buckets.find("buckets")->as_array()) bucket_n += static_cast<int>(b.find("n")->as_number());
  EXPECT_EQ(bucket_n, 3);
  // Rating buckets come from the CSV column (ratings 0, 7, 14): width 10 puts puzzles 0+1 and 2 apart.
  Json rated = run_json({"eval", "--model", kModel, "--data", data, "--steps", "6", "--k", "1", "--buckets", "rating",
                         "--bucket-width", "10", "--json"});
  ASSERT_TRUE(rated.is_object());
  const auto& rb = rated.find("buckets")->as_array();
  ASSERT_EQ(rb.size(), 2u);
  EXPECT_EQ(rb[0].find("rating")->as_string(), "0-9");
  EXPECT_EQ(rb[0].find("n")->as_number(), 2);
  EXPECT_EQ(rb[1].find("rating")->as_string(), "10-19");
  EXPECT_EQ(rb[1].find("n")->as_number(), 1);
  EXPECT_EQ(rb[1].find("deterministic")->as_number(), 0);  // puzzle 2's label is never an answer
  std::string unrated = dir.write("unrated.csv", "question,answer\n" + fp.questions[0] + "," + labels[0] + "\n");
  expect_error({"eval", "--model", kModel, "--data", unrated, "--buckets", "rating"}, 4, "rating");
  std::string bad = dir.write("bad.csv", "question,answer,rating\n" + fp.questions[0] + "," + labels[0] + ",hard\n");
  expect_error({"eval", "--model", kModel, "--data", bad, "--buckets", "rating"}, 4, "line 2");
  CliRun text = run({"eval", "--model", kModel, "--data", data, "--steps", "6", "--k", "1,2", "--buckets", "givens",
                     "--threads", "1"});
  EXPECT_EQ(text.code, 0) << text.err;
  EXPECT_NE(text.out.find("deterministic TRM (K=1, sigma=0): 0.6667 (2/3)"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("best-Q     mode     vote     pass"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("givens "), std::string::npos) << text.out;
}

// ---------------------------------------------------------------------------------------------------------------
// Issue 12 regressions (hostile input, bounded memory).

// A FIFO with no writer given as --model, --puzzle @F or --data blocked forever (only directories were refused).
// `timeout` turns a hang into exit 124, so a regression fails instead of hanging the suite.
TEST(Cli, FifosAndDevicesAreRefusedWithoutBlocking) {
  TempDir dir;
  const std::string fifo = dir.file("fifo");
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  auto expect_refused = [&](const std::vector<std::string>& args, const std::string& needle) {
    std::string cmd = "timeout 20 " + shell_quote(PTRM_CLI);
    for (const auto& a : args) cmd += " " + shell_quote(a);
    cmd += " >" + dir.file("out") + " 2>" + dir.file("err") + " </dev/null";
    const int status = std::system(cmd.c_str());
    const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    const std::string err = slurp(dir.file("err"));
    EXPECT_EQ(code, 5) << cmd << "\n" << err;
    EXPECT_NE(err.find(needle), std::string::npos) << err;
  };
  expect_refused({"solve", "--model", fifo, "--puzzle", kQuestion}, "FIFO");
  expect_refused({"solve", "--model", kModel, "--puzzle", "@" + fifo}, "FIFO");
  expect_refused({"eval", "--model", kModel, "--data", fifo}, "FIFO");
  expect_refused({"solve", "--model", "/dev/zero", "--puzzle", kQuestion}, "character device");
  expect_refused({"eval", "--model", kModel, "--data", "/dev/zero"}, "character device");
}

// A model whose SwiGLU width rounds to 0 failed inside XNNPACK: exit 1 (Internal) instead of 3 (BadModel).
TEST(Cli, SwigluWidthZeroModelIsBadModel) {
  TempDir dir;
  ptrm::ModelConfig c = ptrm::ModelConfig::from_safetensors(ptrm::SafeTensors::open(kModel));
  c.expansion = 0.001;  // round(0.001 * D * 2/3) = 0 for the fixture's D
  ASSERT_EQ(c.inter(c.hidden_size), 0);
  const std::string path = dir.file("zero_width.safetensors");
  ptrm::write_safetensors(path, ptrm::test_support::model_tensors(c, 5), ptrm::test_support::model_metadata(c));
  expect_error({"solve", "--model", path, "--puzzle", kQuestion}, 3, "SwiGLU width of 0");
}

// Puzzle text is bounded (kMaxPuzzleBytes) before it is read whole.
TEST(Cli, HugePuzzleFileIsRefusedBySize) {
  TempDir dir;
  const std::string big = dir.write("big.txt", std::string(ptrm::kMaxPuzzleBytes + 1, '.'));
  expect_error({"solve", "--model", kModel, "--puzzle", "@" + big}, 5, "at most");
}

// --json printed the seed through a double: 2^64-1 came out as 1.8446744073709552e+19.
TEST(Cli, SeedIsPrintedExactly) {
  TempDir dir;
  Json s = run_json(
      {"solve", "--model", kModel, "--puzzle", kQuestion, "--steps", "1", "--seed", "18446744073709551615", "--json"});
  ASSERT_TRUE(s.is_object());
  CliRun r = run({"solve", "--model", kModel, "--puzzle", kQuestion, "--steps", "1", "--seed", "9007199254740993",
                  "--json", "--threads", "1"});
  EXPECT_NE(r.out.find("\"seed\":9007199254740993,"), std::string::npos) << r.out;
  r = run({"solve", "--model", kModel, "--puzzle", kQuestion, "--steps", "1", "--seed", "18446744073709551615",
           "--json", "--threads", "1"});
  EXPECT_NE(r.out.find("\"seed\":18446744073709551615,"), std::string::npos) << r.out;
  const std::string data = dir.write("one.csv", "question,answer\n" + kQuestion + "," + kQuestion + "\n");
  r = run({"eval", "--model", kModel, "--data", data, "--k", "1", "--steps", "1", "--seed", "18446744073709551615",
           "--json", "--threads", "1"});
  EXPECT_NE(r.out.find("\"seed\":18446744073709551615,"), std::string::npos) << r.out;
}

// `--buckets rating` did int arithmetic on ratings: INT_MAX with a wide bucket overflowed (UBSan at eval.cpp:224,
// and a bucket named "2147000000--2146967297"). Ratings are 64-bit now.
TEST(Cli, RatingBucketsUse64BitArithmetic) {
  TempDir dir;
  const std::string data =
      dir.write("rated.csv", "question,answer,rating\n" + kQuestion + "," + kQuestion + ",2147483647\n" + kQuestion +
                                 "," + kQuestion + ",9223372036854775807\n");
  Json e = run_json({"eval", "--model", kModel, "--data", data, "--k", "1", "--steps", "1", "--buckets", "rating",
                     "--bucket-width", "1000000", "--json"});
  ASSERT_TRUE(e.is_object());
  const auto& b = e.find("buckets")->as_array();
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b[0].find("rating")->as_string(), "2147000000-2147999999");
  EXPECT_EQ(b[1].find("rating")->as_string(), "9223372036854000000-9223372036854775807");
  const std::string over =
      dir.write("over.csv", "question,answer,rating\n" + kQuestion + "," + kQuestion + ",9223372036854775808\n");
  expect_error({"eval", "--model", kModel, "--data", over, "--buckets", "rating"}, 4, "64-bit");
}

// Peak memory of the children this process has waited for (Linux: kilobytes -> bytes).
size_t children_peak_bytes() {
  struct rusage ru {};
  getrusage(RUSAGE_CHILDREN, &ru);
  return static_cast<size_t>(ru.ru_maxrss) * 1024;
}

// eval held every row's K results at once (8,000 rows at K=1024: 1.3 GB and rising) and sized one Session batch
// for all rows x K. It streams the CSV in chunks now: three times the rows must not cost more memory. (Under ASan the
// allocator's quarantine blurs RSS.)
TEST(Cli, EvalMemoryDoesNotGrowWithRows) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "RSS is not meaningful under AddressSanitizer";
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  GTEST_SKIP() << "RSS is not meaningful under AddressSanitizer";
#endif
#endif
  TempDir dir;
  auto csv = [&](int rows) {
    std::string text = "question,answer\n";
    for (int i = 0; i < rows; ++i) text += kQuestion + "," + kQuestion + "\n";
    return dir.write("rows" + std::to_string(rows) + ".csv", text);
  };
  const std::vector<std::string> opts = {"--k", "1", "--steps", "1", "--threads", "1", "--json"};
  std::vector<std::string> small = {"eval", "--model", kModel, "--data", csv(300)};
  small.insert(small.end(), opts.begin(), opts.end());
  ASSERT_EQ(run(small).code, 0);
  const size_t peak_small = children_peak_bytes();
  std::vector<std::string> large = {"eval", "--model", kModel, "--data", csv(900)};
  large.insert(large.end(), opts.begin(), opts.end());
  CliRun r = run(large);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(Json::parse(r.out).find("n")->as_number(), 900);
  const size_t peak_large = children_peak_bytes();  // max over both runs
  // All rows in one Session batch (368 kB a row for this fixture) and all their results would add ~220 MB.
  EXPECT_LT(peak_large, peak_small + (8u << 20))
      << "peak " << (peak_small >> 20) << " MiB at 300 rows, " << (peak_large >> 20) << " MiB at 900 rows";
}

// The bench runs the official-size configs; one step at K=1 keeps this test to a few seconds. The weights it
// saves must load as a model the CLI can solve with.
TEST(Cli, BenchAndSavedWeights) {
  TempDir dir;
  Json b =
      run_json({"bench", "--config", "mlp_t", "--k", "1", "--steps", "1", "--save-weights", dir.file("w"), "--json"});
  ASSERT_TRUE(b.is_object());
  const auto& results = b.find("results")->as_array();
  ASSERT_EQ(results.size(), 1u);
  const Json& r = results[0];
  EXPECT_EQ(r.find("config")->as_string(), "mlp_t");
  // MLP-t Sudoku: 21 net calls x 2 blocks x (token + channel SwiGLU) + lm_head, analytically 25.63 GFLOP/step.
  EXPECT_NEAR(r.find("gflop_per_step")->as_number(), 25.632, 0.001);
  EXPECT_GT(r.find("ms_per_step")->as_number(), 0);
  EXPECT_GT(r.find("gemm_ms")->as_number(), 0);
  std::string weights = dir.file("w") + "/bench-mlp_t.safetensors";
  ASSERT_TRUE(fs::exists(weights));
  Json s = run_json({"solve", "--model", weights, "--puzzle", kQuestion, "--steps", "1", "--json"});
  ASSERT_TRUE(s.is_object());
  EXPECT_EQ(s.find("answer")->as_string().size(), 81u);
}

}  // namespace
