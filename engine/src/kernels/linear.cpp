// Linear: XNNPACK fully-connected operator (fp32, or opt-in int8 weights with dynamically quantized inputs),
// weights packed once at creation.
#include <xnnpack.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <mutex>
#include <string>
#include <utility>

#include "kernels/kernels.h"
#include "ptrm/errors.h"

namespace ptrm {
namespace {

// kind: what a failure means. Creating an operator fails with invalid_parameter only for shapes the model file
// implied (e.g. a zero width), so there it is BadModel; anything else, or later, is Internal.
void check(xnn_status st, const char* what, ErrorKind kind = ErrorKind::Internal) {
  if (st == xnn_status_success) return;
  if (st != xnn_status_invalid_parameter) kind = ErrorKind::Internal;
  throw Error(kind, std::string("XNNPACK ") + what + " failed (status " + std::to_string(static_cast<int>(st)) + ")");
}

void init_xnnpack() {
  static std::once_flag once;
  static xnn_status status = xnn_status_success;
  std::call_once(once, [] { status = xnn_initialize(nullptr); });
  check(status, "initialisation (unsupported CPU?)");
}

}  // namespace

static_assert(sizeof(xnn_quantization_params_t) == sizeof(xnn_quantization_params) &&
              offsetof(xnn_quantization_params_t, scale) == offsetof(xnn_quantization_params, scale));

Linear::Linear(const float* weight, const float* bias, int in, int out, bool int8) : in_(in), out_(out) {
  init_xnnpack();
  const float inf = std::numeric_limits<float>::infinity();
  if (!int8) {
    check(xnn_create_fully_connected_nc_f32(in, out, in, out, weight, bias, -inf, inf, 0, nullptr, nullptr, &op_),
          ("create_fully_connected " + std::to_string(in) + " -> " + std::to_string(out)).c_str(), ErrorKind::BadModel);
    return;
  }
  // Per-output-channel symmetric int8 weights: q = round(w / scale), scale = max|w| / 127 (all-zero rows: 1).
  std::vector<int8_t> q(static_cast<size_t>(in) * out);
  std::vector<float> scale(out);
  for (int o = 0; o < out; ++o) {
    const float* w = weight + static_cast<size_t>(o) * in;
    float amax = 0.0f;
    for (int i = 0; i < in; ++i) amax = std::max(amax, std::abs(w[i]));
    scale[o] = amax > 0.0f ? amax / 127.0f : 1.0f;
    for (int i = 0; i < in; ++i)
      q[static_cast<size_t>(o) * in + i] =
          static_cast<int8_t>(std::lrintf(std::clamp(w[i] / scale[o], -127.0f, 127.0f)));
  }
  check(xnn_create_fully_connected_nc_qd8_f32_qc8w(in, out, in, out, scale.data(), q.data(), bias, -inf, inf, 0,
                                                   nullptr, nullptr, &op_),
        ("create_fully_connected (qd8-f32-qc8w) " + std::to_string(in) + " -> " + std::to_string(out)).c_str(),
        ErrorKind::BadModel);
  check(xnn_create_convert_nc_f32_qd8(0, &quant_), "create_convert (f32 → qd8)");
}

void Linear::release() {
  if (op_) xnn_delete_operator(op_);
  if (quant_) xnn_delete_operator(quant_);
  op_ = quant_ = nullptr;
}

Linear::~Linear() { release(); }

Linear::Linear(Linear&& o) noexcept
    : op_(std::exchange(o.op_, nullptr)), quant_(std::exchange(o.quant_, nullptr)), qx_(std::move(o.qx_)),
      qparams_(std::move(o.qparams_)), pool_(o.pool_), in_(o.in_), out_(o.out_), rows_(std::exchange(o.rows_, -1)) {}

Linear& Linear::operator=(Linear&& o) noexcept {
  if (this != &o) {
    release();
    op_ = std::exchange(o.op_, nullptr);
    quant_ = std::exchange(o.quant_, nullptr);
    qx_ = std::move(o.qx_);
    qparams_ = std::move(o.qparams_);
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
  const size_t m = static_cast<size_t>(rows);
  if (quant_) {
    qx_.resize(m * in_ + XNN_EXTRA_BYTES);
    qparams_.resize(m + XNN_EXTRA_QUANTIZATION_PARAMS);
    check(xnn_reshape_convert_nc_f32_qd8(quant_, m, in_, in_, in_, pool_), "reshape_convert (f32 → qd8)");
    check(xnn_reshape_fully_connected_nc_qd8_f32_qc8w(op_, m, pool_), "reshape_fully_connected (qd8)");
    return;
  }
  check(xnn_reshape_fully_connected_nc_f32(op_, m, pool_), "reshape_fully_connected");
}

void Linear::run(const float* in, float* out) {
  if (rows_ < 0) throw Error(ErrorKind::Internal, "Linear::run before reshape");
  if (rows_ == 0) return;
  if (quant_) {
    auto* qp = reinterpret_cast<xnn_quantization_params*>(qparams_.data());
    check(xnn_setup_convert_nc_f32_qd8(quant_, in, qx_.data(), qp), "setup_convert (f32 → qd8)");
    check(xnn_run_operator(quant_, pool_), "run_operator (f32 → qd8)");
    check(xnn_setup_fully_connected_nc_qd8_f32_qc8w(op_, qx_.data(), out, qp), "setup_fully_connected (qd8)");
    check(xnn_run_operator(op_, pool_), "run_operator (qd8)");
    return;
  }
  check(xnn_setup_fully_connected_nc_f32(op_, in, out), "setup_fully_connected");
  check(xnn_run_operator(op_, pool_), "run_operator");
}

}  // namespace ptrm
