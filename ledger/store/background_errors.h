// RocksDB's background error state, kept for health. After a failed flush, compaction or
// write-ahead-log write (a full disk, most often) RocksDB refuses writes, and takes them again
// once it has recovered by itself (for a full disk: once space is freed). Nothing else tells
// the store that this has ended, so this listener keeps what RocksDB reports, and
// EventStore::AppendHealth says appends are refused while it lasts.
#ifndef GRANTLEDGER_LEDGER_STORE_BACKGROUND_ERRORS_H_
#define GRANTLEDGER_LEDGER_STORE_BACKGROUND_ERRORS_H_

#include <atomic>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "rocksdb/listener.h"

namespace grantledger {

class BackgroundErrors : public rocksdb::EventListener {
 public:
  const char* Name() const override { return "grantledger.BackgroundErrors"; }

  // RocksDB's threads (a flush, a compaction, a write) report an error, and its recovery.
  void OnBackgroundError(rocksdb::BackgroundErrorReason reason, rocksdb::Status* error) override;
  void OnErrorRecoveryEnd(const rocksdb::BackgroundErrorRecoveryInfo& info) override;
  void OnErrorRecoveryCompleted(rocksdb::Status old_error) override;

  // A write succeeded: whatever was reported no longer stops writes.
  void WriteSucceeded();
  // What stops writes now, as RocksDB said it; "" when nothing does.
  std::string Current() const;

 private:
  void Clear();

  std::atomic<bool> set_{false};  // Current() is not empty (spares WriteSucceeded the lock)
  mutable absl::Mutex mu_;
  std::string current_ ABSL_GUARDED_BY(mu_);
};

}  // namespace grantledger

#endif  // GRANTLEDGER_LEDGER_STORE_BACKGROUND_ERRORS_H_
