// Task factory: maps (kind, board) to a codec and rejects unsupported combinations.
#include "codecs.h"
#include "ptrm/config.h"
#include "ptrm/errors.h"

namespace ptrm {

constexpr int kMaxMazeSide = 64;  // 4096 tokens; far above Maze-Hard's 30 while bounding compute per puzzle

std::unique_ptr<Task> make_task(std::string_view kind, int board) {
  if (kind == "sudoku") {
    if (board != 9 && board != 6)
      throw Error(ErrorKind::BadOptions, "sudoku board must be 9 or 6, got " + std::to_string(board));
    return detail::make_sudoku_task(board);
  }
  if (kind == "maze") {
    if (board < 2 || board > kMaxMazeSide)
      throw Error(ErrorKind::BadOptions,
                  "maze board must be in [2, " + std::to_string(kMaxMazeSide) + "], got " + std::to_string(board));
    return detail::make_maze_task(board);
  }
  if (kind == "arc") {
    if (board != arc::kCanvas) throw Error(ErrorKind::BadOptions, "arc board must be 30, got " + std::to_string(board));
    return detail::make_arc_task();
  }
  throw Error(ErrorKind::BadOptions, "unknown task '" + std::string(kind) + "' (expected sudoku, maze or arc)");
}

std::unique_ptr<Task> make_task(const ModelConfig& config) {
  try {
    return make_task(config.task, config.board);
  } catch (const Error& e) {
    throw Error(ErrorKind::BadModel, std::string("model config: ") + e.what());
  }
}

}  // namespace ptrm
