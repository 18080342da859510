// safetensors reader + Model::load on arbitrary bytes. Invariants: only ptrm::Error escapes; whatever parses
// reads back every tensor (as f32 / i32 where the dtype allows) and re-serialises to bytes that parse to the same
// tensors and metadata.
#include <map>
#include <vector>

#include "fuzz_common.h"
#include "ptrm/model.h"
#include "ptrm/safetensors.h"

using namespace ptrm;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<uint8_t> bytes(data, data + size);
  SafeTensors st;
  if (!fuzz::only_ptrm_errors("SafeTensors::from_bytes", [&] { st = SafeTensors::from_bytes(bytes); })) return 0;

  std::vector<TensorToWrite> again;
  for (const std::string& name : st.names()) {
    const TensorInfo& info = st.info(name);
    const auto raw = st.raw(name);
    PTRM_FUZZ_CHECK(raw.size() == info.nbytes, "raw() size differs from the header's");
    fuzz::only_ptrm_errors("read_f32", [&] {
      auto v = st.read_f32(name, info.shape);
      PTRM_FUZZ_CHECK(v.size() * dtype_size(info.dtype) == info.nbytes, "read_f32 element count");
    });
    fuzz::only_ptrm_errors("read_i32", [&] { st.read_i32(name, info.shape); });
    // A wrong expected shape is always refused.
    std::vector<int64_t> wrong = info.shape;
    wrong.push_back(2);
    PTRM_FUZZ_CHECK(!fuzz::only_ptrm_errors("read_f32 wrong shape", [&] { st.read_f32(name, wrong); }),
                    "read_f32 accepted a wrong shape");
    if (!name.empty()) again.push_back(TensorToWrite{name, info.dtype, info.shape, {raw.begin(), raw.end()}});
  }
  // Round trip through the writer (names are non-empty and unique in a parsed file, so the writer accepts them).
  if (again.size() == st.names().size()) {
    std::vector<uint8_t> out;
    PTRM_FUZZ_CHECK(fuzz::only_ptrm_errors("safetensors_bytes", [&] { out = safetensors_bytes(again, st.metadata()); }),
                    "writer refused a parsed file's tensors");
    SafeTensors back;
    PTRM_FUZZ_CHECK(fuzz::only_ptrm_errors("reparse", [&] { back = SafeTensors::from_bytes(out); }),
                    "written file does not parse");
    PTRM_FUZZ_CHECK(back.names() == st.names() && back.metadata() == st.metadata(), "round trip changed the file");
    for (const std::string& name : st.names()) {
      const auto a = st.raw(name), b = back.raw(name);
      PTRM_FUZZ_CHECK(back.info(name).shape == st.info(name).shape && back.info(name).dtype == st.info(name).dtype &&
                          std::equal(a.begin(), a.end(), b.begin(), b.end()),
                      "round trip changed tensor " + name);
    }
  }
  fuzz::only_ptrm_errors("Model::load", [&] { Model::load(st); });
  return 0;
}
