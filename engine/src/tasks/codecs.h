// Internal: constructors of the concrete Task codecs, used by make_task (task.cpp). Board sizes are validated
// by the caller.
#pragma once

#include <memory>

#include "ptrm/tasks.h"

namespace ptrm::detail {

std::unique_ptr<Task> make_sudoku_task(int side);
std::unique_ptr<Task> make_maze_task(int side);
std::unique_ptr<Task> make_arc_task();

}  // namespace ptrm::detail
