// Building log records and chaining them: the EventRecord bytes of a new record, written
// straight into a log entry (ledger/store/log_format.h), and the one loop that chains records
// onto an entry, each hashed with the one before it. The appending caller uses it to chain its
// batch ahead of validation, the writer thread for everything else (duplicates in the batch,
// restored records, a caller that did not chain ahead).
#ifndef GRANTLEDGER_LEDGER_STORE_RECORD_CHAIN_H_
#define GRANTLEDGER_LEDGER_STORE_RECORD_CHAIN_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "grantledger/v1/events.pb.h"
#include "ledger/store/log_format.h"

namespace grantledger {

// Appends one record to a log entry being built: its length, the EventRecord bytes
// (sequence, recorded time, the event and its author, written directly in field order so the
// event's bytes are serialized only once; the previous hash is chained in by the hash, not
// repeated), and its hash, which is also left in `hash` (kHashBytes). An empty author is
// left out (records written before authors were recorded, restored verbatim).
void AppendRecord(std::string& entry, uint64_t sequence, int64_t recorded_time_unix_micros,
                  absl::string_view event_bytes, absl::string_view author,
                  absl::string_view prev_hash, char* hash);

// An event's deterministic encoding (events have no map fields), as the log stores it.
std::string SerializeEvent(const v1::Event& event);

// One record to chain: what AppendRecord writes besides the previous hash.
struct RecordToChain {
  uint64_t sequence = 0;
  int64_t recorded_time_unix_micros = 0;
  absl::string_view event_bytes;
  absl::string_view author;
};

// Appends `count` records to `entry`, each chained to the one before it, starting from
// `head_hash`, which ends as the last record's hash. `record_at(k)` gives record k (a
// RecordToChain). Once record k is built, `check(k, record, hash)` may refuse it with an error
// (a restored record whose hash or time is not as exported, or the caller giving up): then
// everything this call appended is removed from `entry`, `head_hash` is left as it was, and the
// error is returned.
template <typename RecordAt, typename Check>
absl::Status ChainRecords(std::string& entry, std::string& head_hash, size_t count,
                          const RecordAt& record_at, const Check& check) {
  const size_t entry_size = entry.size();
  std::string prev_hash = head_hash;
  char hash[kHashBytes];
  for (size_t k = 0; k < count; ++k) {
    const RecordToChain record = record_at(k);
    AppendRecord(entry, record.sequence, record.recorded_time_unix_micros, record.event_bytes,
                 record.author, prev_hash, hash);
    if (absl::Status s = check(k, record, absl::string_view(hash, kHashBytes)); !s.ok()) {
      entry.resize(entry_size);
      return s;
    }
    prev_hash.assign(hash, kHashBytes);
  }
  head_hash = std::move(prev_hash);
  return absl::OkStatus();
}

}  // namespace grantledger

#endif  // GRANTLEDGER_LEDGER_STORE_RECORD_CHAIN_H_
