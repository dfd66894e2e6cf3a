// Regressions found by fuzzing the log format's decoders (tests/fuzz/fuzz_log_entry.cc).
#include <cstdint>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "ledger/log_format.h"

namespace grantledger {
namespace {

TEST(LogFormatDecodeTest, AByGrantValueWhoseDeltasWrapAroundIsDamaged) {
  // Deltas of 2^62 each: the third addition passes 2^64 and would wrap to a smaller sequence.
  std::string value;
  for (int i = 0; i < 4; ++i) {
    uint64_t delta = uint64_t{1} << 62;
    while (delta >= 0x80) {
      value.push_back(static_cast<char>(delta | 0x80));
      delta >>= 7;
    }
    value.push_back(static_cast<char>(delta));
  }
  std::vector<uint64_t> sequences;
  EXPECT_FALSE(DecodeGrantIndexValue(1, value, sequences));
  for (size_t i = 1; i < sequences.size(); ++i) EXPECT_GT(sequences[i], sequences[i - 1]);
}

TEST(LogFormatDecodeTest, AByGrantValueRoundTrips) {
  std::vector<uint64_t> sequences;
  ASSERT_TRUE(DecodeGrantIndexValue(7, EncodeGrantIndexValue({7, 8, 12, 300}), sequences));
  EXPECT_EQ(sequences, (std::vector<uint64_t>{7, 8, 12, 300}));
}

}  // namespace
}  // namespace grantledger
