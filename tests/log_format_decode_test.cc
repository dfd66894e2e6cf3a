// Regressions found by fuzzing the log format's decoders (tests/fuzz/fuzz_log_entry.cc).
#include <cstdint>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "ledger/store/log_format.h"

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

TEST(LogFormatDecodeTest, ALengthNotInItsShortestFormIsDamaged) {
  // Found by fuzz_log_entry: 0x85 0x00 is a five written in two bytes. It split into the same
  // record as 0x05 did, so two different stored byte strings read the same.
  const std::string record = "abcde", hash(kHashBytes, 'h');
  std::string entry;
  AppendLogRecord(entry, record, hash);
  std::vector<LogValue> records;
  ASSERT_TRUE(SplitLogEntry(entry, records));
  ASSERT_EQ(records.size(), 1u);
  std::string padded = std::string("\x85\x00") + entry.substr(1);
  records.clear();
  EXPECT_FALSE(SplitLogEntry(padded, records));
  // The same in a by_grant value: a delta of 1 written as 0x81 0x00.
  std::vector<uint64_t> sequences;
  EXPECT_FALSE(DecodeGrantIndexValue(7, std::string("\x81\x00", 2), sequences));
}

TEST(LogFormatDecodeTest, AByGrantValueRoundTrips) {
  std::vector<uint64_t> sequences;
  ASSERT_TRUE(DecodeGrantIndexValue(7, EncodeGrantIndexValue({7, 8, 12, 300}), sequences));
  EXPECT_EQ(sequences, (std::vector<uint64_t>{7, 8, 12, 300}));
}

}  // namespace
}  // namespace grantledger
