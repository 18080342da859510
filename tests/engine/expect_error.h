// Test helper: run `fn`, require it to throw ptrm::Error of `kind` whose message contains `substring`.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "ptrm/errors.h"

template <typename Fn>
::testing::AssertionResult ThrowsPtrm(Fn&& fn, ptrm::ErrorKind kind, const std::string& substring) {
  try {
    fn();
  } catch (const ptrm::Error& e) {
    if (e.kind() != kind)
      return ::testing::AssertionFailure() << "kind " << ptrm::error_kind_name(e.kind()) << ", expected "
                                           << ptrm::error_kind_name(kind) << " (message: " << e.what() << ")";
    if (std::string(e.what()).find(substring) == std::string::npos)
      return ::testing::AssertionFailure() << "message \"" << e.what() << "\" lacks \"" << substring << "\"";
    return ::testing::AssertionSuccess();
  } catch (const std::exception& e) {
    return ::testing::AssertionFailure() << "threw a non-ptrm exception: " << e.what();
  }
  return ::testing::AssertionFailure() << "did not throw";
}

#define EXPECT_PTRM_ERROR(stmt, kind, substring) \
  EXPECT_TRUE(ThrowsPtrm([&] { (void)(stmt); }, ptrm::ErrorKind::kind, substring))
