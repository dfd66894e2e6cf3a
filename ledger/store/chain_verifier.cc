// The chain verifier; see chain_verifier.h.
#include "ledger/store/chain_verifier.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "ledger/ledger_state.h"
#include "ledger/status_macros.h"
#include "ledger/store/log_cursor.h"
#include "ledger/store/log_format.h"
#include "ledger/store/rocks_status.h"
#include "ledger/store/verify_request.h"
#include "rocksdb/db.h"

namespace grantledger {

using absl::StrCat;

absl::StatusOr<VerifyResult> VerifyChain(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* log,
                                         const Digest& head, uint64_t from, uint64_t to,
                                         const std::function<void(uint64_t)>& progress) {
  GL_ASSIGN_OR_RETURN(const VerifyRange range, ResolveVerifyRange(from, to, head.sequence));
  from = range.from;
  to = range.to;
  VerifyResult result;
  auto bad = [&](uint64_t sequence, std::string problem) {
    result.ok = false;
    result.first_bad_sequence = sequence;
    result.problem = std::move(problem);
    return result;
  };
  std::string expected_prev = GenesisHash();
  if (from > 1) {
    LogCursor cursor(&db, log);
    absl::StatusOr<LogValue> previous = cursor.Find(from - 1);
    if (!previous.ok()) return bad(from - 1, "the record before the range cannot be read");
    expected_prev = std::string(previous->hash);
  }
  result.last_good = Digest{from - 1, expected_prev};
  if (from > to) return result;
  // Walks the entries in key order: a missing or extra record shows as a sequence mismatch.
  rocksdb::ReadOptions one_pass;  // nothing of a whole-log walk is kept in the block cache
  one_pass.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(one_pass, log));
  std::vector<LogValue> records;
  uint64_t expected_sequence = from;
  for (it->SeekForPrev(EncodeSequence(from)); expected_sequence <= to; it->Next()) {
    if (!it->Valid()) {
      if (it->status().IsCorruption()) {
        return bad(expected_sequence,
                   StrCat("the stored bytes from this record on cannot be read (",
                          it->status().ToString(), ")"));
      }
      if (!it->status().ok()) break;
      if (expected_sequence == from) {
        it->Seek(EncodeSequence(from));  // no entry starts at or before `from`
        if (!it->Valid()) break;
      } else {
        break;
      }
    }
    absl::string_view key = View(it->key());
    const uint64_t first = key.size() == 8 ? DecodeSequence(key) : 0;
    records.clear();
    const bool intact = SplitLogEntry(View(it->value()), records);
    if (first > expected_sequence || first == 0 ||
        (first + records.size() <= expected_sequence && intact)) {
      return bad(expected_sequence,
                 StrCat("record ", expected_sequence, " is missing from the log"));
    }
    for (uint64_t sequence = expected_sequence; sequence - first < records.size() && sequence <= to;
         ++sequence) {
      const LogValue& value = records[sequence - first];
      if (ChainHash(expected_prev, value.record_bytes) != value.hash) {
        return bad(sequence, "the stored bytes do not match the record's hash (altered)");
      }
      v1::EventRecord record;
      if (!record.ParseFromArray(value.record_bytes.data(),
                                 static_cast<int>(value.record_bytes.size()))) {
        return bad(sequence, "the stored bytes do not parse as an event record");
      }
      if (record.sequence() != sequence)
        return bad(sequence, "the record names another sequence number");
      expected_prev = std::string(value.hash);
      result.last_good = Digest{sequence, expected_prev};
      ++result.checked;
      if (progress && result.checked % 4096 == 0) progress(result.checked);
      ++expected_sequence;
    }
    if (!intact && expected_sequence <= to) {
      return bad(expected_sequence, "the stored entry holding this record is damaged (altered)");
    }
  }
  GL_RETURN_IF_ERROR(FromRocks(it->status(), "reading the log"));
  if (expected_sequence <= to) {
    return bad(expected_sequence, StrCat("record ", expected_sequence, " is missing from the log"));
  }
  if (to == head.sequence && expected_prev != head.head_hash) {
    return bad(to, "the last record's hash differs from the head this ledger wrote (rewritten)");
  }
  return result;
}

}  // namespace grantledger
