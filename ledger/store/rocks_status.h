// RocksDB at the store's edge: its statuses as absl::Status with the code a caller acts on,
// and its slices as string views. Only ledger/store/ includes RocksDB.
#ifndef GRANTLEDGER_LEDGER_STORE_ROCKS_STATUS_H_
#define GRANTLEDGER_LEDGER_STORE_ROCKS_STATUS_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "rocksdb/slice.h"
#include "rocksdb/status.h"

namespace grantledger {

inline absl::string_view View(const rocksdb::Slice& slice) {
  return absl::string_view(slice.data(), slice.size());
}

// OK for OK; otherwise `what` and RocksDB's words, as Unavailable (a directory locked by
// another process, I/O), NotFound, DataLoss (corruption) or FailedPrecondition.
absl::Status FromRocks(const rocksdb::Status& s, absl::string_view what);

}  // namespace grantledger

#endif  // GRANTLEDGER_LEDGER_STORE_ROCKS_STATUS_H_
