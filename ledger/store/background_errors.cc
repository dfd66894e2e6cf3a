// See background_errors.h.
#include "ledger/store/background_errors.h"

namespace grantledger {

void BackgroundErrors::OnBackgroundError(rocksdb::BackgroundErrorReason, rocksdb::Status* error) {
  if (error == nullptr || error->ok()) return;
  const rocksdb::Status::Severity severity = error->severity();
  if (severity < rocksdb::Status::kHardError) return;  // writes go on
  absl::MutexLock lock(&mu_);
  current_.error = error->ToString();
  current_.for_good = current_.for_good || severity >= rocksdb::Status::kFatalError;
  ++generation_;
}

void BackgroundErrors::OnErrorRecoveryEnd(const rocksdb::BackgroundErrorRecoveryInfo& info) {
  if (!info.new_bg_error.ok()) return;  // the recovery failed: writes are still refused
  absl::MutexLock lock(&mu_);
  // Only the error it recovered from: a newer one, reported meanwhile, still stands.
  if (!current_.for_good && info.old_bg_error.ToString() == current_.error) current_.error.clear();
}

uint64_t BackgroundErrors::Generation() const {
  absl::MutexLock lock(&mu_);
  return generation_;
}

void BackgroundErrors::WriteSucceeded(uint64_t generation) {
  absl::MutexLock lock(&mu_);
  if (generation == generation_ && !current_.for_good) current_.error.clear();
}

BackgroundErrors::Refusal BackgroundErrors::Current() const {
  absl::MutexLock lock(&mu_);
  return current_;
}

}  // namespace grantledger
