// JSON parser + ModelConfig on arbitrary text. Invariants: only ptrm::Error escapes; a parsed document dumps to
// canonical JSON that parses back to the same dump; a parsed config serialises and re-parses to itself.
#include <string>

#include "fuzz_common.h"
#include "ptrm/config.h"
#include "ptrm/json.h"

using namespace ptrm;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const JsonLimits limits{1u << 20, 32, 1u << 14, 1u << 12};
  Json j;
  if (fuzz::only_ptrm_errors("Json::parse", [&] { j = Json::parse(text, ErrorKind::BadOptions, limits); })) {
    std::string dumped;
    PTRM_FUZZ_CHECK(fuzz::only_ptrm_errors("dump", [&] { dumped = j.dump(); }), "dump of a parsed value failed");
    Json back;
    PTRM_FUZZ_CHECK(
        fuzz::only_ptrm_errors("reparse", [&] { back = Json::parse(dumped, ErrorKind::BadOptions, limits); }),
        "canonical dump does not parse: " + dumped.substr(0, 200));
    PTRM_FUZZ_CHECK(back.dump() == dumped, "dump is not canonical");
  }
  ModelConfig c;
  if (fuzz::only_ptrm_errors("ModelConfig::from_json", [&] { c = ModelConfig::from_json(std::string(text)); })) {
    ModelConfig again;
    PTRM_FUZZ_CHECK(fuzz::only_ptrm_errors("config reparse", [&] { again = ModelConfig::from_json(c.to_json()); }),
                    "to_json of a valid config does not parse");
    PTRM_FUZZ_CHECK(again.to_json() == c.to_json(), "config round trip changed it");
    PTRM_FUZZ_CHECK(c.inter(c.hidden_size) > 0 && (!c.mlp_t || c.inter(c.seq_total()) > 0),
                    "a valid config has a zero SwiGLU width");
  }
  return 0;
}
