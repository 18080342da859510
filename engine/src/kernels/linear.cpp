// Linear: XNNPACK fully-connected operator (fp32), weights packed once at creation.
#include <xnnpack.h>

#include <cmath>
#include <limits>
#include <mutex>
#include <string>
#include <utility>

#include "ptrm/errors.h"
#include "kernels/kernels.h"

namespace ptrm {
namespace {

void check(xnn_status st, const char* what) {
  if (st != xnn_status_success)
    throw Error(ErrorKind::Internal, std::string("XNNPACK ") + what + " failed (status " +
                                         std::to_string(static_cast<int>(st)) + ")");
}

void init_xnnpack() {
  static std::once_flag once;
  static xnn_status status = xnn_status_success;
  std::call_once(once, [] { status = xnn_initialize(nullptr); });
  check(status, "initialisation (unsupported CPU?)");
}

}  // namespace

Linear::Linear(const float* weight, const float* bias, int in, int out) : in_(in), out_(out) {
  init_xnnpack();
  const float inf = std::numeric_limits<float>::infinity();
  check(xnn_create_fully_connected_nc_f32(in, out, in, out, weight, bias, -inf, inf, 0, nullptr, nullptr, &op_),
        "create_fully_connected");
}

Linear::~Linear() {
  if (op_) xnn_delete_operator(op_);
}

Linear::Linear(Linear&& o) noexcept
    : op_(std::exchange(o.op_, nullptr)), pool_(o.pool_), in_(o.in_), out_(o.out_), rows_(std::exchange(o.rows_, -1)) {}

Linear& Linear::operator=(Linear&& o) noexcept {
  if (this != &o) {
    if (op_) xnn_delete_operator(op_);
    op_ = std::exchange(o.op_, nullptr);
    pool_ = o.pool_;
    in_ = o.in_;
    out_ = o.out_;
    rows_ = std::exchange(o.rows_, -1);
  }
  return *this;
}

void Linear::reshape(int rows, ThreadPool& pool) {
  // Below ~1M multiply-adds (~30 µs on one core) waking the workers costs more than it saves.
  const bool small = static_cast<int64_t>(rows) * in_ * out_ < (int64_t{1} << 20);
  pool_ = small ? nullptr : pool.get();
  rows_ = rows;
  if (rows == 0) return;
  check(xnn_reshape_fully_connected_nc_f32(op_, static_cast<size_t>(rows), pool_), "reshape_fully_connected");
}

void Linear::run(const float* in, float* out) {
  if (rows_ < 0) throw Error(ErrorKind::Internal, "Linear::run before reshape");
  if (rows_ == 0) return;
  check(xnn_setup_fully_connected_nc_f32(op_, in, out), "setup_fully_connected");
  check(xnn_run_operator(op_, pool_), "run_operator");
}

}  // namespace ptrm
