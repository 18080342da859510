// `ptrm solve`: one puzzle, K trajectories; prints the chosen answer and a per-trajectory summary.
#include <chrono>
#include <climits>
#include <cmath>
#include <cstdio>

#include "cli.h"
#include "ptrm/errors.h"
#include "ptrm/json.h"
#include "ptrm/model.h"
#include "ptrm/tasks.h"

namespace ptrm::cli {
namespace {

float final_q(const TrajectoryResult& t) { return t.q_halt.empty() ? NAN : t.q_halt.back(); }

}  // namespace

int run_solve(const std::vector<std::string>& argv) {
  Args args(command("solve"), argv);
  SolveOptions options = sampler_options(args);
  options.k = static_cast<int>(args.integer("k", 1, INT_MIN, INT_MAX));
  options.halt_on_q = args.flag("halt-on-q");
  // The CLI spells "off" by leaving the flag out, so "none" is not one of its choices.
  options.stop_on_valid = parse_stop_on_valid(args.choice("stop-on-valid", "none"), "--stop-on-valid");
  options.select = parse_select(args.choice("select", "bestQ"), "--select");
  check_options(options);
  int threads = thread_count(args);
  std::string task_kind = args.choice("task", "");
  std::string model_path = args.required("model");
  std::string puzzle_text = text_or_file(args.required("puzzle"), kMaxPuzzleBytes);
  bool json = args.flag("json");

  require_file(model_path);
  Model model = Model::load_file(model_path);
  std::unique_ptr<Task> task = make_task(model.config);
  if (!task_kind.empty() && task_kind != task->name())
    throw Error(ErrorKind::BadOptions,
                "--task " + task_kind + " does not match the model, which solves " + task->name() + " puzzles");
  std::vector<int32_t> question = task->encode(puzzle_text);

  ThreadPool pool(threads);
  note_thread_clamp(pool);
  auto t0 = std::chrono::steady_clock::now();
  SolveResult result = solve(model, pool, *task, question, options);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  // The engine's selection (--select policy): the CLI prints it, never re-decides it.
  const Selection& sel = result.selection;
  const int chosen = sel.chosen;
  const TrajectoryResult& best = result.trajectories[chosen];
  const std::vector<int32_t>& mode_answer = result.trajectories[sel.mode].answer;
  int steps = options.steps ? options.steps : model.config.halt_max_steps;

  if (json) {
    Json::Array trajs;
    for (size_t t = 0; t < result.trajectories.size(); ++t) {
      const TrajectoryResult& tr = result.trajectories[t];
      float q = final_q(tr);
      trajs.push_back(Json::Object{{"traj", static_cast<int>(t)},
                                   {"q_halt", std::isfinite(q) ? Json(static_cast<double>(q)) : Json()},
                                   {"steps", tr.steps},
                                   {"stop", stop_reason_name(tr.stop)},
                                   {"valid", tr.valid},
                                   {"agrees_with_mode", tr.answer == mode_answer},
                                   {"answer", task->decode(tr.answer.data())}});
    }
    Json::Object out{{"task", task->name()},
                     {"answer", task->decode(best.answer.data())},
                     {"chosen", chosen},
                     {"select", select_name(sel.policy)},
                     {"valid", best.valid},
                     {"has_checker", task->has_checker()},
                     {"selection", Json::Object{{"policy", select_name(sel.policy)},
                                                {"chosen", sel.chosen},
                                                {"best_q", sel.best_q},
                                                {"mode", sel.mode},
                                                {"mode_count", sel.mode_count},
                                                {"vote", sel.vote}}},
                     {"k", options.k},
                     {"sigma", static_cast<double>(options.sigma)},
                     {"steps", steps},
                     {"seed", Json::exact(options.seed)},
                     {"trajectories", std::move(trajs)},
                     {"traj_steps_run", result.traj_steps_run},
                     {"traj_steps_budget", result.traj_steps_budget},
                     {"seconds", seconds}};
    std::printf("%s\n", Json(std::move(out)).dump().c_str());
    return 0;
  }

  const char* validity = !task->has_checker() ? "no checker for this task" : best.valid ? "valid" : "INVALID";
  std::printf("answer: trajectory %d of %d (select %s), %s\n%s\n", chosen, options.k, select_name(sel.policy), validity,
              task->render(best.answer.data()).c_str());
  std::printf("best-Q: trajectory %d; mode: trajectory %d (%d of %d agree); vote: trajectory %d\n", sel.best_q,
              sel.mode, sel.mode_count, options.k, sel.vote);
  std::printf("%.3f s, %lld of %lld trajectory-steps run (K=%d, sigma=%g, steps=%d, seed=%llu)\n", seconds,
              static_cast<long long>(result.traj_steps_run), static_cast<long long>(result.traj_steps_budget),
              options.k, static_cast<double>(options.sigma), steps, static_cast<unsigned long long>(options.seed));
  std::printf("%5s %9s %6s %-10s %-6s %s\n", "traj", "q_halt", "steps", "stop", "valid", "=mode");
  for (size_t t = 0; t < result.trajectories.size(); ++t) {
    const TrajectoryResult& tr = result.trajectories[t];
    std::printf("%5zu %9.3f %6d %-10s %-6s %s\n", t, static_cast<double>(final_q(tr)), tr.steps,
                stop_reason_name(tr.stop),
                !task->has_checker() ? "-"
                : tr.valid           ? "yes"
                                     : "no",
                tr.answer == mode_answer ? "yes" : "no");
  }
  return 0;
}

}  // namespace ptrm::cli
