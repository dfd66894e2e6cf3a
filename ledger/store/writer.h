// One queued append (a "writer", as in LevelDB's DBImpl::Writer): the batch's events, their
// encoding, made by the caller's thread while the store's writer thread validates, the
// records the caller chains ahead, and the outcome the writer thread hands back. Internal to
// ledger/store/ (writer_queue.cc queues and completes them).
#ifndef GRANTLEDGER_LEDGER_STORE_WRITER_H_
#define GRANTLEDGER_LEDGER_STORE_WRITER_H_

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "grantledger/v1/events.pb.h"
#include "ledger/store/batch_validator.h"
#include "ledger/store/buffer_pool.h"
#include "ledger/store/store_types.h"

namespace grantledger {

struct AppendWriter {
  // The batch's events: owned (Append, Restore) or viewed (AppendAsync over a request that
  // outlives the call).
  struct Events {
    std::vector<v1::Event> owned;
    std::vector<const v1::Event*> pointers;
    size_t size() const { return pointers.size(); }
    const v1::Event& operator[](size_t i) const { return *pointers[i]; }
    void Own(std::vector<v1::Event> events) {
      owned = std::move(events);
      pointers.reserve(owned.size());
      for (const v1::Event& e : owned) pointers.push_back(&e);
    }
  };
  Events events;
  std::string bytes;                   // every event's deterministic encoding, back to back
  std::vector<size_t> ends;            // where event i's encoding ends in `bytes`
  std::vector<RestoredMeta> restored;  // Restore only: per event, the record as exported
  // What the caller read for the batch before queueing it (EventStore::Prefetch), as the log
  // stood at committed sequence `prefetched_at`; the writer thread checks again only what was
  // committed after it (batch_commit.cc).
  BatchPrefetch prefetch;
  uint64_t prefetched_at = 0;
  bool prefetched = false;
  // The events' indices in the order of their ids (bytewise), sorted once (SortIds): the id
  // index is read in that order.
  std::vector<uint32_t> id_order;
  void SortIds() {
    if (id_order.size() == events.size()) return;
    id_order.resize(events.size());
    for (uint32_t i = 0; i < id_order.size(); ++i) id_order[i] = i;
    std::stable_sort(id_order.begin(), id_order.end(), [this](uint32_t a, uint32_t b) {
      return events[a].event_id() < events[b].event_id();
    });
  }
  // Recorded in each new record: options->author, or LocalAuthor() when that is empty (set by
  // Prepare; both outlive the writer).
  absl::string_view author;
  absl::string_view bytes_of(size_t i) const {
    const size_t begin = i == 0 ? 0 : ends[i - 1];
    return absl::string_view(bytes.data() + begin, ends[i] - begin);
  }
  // `wait`: EventStoreOptions::wait_to_chain_ahead.
  AppendWriter(BufferPool& pool, bool wait) : buffers(pool), wait_to_chain_ahead(wait) {}
  ~AppendWriter() {
    buffers.Give(std::move(bytes));
    buffers.Give(std::move(chained));
  }
  BufferPool& buffers;
  // Encoding happens in the caller's thread, streamed: Size() allocates `bytes`, then the
  // writer is queued and EncodeAll() checks and encodes the events while the writer thread
  // validates those already encoded (AwaitEncoded), then chains them ahead (ChainAhead).
  absl::Status Size();
  void EncodeAll();
  // Chaining ahead, for the common case of a batch whose events are all new and valid. The
  // writer thread publishes where the batch would start in the log (`chain_start`); once the
  // caller has encoded the batch, it builds and hashes the batch's records from there while
  // validation runs, and the writer thread uses them if every event of the batch was new.
  void ChainAhead();
  struct ChainStart {
    uint64_t sequence = 0;
    int64_t recorded_time_unix_micros = 0;
    std::string prev_hash;
  };
  ChainStart chain_start;                    // written before chain_published
  std::atomic<bool> chain_published{false};  // by the writer thread
  std::atomic<bool> chain_cancelled{false};  // by the writer thread: it will not use them
  std::string chained;                       // the records, as in a log entry
  std::string chained_head;                  // the last record's hash
  bool chained_all = false;                  // every record is in `chained`
  const bool wait_to_chain_ahead;
  absl::Status Encode() {  // both, for callers that encode before queueing
    if (absl::Status s = Size(); !s.ok()) return s;
    EncodeAll();
    return encode_failed_at.load() == kNone ? absl::OkStatus() : encode_error;
  }
  // OK once event i is encoded; its shape error when the encoding stopped there.
  absl::Status AwaitEncoded(size_t i) const;
  // Waits until EncodeAll is done with the writer (it may be freed after).
  void AwaitEncodingFinished() const;
  static constexpr size_t kNone = ~size_t{0};
  std::atomic<size_t> encoded{0};  // events checked and encoded, published in order
  std::atomic<size_t> encode_failed_at{kNone};
  absl::Status encode_error;                 // written before encode_failed_at
  std::atomic<bool> caller_finished{false};  // EncodeAll's last touch of the writer
  const AppendOptions* options = nullptr;
  AppendOptions owned_options;  // AppendAsync's copy
  AppendCallback callback;      // AppendAsync: called on the completion thread instead of `cv`
  absl::StatusOr<AppendResult> result = absl::UnknownError("not processed");
  bool released = false;  // validated: the writer thread no longer reads `events`
  bool done = false;
  bool accepted = false;  // validated and in the group's WriteBatch
  absl::CondVar cv;
};

}  // namespace grantledger

#endif  // GRANTLEDGER_LEDGER_STORE_WRITER_H_
