// RocksDB's background error state, kept for health. After a failed flush, compaction or
// write-ahead-log write (a full disk, most often) RocksDB may refuse writes: until it has
// recovered by itself (for a full disk: once space is freed), or for good (an error it cannot
// recover from). Nothing else tells the store that such a refusal has begun or ended, so this
// listener keeps what RocksDB reports, and EventStore::AppendHealth says appends are refused
// while it lasts.
#ifndef GRANTLEDGER_LEDGER_STORE_BACKGROUND_ERRORS_H_
#define GRANTLEDGER_LEDGER_STORE_BACKGROUND_ERRORS_H_

#include <cstdint>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "rocksdb/listener.h"

namespace grantledger {

class BackgroundErrors : public rocksdb::EventListener {
 public:
  // What stops writes now, as RocksDB said it.
  struct Refusal {
    std::string error;      // "" when RocksDB takes writes
    bool for_good = false;  // an error RocksDB does not recover from (reopen the ledger)
  };

  const char* Name() const override { return "grantledger.BackgroundErrors"; }

  // RocksDB's threads report an error that stops writes (a soft error, which does not stop
  // them, is not kept), and the end of a recovery (kept error cleared only if it succeeded).
  void OnBackgroundError(rocksdb::BackgroundErrorReason reason, rocksdb::Status* error) override;
  void OnErrorRecoveryEnd(const rocksdb::BackgroundErrorRecoveryInfo& info) override;

  // Counts the errors kept: read before a write, and given to WriteSucceeded after it, so that
  // a write that began before an error cannot clear it.
  uint64_t Generation() const;
  // A write that began at `generation` succeeded: what was kept before it no longer stops
  // writes (unless it was for good).
  void WriteSucceeded(uint64_t generation);
  Refusal Current() const;

 private:
  mutable absl::Mutex mu_;
  Refusal current_ ABSL_GUARDED_BY(mu_);
  uint64_t generation_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace grantledger

#endif  // GRANTLEDGER_LEDGER_STORE_BACKGROUND_ERRORS_H_
