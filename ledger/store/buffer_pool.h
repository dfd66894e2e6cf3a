// Reusable byte buffers for batch-sized encodings and log entries. A fresh buffer of a few
// hundred kilobytes page-faults its way through the first write into it, once per batch; kept
// buffers are written warm. Small buffers are not pooled (they come from the allocator's
// caches anyway), and neither are huge ones (one huge batch should not keep its memory).
// Thread-safe.
#ifndef GRANTLEDGER_LEDGER_STORE_BUFFER_POOL_H_
#define GRANTLEDGER_LEDGER_STORE_BUFFER_POOL_H_

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace grantledger {

class BufferPool {
 public:
  static constexpr size_t kMinPooledBytes = 64 << 10;
  static constexpr size_t kMaxPooledBytes = 4 << 20;  // at most 32 MB kept in all
  static constexpr size_t kMaxKept = 8;

  // An empty buffer with room for at least `bytes`.
  std::string Take(size_t bytes) {
    std::string buffer;
    if (bytes >= kMinPooledBytes) {
      absl::MutexLock lock(&mu_);
      if (!kept_.empty()) {
        buffer = std::move(kept_.back());
        kept_.pop_back();
      }
    }
    buffer.clear();
    buffer.reserve(bytes);
    return buffer;
  }

  // Keeps `buffer` for a later Take, if it is worth keeping and there is room.
  void Give(std::string buffer) {
    const size_t capacity = buffer.capacity();
    if (capacity < kMinPooledBytes || capacity > kMaxPooledBytes) return;
    absl::MutexLock lock(&mu_);
    if (kept_.size() < kMaxKept) kept_.push_back(std::move(buffer));
  }

  size_t kept() const {
    absl::MutexLock lock(&mu_);
    return kept_.size();
  }

 private:
  mutable absl::Mutex mu_;
  std::vector<std::string> kept_ ABSL_GUARDED_BY(mu_);
};

}  // namespace grantledger

#endif  // GRANTLEDGER_LEDGER_STORE_BUFFER_POOL_H_
