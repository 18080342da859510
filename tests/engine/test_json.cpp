#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "expect_error.h"
#include "ptrm/json.h"

using ptrm::ErrorKind;
using ptrm::Json;

TEST(Json, ParsesAllValueKinds) {
  Json j = Json::parse(R"( {"a": [1, -2.5e3, true, false, null], "b": {"c": "x\"y\\z\u00e9\ud83d\ude00"}} )");
  ASSERT_TRUE(j.is_object());
  const Json::Array& a = j.find("a")->as_array();
  ASSERT_EQ(a.size(), 5u);
  EXPECT_EQ(a[0].as_number(), 1);
  EXPECT_EQ(a[1].as_number(), -2500);
  EXPECT_TRUE(a[2].as_bool());
  EXPECT_FALSE(a[3].as_bool());
  EXPECT_TRUE(a[4].is_null());
  EXPECT_EQ(j.find("b")->find("c")->as_string(), "x\"y\\z\xc3\xa9\xf0\x9f\x98\x80");
  EXPECT_EQ(j.find("missing"), nullptr);
}

TEST(Json, DumpRoundTripsAndIsCanonical) {
  const std::string text = R"({"b":[1,2.5,-0.125,1e+300],"a":"tab\there\u0001","c":{}})";
  Json j = Json::parse(text);
  std::string dumped = j.dump();
  EXPECT_EQ(dumped, R"({"a":"tab\there\u0001","b":[1,2.5,-0.125,1.0000000000000001e+300],"c":{}})");
  EXPECT_EQ(Json::parse(dumped).dump(), dumped);
  // Doubles survive exactly.
  Json eps = Json::parse(Json(1e-5).dump());
  EXPECT_EQ(eps.as_number(), 1e-5);
  EXPECT_EQ(Json(int64_t{9007199254740992}).dump(), "9007199254740992");
}

TEST(Json, RejectsMalformedInputWithPosition) {
  EXPECT_PTRM_ERROR(Json::parse(""), BadOptions, "unexpected end");
  EXPECT_PTRM_ERROR(Json::parse("{\"a\":1,}"), BadOptions, "byte 7");
  EXPECT_PTRM_ERROR(Json::parse("[1 2]"), BadOptions, "expected ',' or ']'");
  EXPECT_PTRM_ERROR(Json::parse("01"), BadOptions, "trailing");
  EXPECT_PTRM_ERROR(Json::parse("1."), BadOptions, "digits after '.'");
  EXPECT_PTRM_ERROR(Json::parse("-"), BadOptions, "invalid number");
  EXPECT_PTRM_ERROR(Json::parse("1e999"), BadOptions, "out of range");
  EXPECT_PTRM_ERROR(Json::parse("NaN"), BadOptions, "unexpected character");
  EXPECT_PTRM_ERROR(Json::parse("tru"), BadOptions, "invalid literal");
  EXPECT_PTRM_ERROR(Json::parse("\"abc"), BadOptions, "unterminated string");
  EXPECT_PTRM_ERROR(Json::parse("\"a\nb\""), BadOptions, "control character");
  EXPECT_PTRM_ERROR(Json::parse("\"\\x\""), BadOptions, "invalid escape");
  EXPECT_PTRM_ERROR(Json::parse("\"\\ud800\""), BadOptions, "unpaired high surrogate");
  EXPECT_PTRM_ERROR(Json::parse("\"\\udc00\""), BadOptions, "unpaired low surrogate");
  EXPECT_PTRM_ERROR(Json::parse("\"\\u12G4\""), BadOptions, "hex digit");
  EXPECT_PTRM_ERROR(Json::parse("{\"a\":1,\"a\":2}"), BadOptions, "duplicate key");
  EXPECT_PTRM_ERROR(Json::parse("{1:2}"), BadOptions, "expected string key");
}

TEST(Json, ErrorKindIsTheCallers) {
  EXPECT_PTRM_ERROR(Json::parse("[", ErrorKind::BadModel), BadModel, "JSON parse error");
  EXPECT_PTRM_ERROR(Json::parse("[", ErrorKind::BadPuzzle), BadPuzzle, "JSON parse error");
}

TEST(Json, EnforcesDepthAndSizeLimits) {
  std::string deep(65, '[');
  deep += std::string(65, ']');
  EXPECT_PTRM_ERROR(Json::parse(deep), BadOptions, "nesting deeper than 64");
  std::string ok(64, '[');
  ok += std::string(64, ']');
  EXPECT_NO_THROW(Json::parse(ok));
  // Far beyond the limit must fail fast on depth, not overflow the stack.
  std::string very_deep(1 << 20, '[');
  EXPECT_PTRM_ERROR(Json::parse(very_deep), BadOptions, "nesting");
  EXPECT_PTRM_ERROR(Json::parse("[1,2,3]", ErrorKind::BadOptions, ptrm::JsonLimits{4, 64}), BadOptions, "too large");
}

TEST(Json, GetHelpersExplainWhatIsWrong) {
  Json j = Json::parse(R"({"i": 7, "f": 7.5, "s": "x", "b": true, "big": 1e300})");
  EXPECT_EQ(ptrm::get_int(j, "i"), 7);
  EXPECT_EQ(ptrm::get_double(j, "f"), 7.5);
  EXPECT_EQ(ptrm::get_string(j, "s"), "x");
  EXPECT_TRUE(ptrm::get_bool(j, "b"));
  EXPECT_PTRM_ERROR(ptrm::get_int(j, "f"), BadOptions, "key 'f': expected integer, got 7.5");
  EXPECT_PTRM_ERROR(ptrm::get_int(j, "big"), BadOptions, "expected integer");
  EXPECT_PTRM_ERROR(ptrm::get_int(j, "s"), BadOptions, "expected integer, got string");
  EXPECT_PTRM_ERROR(ptrm::get_string(j, "i"), BadOptions, "key 'i': expected string, got 7");
  EXPECT_PTRM_ERROR(ptrm::get_bool(j, "s"), BadOptions, "expected bool, got string");
  EXPECT_PTRM_ERROR(ptrm::get_bool(j, "nope", ErrorKind::BadModel), BadModel, "missing key 'nope'");
  EXPECT_PTRM_ERROR(ptrm::get_int(Json::parse("[1]"), "i"), BadOptions, "expected a JSON object");
}

TEST(Json, TypedAccessorMismatchIsInternal) {
  EXPECT_PTRM_ERROR(Json(1.0).as_string(), Internal, "not string");
  EXPECT_PTRM_ERROR(Json(std::nan("")).dump(), Internal, "non-finite");
}
