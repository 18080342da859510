// Session: one TRM supervision step for a batch of rows, fp32, following the official trm.py
// (TinyRecursiveReasoningModel_ACTV1_Inner.forward). Read Session::step() top to bottom.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "model/blocks.h"
#include "ptrm/errors.h"
#include "ptrm/model.h"

namespace ptrm {

struct Session::Impl {
  Impl(const Model& model, ThreadPool& pool, int max_rows, Precision precision, int tile)
      : m(model), c(model.config), pool(pool), max_rows(max_rows),
        tile_max(tile > 0 ? std::min(tile, max_rows) : tile_rows(c, max_rows)), S(c.seq_total()), D(c.hidden_size),
        P(c.puzzle_emb_len), V(c.vocab_size), L(c.seq_len), scratch(c, tile_max),
        lm_head(model.lm_head.data(), nullptr, D, V) {
    if (c.pos_encodings == "rope" && !c.mlp_t) rope = RopeTables(S, c.head_dim(), static_cast<float>(c.rope_theta));
    for (const Model::Block& b : model.blocks) blocks.emplace_back(c, b, precision == Precision::Int8);
    const size_t state = static_cast<size_t>(max_rows) * S * D;
    zH.resize(state);
    zL.resize(state);
    x.resize(state);
    head_out.resize(static_cast<size_t>(tile_max) * S * V);
    logits.resize(static_cast<size_t>(max_rows) * L * V);
    q_halt.resize(max_rows);
    tokens.resize(static_cast<size_t>(max_rows) * L);
    puzzle_ids.resize(max_rows);
  }

  // Rows per tile: a step runs its whole recursion on one tile of rows before the next, so a tile's state and
  // block scratch stay in cache across the 2·H_cycles·(L_cycles+1) block calls instead of streaming through
  // memory once per GEMM. Rows are independent, so tiling never changes a bit of the result. kTileBytes was
  // measured (docs/benchmarks.md "Row tiles"): on session 4's sudoku9 (D=64, T2 n2), K=64 trajectories ran 1.2x
  // slower per trajectory batched whole (~23 MB of activations) than in tiles of 4-16 rows (1.4-5.7 MB); official-size
  // models (~2.8 MB a row) get one row per tile, where their GEMMs (M = S >= 97) are already compute-bound.
  static constexpr size_t kTileBytes = size_t{4} << 20;
  static int tile_rows(const ModelConfig& c, int max_rows) {
    const size_t row =
        (3 * static_cast<size_t>(c.seq_total()) * c.hidden_size + detail::BlockScratch::floats_per_row(c)) *
        sizeof(float);
    return static_cast<int>(std::clamp<size_t>(kTileBytes / row, 1, static_cast<size_t>(max_rows)));
  }

  // Every GEMM sees M = tile·S (or tile·D in the token MLP); operators are re-tiled only when the tile size
  // changes (a step has at most two sizes: see step()).
  void shape_ops(int tile) {
    if (op_rows == tile) return;
    for (detail::BlockRunner& b : blocks) b.reshape(tile, pool);
    lm_head.reshape(tile * S, pool);
    op_rows = tile;
  }

  // x = sqrt(D) · [puzzle_emb(id) padded to P·D | embed_tokens(tokens)] (+ learned positions, then · 1/√2).
  // The official forward recomputes x every step; it depends only on (tokens, id), so it is built at reset.
  void embed_row(int r) {
    float* xr = x.data() + static_cast<size_t>(r) * S * D;
    std::memset(xr, 0, sizeof(float) * P * D);
    if (c.puzzle_emb_ndim > 0)
      std::memcpy(xr, m.puzzle_emb.data() + static_cast<size_t>(puzzle_ids[r]) * c.puzzle_emb_ndim,
                  sizeof(float) * c.puzzle_emb_ndim);
    embedding(m.embed_tokens.data(), D, tokens.data() + static_cast<size_t>(r) * L, L, xr + static_cast<size_t>(P) * D);
    const bool learned = !m.embed_pos.empty();
    const float scale = static_cast<float>(std::sqrt(static_cast<double>(D)));
    for (size_t i = 0; i < static_cast<size_t>(S) * D; ++i) {
      float v = xr[i];
      if (learned) v = 0.707106781f * (v + m.embed_pos[i]);
      xr[i] = scale * v;
    }
  }

  // net(h, inj) = the L_layers blocks applied to h + inj (official ReasoningModule), in place on h: `tile` rows.
  void net(int tile, float* h, const float* inj_a, const float* inj_b) {
    add_injection(pool, h, inj_a, inj_b, static_cast<size_t>(tile) * S * D);
    for (detail::BlockRunner& b : blocks) b.forward(pool, h, scratch, rope.seq ? &rope : nullptr);
  }

  // Rows [r0, r0 + tile): logits = lm_head(zH)[:, P:], q_halt = q_head(zH[:, 0])[0] (bias included).
  void heads(int r0, int tile) {
    lm_head.run(zH.data() + static_cast<size_t>(r0) * S * D, head_out.data());
    for (int r = r0; r < r0 + tile; ++r) {
      std::memcpy(logits.data() + static_cast<size_t>(r) * L * V,
                  head_out.data() + (static_cast<size_t>(r - r0) * S + P) * V, sizeof(float) * L * V);
      const float* z0 = zH.data() + static_cast<size_t>(r) * S * D;
      float acc = 0.0f;
      for (int i = 0; i < D; ++i) acc += z0[i] * m.q_head_w[i];
      q_halt[r] = acc + m.q_head_b[0];
    }
  }

  const Model& m;
  const ModelConfig& c;
  ThreadPool& pool;
  int max_rows, tile_max, rows = 0, op_rows = -1;
  int S, D, P, V, L;
  detail::BlockScratch scratch;
  std::vector<detail::BlockRunner> blocks;
  Linear lm_head;
  RopeTables rope;
  std::vector<float> zH, zL, x, head_out, logits, q_halt;
  std::vector<int32_t> tokens, puzzle_ids;
};

Session::Session(const Model& model, ThreadPool& pool, int max_rows, Precision precision, int tile_rows) {
  if (max_rows < 1 || max_rows > 65536) throw Error(ErrorKind::BadOptions, "Session max_rows must be in 1..65536");
  if (tile_rows < 0) throw Error(ErrorKind::BadOptions, "Session tile_rows must be >= 0 (0 = automatic)");
  impl_ = std::make_unique<Impl>(model, pool, max_rows, precision, tile_rows);
}

Session::~Session() = default;

size_t Session::bytes_per_row(const ModelConfig& c) {
  const size_t S = c.seq_total(), D = c.hidden_size, V = c.vocab_size, L = c.seq_len;
  const size_t floats = 3 * S * D + S * V + L * V + 1 + detail::BlockScratch::floats_per_row(c);
  return floats * sizeof(float) + (L + 1) * sizeof(int32_t);
}

void Session::reset(int rows, const int32_t* tokens, const int32_t* puzzle_ids) {
  impl_->rows = 0;
  append_rows(rows, tokens, puzzle_ids);
}

void Session::append_rows(int rows, const int32_t* tokens, const int32_t* puzzle_ids) {
  Impl& s = *impl_;
  if (rows < 0 || rows > s.max_rows - s.rows)
    throw Error(ErrorKind::BadOptions, "starting " + std::to_string(rows) + " rows after " + std::to_string(s.rows) +
                                           "; this session holds at most " + std::to_string(s.max_rows));
  for (size_t i = 0; i < static_cast<size_t>(rows) * s.L; ++i)
    if (tokens[i] < 0 || tokens[i] >= s.V)
      throw Error(ErrorKind::BadPuzzle, "token " + std::to_string(tokens[i]) + " at position " +
                                            std::to_string(i % s.L) + " is outside the vocabulary (size " +
                                            std::to_string(s.V) + ")");
  for (int r = 0; r < rows; ++r)
    if (puzzle_ids[r] < 0 || puzzle_ids[r] >= s.c.num_puzzle_identifiers)
      throw Error(ErrorKind::BadPuzzle, "puzzle id " + std::to_string(puzzle_ids[r]) + " is outside 0.." +
                                            std::to_string(s.c.num_puzzle_identifiers - 1));
  const int first = s.rows;
  std::memcpy(s.tokens.data() + static_cast<size_t>(first) * s.L, tokens, sizeof(int32_t) * rows * s.L);
  std::memcpy(s.puzzle_ids.data() + first, puzzle_ids, sizeof(int32_t) * rows);
  for (int r = first; r < first + rows; ++r) {
    s.embed_row(r);
    for (int p = 0; p < s.S; ++p) {
      const size_t off = (static_cast<size_t>(r) * s.S + p) * s.D;
      std::memcpy(s.zH.data() + off, s.m.H_init.data(), sizeof(float) * s.D);
      std::memcpy(s.zL.data() + off, s.m.L_init.data(), sizeof(float) * s.D);
    }
    s.q_halt[r] = 0.0f;
  }
  std::memset(s.logits.data() + static_cast<size_t>(first) * s.L * s.V, 0, sizeof(float) * rows * s.L * s.V);
  s.rows = first + rows;
}

void Session::step(const std::function<void(int call, int row_begin, int row_end)>& before_inner) {
  Impl& s = *impl_;
  if (s.rows == 0) return;
  // Tiles of near-equal size (at most two sizes, so the operators are reshaped at most twice a step).
  const int tiles = (s.rows + s.tile_max - 1) / s.tile_max;
  for (int t = 0, r0 = 0; t < tiles; ++t) {
    const int tile = s.rows / tiles + (t < s.rows % tiles ? 1 : 0);
    s.shape_ops(tile);
    const size_t off = static_cast<size_t>(r0) * s.S * s.D;
    float* zH = s.zH.data() + off;
    float* zL = s.zL.data() + off;
    const float* x = s.x.data() + off;
    // T = H_cycles deep recursions of { n = L_cycles latent updates zL = net(zL, zH + x); answer update
    // zH = net(zH, zL) }. Inference needs no gradient, so the official no_grad / grad split is irrelevant here.
    int call = 0;
    for (int h = 0; h < s.c.H_cycles; ++h) {
      for (int i = 0; i < s.c.L_cycles; ++i) {
        if (before_inner) before_inner(call, r0, r0 + tile);
        ++call;
        s.net(tile, zL, zH, x);
      }
      s.net(tile, zH, zL, nullptr);
    }
    s.heads(r0, tile);
    r0 += tile;
  }
}

void Session::keep_rows(const std::vector<int>& rows) {
  Impl& s = *impl_;
  for (size_t i = 0; i < rows.size(); ++i)
    if (rows[i] < 0 || rows[i] >= s.rows || (i > 0 && rows[i] <= rows[i - 1]))
      throw Error(ErrorKind::Internal, "keep_rows needs strictly increasing row indices below rows()");
  // Destination index <= source index, so moving forward in place never overwrites a row still to be read.
  auto compact = [&](auto& v, size_t width) {
    for (size_t i = 0; i < rows.size(); ++i)
      if (static_cast<int>(i) != rows[i])
        std::memmove(v.data() + i * width, v.data() + rows[i] * width, sizeof(v[0]) * width);
  };
  const size_t state = static_cast<size_t>(s.S) * s.D;
  compact(s.zH, state);
  compact(s.zL, state);
  compact(s.x, state);
  compact(s.logits, static_cast<size_t>(s.L) * s.V);
  compact(s.q_halt, 1);
  compact(s.tokens, s.L);
  compact(s.puzzle_ids, 1);
  s.rows = static_cast<int>(rows.size());
}

void Session::argmax(int32_t* answer) const {
  const Impl& s = *impl_;
  for (size_t p = 0; p < static_cast<size_t>(s.rows) * s.L; ++p) {
    const float* l = s.logits.data() + p * s.V;
    int best = 0;
    for (int v = 1; v < s.V; ++v)
      if (l[v] > l[best]) best = v;
    answer[p] = best;
  }
}

const Model& Session::model() const { return impl_->m; }
int Session::rows() const { return impl_->rows; }
int Session::max_rows() const { return impl_->max_rows; }
int Session::seq_total() const { return impl_->S; }
float* Session::zH() { return impl_->zH.data(); }
float* Session::zL() { return impl_->zL.data(); }
const float* Session::zH() const { return impl_->zH.data(); }
const float* Session::zL() const { return impl_->zL.data(); }
const float* Session::logits() const { return impl_->logits.data(); }
const float* Session::q_halt() const { return impl_->q_halt.data(); }

}  // namespace ptrm
