// See background_errors.h.
#include "ledger/store/background_errors.h"

namespace grantledger {

void BackgroundErrors::OnBackgroundError(rocksdb::BackgroundErrorReason, rocksdb::Status* error) {
  if (error == nullptr || error->ok()) return;
  absl::MutexLock lock(&mu_);
  current_ = error->ToString();
  set_.store(true, std::memory_order_release);
}

void BackgroundErrors::OnErrorRecoveryEnd(const rocksdb::BackgroundErrorRecoveryInfo& info) {
  if (info.new_bg_error.ok()) Clear();
}

void BackgroundErrors::OnErrorRecoveryCompleted(rocksdb::Status old_error) {
  old_error.PermitUncheckedError();
  Clear();  // called only when the recovery succeeded
}

void BackgroundErrors::WriteSucceeded() {
  if (set_.load(std::memory_order_acquire)) Clear();
}

std::string BackgroundErrors::Current() const {
  absl::MutexLock lock(&mu_);
  return current_;
}

void BackgroundErrors::Clear() {
  absl::MutexLock lock(&mu_);
  current_.clear();
  set_.store(false, std::memory_order_release);
}

}  // namespace grantledger
