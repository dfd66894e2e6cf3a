// libFuzzer target: a stored log entry as RocksDB would hand it back (ledger/store/log_format.h),
// split into records, each record parsed as an EventRecord and its hash checked against the
// chain; and the same bytes read as a by_grant index value. Properties: no crash or UB, a
// split that succeeds re-encodes to the same bytes, and a record whose hash matches the
// chain has exactly that hash.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "grantledger/v1/events.pb.h"
#include "ledger/store/log_format.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace grantledger;
  const absl::string_view entry(reinterpret_cast<const char*>(data), size);
  std::vector<LogValue> records;
  const bool whole = SplitLogEntry(entry, records);
  if (whole) {
    std::string rebuilt;
    for (const LogValue& r : records) AppendLogRecord(rebuilt, r.record_bytes, r.hash);
    if (rebuilt != entry) fuzz::Fail("a split log entry does not re-encode to its bytes");
  }
  std::string prev(kHashBytes, '\0');
  for (const LogValue& r : records) {
    if (r.hash.size() != kHashBytes) fuzz::Fail("a record's hash is not 32 bytes");
    v1::EventRecord record;
    if (!record.ParseFromArray(r.record_bytes.data(), static_cast<int>(r.record_bytes.size()))) {
      break;  // a damaged record: verify names it and stops
    }
    const std::string hash = ChainHash(prev, r.record_bytes);
    char into[kHashBytes];
    ChainHashInto(prev, r.record_bytes, into);
    if (hash != absl::string_view(into, kHashBytes)) fuzz::Fail("ChainHash != ChainHashInto");
    if (hash != r.hash) break;  // the chain breaks here
    prev = hash;
    (void)HexOf(record.prev_hash());
  }
  // The same bytes as a by_grant value.
  std::vector<uint64_t> sequences;
  if (DecodeGrantIndexValue(1, entry, sequences)) {
    for (size_t i = 1; i < sequences.size(); ++i) {
      if (sequences[i] <= sequences[i - 1]) fuzz::Fail("by_grant sequences do not ascend");
    }
  }
  if (size >= 8) (void)DecodeSequence(entry.substr(0, 8));
  return 0;
}
