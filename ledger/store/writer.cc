// One queued append: encoding and chaining ahead in the caller's thread; see writer.h.
#include "ledger/store/writer.h"

#include <thread>

#include "absl/strings/str_cat.h"
#include "ledger/limits.h"
#include "ledger/rules.h"
#include "ledger/store/event_error.h"
#include "ledger/store/record_chain.h"

namespace grantledger {

using absl::StrCat;

absl::Status AppendWriter::Size() {
  size_t total = 0;
  ends.resize(events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    const size_t size = events[i].ByteSizeLong();  // cached for EncodeAll
    if (size > kMaxEncodedEventBytes) {
      return AtEvent(absl::InvalidArgumentError(StrCat(
                         "the event is ", size, " bytes encoded; at most ", kMaxEncodedEventBytes)),
                     i, events[i]);
    }
    total += size;
    ends[i] = total;
  }
  bytes = buffers.Take(total);
  bytes.resize(total);  // one buffer for the batch
  return absl::OkStatus();
}

void AppendWriter::EncodeAll() {
  // Stateless checks and serialization, in the caller's thread, in parallel with validation.
  // Events have no map fields, so the plain encoding is deterministic (as SerializeEvent).
  auto* out = reinterpret_cast<uint8_t*>(bytes.data());
  constexpr size_t kPublishEvery = 16;
  for (size_t i = 0; i < events.size(); ++i) {
    if (absl::Status s = CheckEventShape(events[i]); !s.ok()) {
      encoded.store(i, std::memory_order_release);
      encode_error =
          restored.empty()
              ? AtEvent(s, i, events[i])
              : absl::Status(s.code(), StrCat("record ", restored[i].sequence, ": ", s.message()));
      encode_failed_at.store(i, std::memory_order_release);
      caller_finished.store(true, std::memory_order_release);  // the last touch of the writer
      return;
    }
    out = events[i].SerializeWithCachedSizesToArray(out);
    if ((i + 1) % kPublishEvery == 0 && i + 1 < events.size()) {
      encoded.store(i + 1, std::memory_order_release);
    }
  }
  encoded.store(events.size(), std::memory_order_release);
  ChainAhead();
  caller_finished.store(true, std::memory_order_release);  // the last touch of the writer
}

void AppendWriter::ChainAhead() {
  if (wait_to_chain_ahead) {
    while (!chain_published.load(std::memory_order_acquire) &&
           !chain_cancelled.load(std::memory_order_acquire)) {
      std::this_thread::yield();
    }
  }
  if (!chain_published.load(std::memory_order_acquire)) return;  // the writer does it
  const size_t n = events.size();
  chained = buffers.Take(bytes.size() + n * (kHashBytes + 24));
  chained_head = chain_start.prev_hash;
  absl::Status chained_status = ChainRecords(
      chained, chained_head, n,
      [&](size_t i) {
        return RecordToChain{chain_start.sequence + i, chain_start.recorded_time_unix_micros,
                             bytes_of(i), author};
      },
      [&](size_t i, const RecordToChain&, absl::string_view) {
        // The writer thread may give up on them meanwhile (a duplicate, a rejection).
        if (i % 64 == 0 && chain_cancelled.load(std::memory_order_relaxed)) {
          return absl::CancelledError("not used");
        }
        return absl::OkStatus();
      });
  chained_all = chained_status.ok();
}

absl::Status AppendWriter::AwaitEncoded(size_t i) const {
  for (int spins = 0;; ++spins) {
    if (encoded.load(std::memory_order_acquire) > i) return absl::OkStatus();
    if (encode_failed_at.load(std::memory_order_acquire) <= i) return encode_error;
    if (spins > 100) std::this_thread::yield();
  }
}

void AppendWriter::AwaitEncodingFinished() const {
  for (int spins = 0; !caller_finished.load(std::memory_order_acquire); ++spins) {
    if (spins > 100) std::this_thread::yield();
  }
}

}  // namespace grantledger
