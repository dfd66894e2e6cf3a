// Reading stored records back from the log: a cursor over the log's entries (each holds the
// records of one write, ledger/store/log_format.h) and the parse of one record.
#ifndef GRANTLEDGER_LEDGER_STORE_LOG_CURSOR_H_
#define GRANTLEDGER_LEDGER_STORE_LOG_CURSOR_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "grantledger/v1/events.pb.h"
#include "ledger/store/log_format.h"

namespace rocksdb {
class ColumnFamilyHandle;
class DB;
class Iterator;
}  // namespace rocksdb

namespace grantledger {

// Parses a stored record; prev_hash is left for the caller to fill. DataLoss if it does not
// parse.
absl::StatusOr<v1::RecordedEvent> ParseRecord(uint64_t sequence, const LogValue& value);

// Reads records from the log's entries, keeping the current entry: most reads go forwards.
// The views it returns stay valid until the next call.
class LogCursor {
 public:
  // `fill_cache` false: for one pass over the whole log (verify), whose blocks would only
  // push everything else out of the block cache.
  LogCursor(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* log, bool fill_cache = true);
  ~LogCursor();

  // Record `sequence`; NotFound when no entry holds it, DataLoss when its entry is damaged.
  absl::StatusOr<LogValue> Find(uint64_t sequence);

 private:
  bool Holds(uint64_t sequence) const {
    return first_ != 0 && sequence >= first_ && sequence - first_ < records_.size();
  }
  void Load();

  std::unique_ptr<rocksdb::Iterator> it_;
  uint64_t first_ = 0;  // the current entry's first sequence; 0: none
  std::vector<LogValue> records_;
  bool damaged_ = false;
};

}  // namespace grantledger

#endif  // GRANTLEDGER_LEDGER_STORE_LOG_CURSOR_H_
