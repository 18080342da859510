// The memory contract (docs/design.md "Memory contract"): a solve at the largest accepted K and steps on an
// official-size model stays under 1 GB peak natively, and the contract's bound for it fits the wasm heap.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <atomic>
#include <fstream>
#include <regex>
#include <sstream>

#include "../support/random_model.h"
#include "expect_error.h"
#include "ptrm/sampler.h"
#include "ptrm/tasks.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PTRM_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define PTRM_ASAN 1
#endif

namespace {

constexpr size_t kMiB = size_t{1} << 20;

// The official Maze-Hard 30x30 TRM (attention, D 512, 8 heads, expansion 4, 2 layers, 16 puzzle slots): the
// largest sequence of the official tasks (S = 916). Cycles do not change memory (each step reuses one set of
// buffers), so H_cycles = L_cycles = 1 keeps the one measured step short.
ptrm::ModelConfig official_maze30() {
  ptrm::ModelConfig c;
  c.hidden_size = 512;
  c.num_heads = 8;
  c.expansion = 4.0;
  c.L_layers = 2;
  c.H_cycles = 1;
  c.L_cycles = 1;
  c.halt_max_steps = 16;
  c.puzzle_emb_len = 16;
  c.puzzle_emb_ndim = 512;
  c.pos_encodings = "rope";
  c.mlp_t = false;
  c.vocab_size = 6;
  c.seq_len = 900;
  c.num_puzzle_identifiers = 1;
  c.task = "maze";
  c.board = 30;
  c.validate();
  return c;
}

size_t weight_floats(const ptrm::ModelConfig& c) {
  size_t n = 0;
  for (const ptrm::Model::TensorSpec& t : ptrm::Model::tensor_specs(c)) n += t.numel();
  return n;
}

// The contract's bound (docs/design.md): weights twice (fp32 + XNNPACK's packed copy) + the Session batch
// (<= kActivationBudgetBytes) + results (K x steps q values + K answers) + the step-event scratch.
size_t contract_bytes(const ptrm::ModelConfig& c, const ptrm::SolveOptions& o) {
  const size_t rows = static_cast<size_t>(ptrm::batch_rows(c, o, o.k));
  const size_t steps = o.steps ? o.steps : c.halt_max_steps;
  return 2 * weight_floats(c) * sizeof(float) + rows * ptrm::Session::bytes_per_row(c) +
         static_cast<size_t>(o.k) * (steps * sizeof(float) + c.seq_len * sizeof(int32_t) + 128);
}

// wasm/CMakeLists.txt's -sMAXIMUM_MEMORY (the heap the wasm engine can ever have).
size_t wasm_heap_bytes() {
  std::ifstream in(std::string(PTRM_SOURCE_DIR) + "/wasm/CMakeLists.txt");
  std::stringstream ss;
  ss << in.rdbuf();
  std::smatch m;
  const std::string text = ss.str();
  if (!std::regex_search(text, m, std::regex(R"(MAXIMUM_MEMORY=(\d+)(MB|GB))"))) return 0;
  return std::stoull(m[1]) * (m[2] == "GB" ? 1024 * kMiB : kMiB);
}

ptrm::SolveOptions largest_options() {
  ptrm::SolveOptions o;
  o.k = 1024;      // SolveOptions::validate's maximum
  o.steps = 1024;  // likewise
  o.sigma = 0.5f;
  o.seed = 7;
  o.stop_on_valid = ptrm::StopOnValid::Solve;  // once forced the batch up to K (4.1 GB here)
  o.halt_on_q = true;
  return o;
}

TEST(Memory, ContractBoundForLargestSolveFitsOneGigabyteAndTheWasmHeap) {
  const ptrm::ModelConfig c = official_maze30();
  const ptrm::SolveOptions o = largest_options();
  const size_t rows = static_cast<size_t>(ptrm::batch_rows(c, o, o.k));
  EXPECT_GE(rows, 1u);
  EXPECT_LE(rows * ptrm::Session::bytes_per_row(c), ptrm::kActivationBudgetBytes);
  const size_t bound = contract_bytes(c, o);
  EXPECT_LT(bound, 1024 * kMiB) << "contract bound " << bound / kMiB << " MiB";
  const size_t heap = wasm_heap_bytes();
  ASSERT_GT(heap, 0u) << "MAXIMUM_MEMORY not found in wasm/CMakeLists.txt";
  // The wasm module also holds its stack, static data and the JS-side model bytes until load returns.
  EXPECT_LT(bound + 64 * kMiB, heap) << "contract bound " << bound / kMiB << " MiB, wasm heap " << heap / kMiB;
}

TEST(Memory, LargestSolveOnOfficialSizeModelPeaksUnderOneGigabyte) {
#ifdef PTRM_ASAN
  GTEST_SKIP() << "peak RSS is meaningless under AddressSanitizer (shadow memory, quarantine)";
#endif
  const ptrm::ModelConfig c = official_maze30();
  const ptrm::Model model = ptrm::test_support::random_model(c, 1);
  const auto task = ptrm::make_task(c);
  std::string maze(900, ' ');
  maze[0] = 'S';
  maze[899] = 'G';
  const std::vector<int32_t> question = task->encode(maze);
  ptrm::ThreadPool pool(2);
  // One supervision step of the first batch is the peak: every Session buffer is written by then, later batches
  // reuse them, and results are reserved up front. The callback then cancels the (hours long) rest.
  int events = 0;
  EXPECT_PTRM_ERROR(ptrm::solve(model, pool, *task, question, largest_options(),
                                [&](const ptrm::StepEvent&) { return ++events < 1; }),
                    Cancelled, "cancel");
  EXPECT_EQ(events, 1);
  struct rusage ru {};
  ASSERT_EQ(getrusage(RUSAGE_SELF, &ru), 0);
  const size_t peak = static_cast<size_t>(ru.ru_maxrss) * 1024;  // Linux: kilobytes
  EXPECT_LT(peak, 1024 * kMiB) << "peak RSS " << peak / kMiB << " MiB";
  // The contract describes what is really held: the peak is within its bound plus the process itself.
  EXPECT_LT(peak, contract_bytes(c, largest_options()) + 96 * kMiB) << "peak RSS " << peak / kMiB << " MiB";
  std::printf("[memory] K=1024 steps=1024 maze30 official-size: peak RSS %zu MiB, contract bound %zu MiB, %d rows\n",
              peak / kMiB, contract_bytes(c, largest_options()) / kMiB, ptrm::batch_rows(c, largest_options(), 1024));
}

}  // namespace
