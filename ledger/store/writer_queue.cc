// The writer queue with group commit: appends queue here; the store's writer thread takes
// everything queued while the previous write synced as one group, validates each batch
// (batch_commit.cc), writes the group in one synced WriteBatch, applies it to the
// projections, and completes the callers (AppendAsync's callbacks on the completion thread).
#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "ledger/limits.h"
#include "ledger/local_author.h"
#include "ledger/status_macros.h"
#include "ledger/store/background_errors.h"
#include "ledger/store/disk_space.h"
#include "ledger/store/event_store.h"
#include "ledger/store/head_note.h"
#include "ledger/store/id_runs.h"
#include "ledger/store/log_format.h"
#include "ledger/store/merkle_store.h"
#include "ledger/store/rocks_status.h"
#include "ledger/store/write_group.h"
#include "ledger/store/writer.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"

namespace grantledger {

using absl::StrCat;

absl::Status EventStore::Prepare(AppendWriter& writer) const {
  if (options_.read_only) {
    return absl::FailedPreconditionError("the ledger is open read-only; post through the server");
  }
  if (writer.events.size() == 0) {
    return absl::InvalidArgumentError("events: the batch is empty; send at least one event");
  }
  if (writer.events.size() > kMaxEventsPerBatch) {
    return absl::InvalidArgumentError(StrCat("events: the batch has ", writer.events.size(),
                                             " events; split it into batches of at most ",
                                             kMaxEventsPerBatch));
  }
  writer.author = writer.options->author.empty() ? absl::string_view(LocalAuthor())
                                                 : absl::string_view(writer.options->author);
  return writer.Size();
}

absl::StatusOr<AppendResult> EventStore::Append(std::vector<v1::Event> events,
                                                const AppendOptions& options) {
  AppendWriter writer(buffers_, options_.wait_to_chain_ahead);
  writer.options = &options;
  writer.events.Own(std::move(events));
  GL_RETURN_IF_ERROR(Prepare(writer));
  // An idle writer thread reads the batch's ids in the index itself while this thread encodes
  // the events (TopUpPrefetch); a busy one is spared the read (its caller prefetches).
  bool writer_busy;
  {
    absl::MutexLock lock(&queue_mu_);
    writer_busy = writer_busy_ || !writers_.empty();
  }
  if (writer_busy) Prefetch(writer);
  return Submit(writer);
}

void EventStore::AppendAsync(std::vector<v1::Event> events, AppendOptions options,
                             AppendCallback done) {
  auto writer = std::make_unique<AppendWriter>(buffers_, options_.wait_to_chain_ahead);
  writer->events.Own(std::move(events));
  Enqueue(std::move(writer), std::move(options), std::move(done));
}

void EventStore::AppendAsync(const google::protobuf::RepeatedPtrField<v1::Event>& events,
                             AppendOptions options, AppendCallback done) {
  auto writer = std::make_unique<AppendWriter>(buffers_, options_.wait_to_chain_ahead);
  writer->events.pointers.assign(events.pointer_begin(), events.pointer_end());
  Enqueue(std::move(writer), std::move(options), std::move(done));
}

void EventStore::Enqueue(std::unique_ptr<AppendWriter> writer, AppendOptions options,
                         AppendCallback done) {
  writer->owned_options = std::move(options);
  writer->options = &writer->owned_options;
  if (absl::Status s = Prepare(*writer); !s.ok()) {
    done(s);
    return;
  }
  writer->callback = std::move(done);
  Prefetch(*writer);
  AppendWriter* queued = nullptr;
  {
    absl::MutexLock lock(&queue_mu_);
    if (!stopping_) {
      queued = writer.release();  // the writer thread deletes it when done
      writers_.push_back(queued);
      work_cv_.Signal();
    }
  }
  if (queued == nullptr) {
    writer->callback(absl::UnavailableError("the ledger is closing; nothing was written; retry"));
    return;
  }
  queued->EncodeAll();  // while the writer thread validates; nothing touches `queued` after
}

absl::StatusOr<AppendResult> EventStore::Submit(AppendWriter& writer) {
  absl::MutexLock lock(&queue_mu_);
  if (stopping_) return absl::UnavailableError("the ledger is closing; nothing was written; retry");
  writers_.push_back(&writer);
  work_cv_.Signal();
  if (writer.encoded.load() < writer.events.size() &&
      writer.encode_failed_at.load() == AppendWriter::kNone) {
    queue_mu_.Unlock();
    writer.EncodeAll();  // while the writer thread validates
    queue_mu_.Lock();
  }
  while (!writer.released && !writer.done) writer.cv.Wait(&queue_mu_);
  if (!writer.done) {
    // Validated and being written: free the events now, while the write syncs.
    std::vector<v1::Event> events = std::move(writer.events.owned);
    queue_mu_.Unlock();
    events.clear();
    queue_mu_.Lock();
  }
  while (!writer.done) writer.cv.Wait(&queue_mu_);
  return std::move(writer.result);
}

void EventStore::WriterLoop() {
  while (true) {
    std::vector<AppendWriter*> group;
    {
      absl::MutexLock lock(&queue_mu_);
      writer_busy_ = false;
      while (writers_.empty() && !stopping_) work_cv_.Wait(&queue_mu_);
      if (writers_.empty()) return;  // stopping, and everything queued is done
      writer_busy_ = true;
      // Everything queued while the previous group was syncing, bounded in size.
      size_t group_events = 0;
      while (!writers_.empty()) {
        AppendWriter* w = writers_.front();
        if (!group.empty() && group_events + w->events.size() > kMaxEventsPerBatch) break;
        group.push_back(w);
        group_events += w->events.size();
        writers_.pop_front();
      }
    }
    ProcessGroup(group);  // completes every writer of the group
  }
}

absl::StatusOr<Digest> EventStore::Restore(std::vector<RestoredRecord> records) {
  if (options_.read_only) return absl::FailedPreconditionError("the ledger is open read-only");
  if (records.empty()) return Head();
  if (records.size() > kMaxEventsPerBatch) {
    return absl::InvalidArgumentError(
        StrCat("restore: at most ", kMaxEventsPerBatch, " records per call"));
  }
  static const AppendOptions kVerbatim = [] {
    AppendOptions o;
    o.verbatim = true;
    return o;
  }();
  AppendWriter writer(buffers_,
                      /*wait=*/false);  // restored records are chained by the writer thread
  writer.options = &kVerbatim;
  std::vector<v1::Event> events;
  events.reserve(records.size());
  writer.restored.reserve(records.size());
  for (RestoredRecord& record : records) {
    events.push_back(std::move(record.event));
    writer.restored.push_back({record.sequence, record.recorded_time_unix_micros,
                               std::move(record.hash), std::move(record.author)});
  }
  writer.events.Own(std::move(events));
  GL_RETURN_IF_ERROR(writer.Encode());
  Prefetch(writer);
  GL_ASSIGN_OR_RETURN(AppendResult result, Submit(writer));
  return result.head;
}

// See ProcessGroup.
constexpr size_t kFreeDuringSyncEvents = 64;

void EventStore::ProcessGroup(std::vector<AppendWriter*>& writers) {
  std::string failed;
  {
    absl::MutexLock lock(&queue_mu_);
    failed = failed_;
  }
  if (!failed.empty()) {
    for (AppendWriter* w : writers) {
      w->result = absl::UnavailableError(failed);
      w->chain_cancelled.store(true, std::memory_order_release);
      w->AwaitEncodingFinished();  // an AppendAsync caller may still be encoding
    }
    Complete(writers);
    return;
  }
  size_t bytes = 0;
  for (const AppendWriter* w : writers) {
    bytes += w->bytes.size() + 64 * w->events.size();
  }
  WriteGroup group(buffers_.Take(bytes));
  {
    absl::ReaderMutexLock lock(&state_mu_);
    group.first_sequence = group.next_sequence = state_.sequence + 1;
    group.head_hash = state_.head_hash;
    group.recorded_time_unix_micros =
        std::max(absl::ToUnixMicros(options_.clock()), state_.last_recorded_time_unix_micros);
    group.last_recorded_time_unix_micros = state_.last_recorded_time_unix_micros;
    for (AppendWriter* w : writers) {
      absl::Status s = ProcessWriter(*w, group);
      if (!s.ok()) w->result = s;
      // A writer rejected early may still be encoding; whatever it chained ahead is unused.
      if (!w->accepted) w->chain_cancelled.store(true, std::memory_order_release);
      w->AwaitEncodingFinished();
    }
  }
  std::vector<uint64_t> batch_events;  // for the observer, taken while the events exist
  if (options_.observer != nullptr) {
    for (AppendWriter* w : writers) {
      if (w->accepted) batch_events.push_back(w->events.size());
    }
  }
  // Nothing reads the writers' events from here on: their owners may free them while the
  // write syncs.
  group.ids.clear();
  group.events.clear();
  {
    // Synchronous callers of large batches are woken to free their events while the write
    // syncs; waking a caller of a few events would cost more than it frees.
    absl::MutexLock lock(&queue_mu_);
    for (AppendWriter* w : writers) {
      if (!w->callback && w->events.size() >= kFreeDuringSyncEvents) {
        w->released = true;
        w->cv.Signal();
      }
    }
  }
  const bool wrote = !group.entry.empty();
  if (wrote) {
    // Before RocksDB runs out of space mid-write, which it does not survive (disk_space.h).
    if (absl::Status full = CheckDiskReserve(options_.path, options_.disk_reserve_bytes);
        !full.ok()) {
      const absl::Status refused = absl::UnavailableError(
          StrCat(full.message(),
                 "; nothing of this batch was written; free space and retry with the same "
                 "event_ids"));
      for (AppendWriter* w : writers) {
        if (w->accepted) w->result = refused;
      }
      Complete(writers);
      return;
    }
    if (write_batch_ == nullptr) write_batch_ = std::make_unique<rocksdb::WriteBatch>();
    rocksdb::WriteBatch& batch = *write_batch_;
    batch.Clear();  // keeps its memory
    batch.Put(log_cf_, EncodeSequence(group.first_sequence), group.entry);
    for (const auto& [grant_id, changes] : group.changes) {
      batch.Put(grant_cf_, GrantIndexKey(grant_id, changes.sequences.front()),
                EncodeGrantIndexEntry(changes.prior_count, changes.sequences));
    }
    // The Merkle tree's tiles go in a second write, after the callers are answered
    // (WriteIndexes); this one says so, so that an open after a crash between the two
    // completes them from the log (MerkleStore::Open). The ids go in runs (WriteIdRun).
    batch.Put(checkpoint_cf_, kIndexedThroughKey, EncodeSequence(group.first_sequence - 1));
    rocksdb::WriteOptions write_options;
    write_options.sync = options_.sync;
    const absl::Time write_start = absl::Now();
    const uint64_t errors_before =
        background_errors_ != nullptr ? background_errors_->Generation() : 0;
    rocksdb::Status s = db_->Write(write_options, &batch);
    if (s.ok() && background_errors_ != nullptr) background_errors_->WriteSucceeded(errors_before);
    if (s.ok() && options_.observer != nullptr) {
      options_.observer->GroupWritten(batch_events, absl::Now() - write_start);
    }
    if (batch.GetDataSize() > BufferPool::kMaxPooledBytes) write_batch_.reset();
    if (!s.ok()) {
      absl::Status failed = absl::UnavailableError(
          StrCat("the ledger could not write to disk (", s.ToString(),
                 "); nothing of this batch was written; retry with the same event_ids"));
      for (AppendWriter* w : writers) {
        if (w->accepted) w->result = failed;
      }
      Complete(writers);
      return;
    }
    // Durable now: noted before any caller hears of it.
    if (options_.sync && options_.note_every_write) {
      NoteHead(Digest{group.next_sequence - 1, group.head_hash});
    }
  }
  {
    absl::MutexLock lock(&state_mu_);
    // The state is locked until it includes the write: callers woken now see it when they read.
    if (wrote) {
      state_.sequence = group.next_sequence - 1;
      state_.head_hash = group.head_hash;
      state_.last_recorded_time_unix_micros = group.last_recorded_time_unix_micros;
    }
    const Digest head{state_.sequence, state_.head_hash};
    for (AppendWriter* w : writers) {
      if (w->accepted || (w->result.ok() && w->options->dry_run)) w->result->head = head;
    }
    Complete(writers, /*synchronous_only=*/true);
    for (auto& [id, grant] : group.grants) {
      if (!grant.has_value()) continue;
      if (options_.check_invariants) CheckInvariants(*grant);
      state_.grants[id] = std::move(*grant);
    }
    for (auto& [grant_id, changes] : group.changes) {
      GrantHistory& history = histories_[grant_id];
      for (HistoryAddition& addition : changes.additions) history.Apply(std::move(addition));
    }
    if (options_.check_invariants && state_.TrialBalance() != 0) {
      std::fprintf(stderr, "grantledger: trial balance is not zero after sequence %llu\n",
                   static_cast<unsigned long long>(state_.sequence));
      std::abort();
    }
  }
  Complete(writers);
  if (wrote) {
    // The Merkle tree, now that every caller has its answer: its work overlaps the callers'
    // next batches instead of delaying this one's answer; a proof asked for at the head waits
    // for it (MerkleStore::AwaitSize). The group's ids join those held since the id index's
    // last run: the groups after this one are validated by this thread, after this; callers
    // who prefetch read the index as it stood at ids_indexed_through_ and are checked here
    // again. Once a run's worth is held, they go to the index together (WriteIdRun).
    unindexed_ids_.Add(group.new_ids);
    absl::Status indexed = WriteIndexes(group);
    // A run still being written is waited for only when the next is due as well.
    if (indexed.ok()) {
      indexed = FinishIdRun(/*wait=*/unindexed_ids_.active_size() >= options_.id_run_size);
    }
    if (indexed.ok() && IdRunDue() && RunCanStart()) StartIdRun();
    if (!indexed.ok()) {
      StopAppends(StrCat("the ledger could not write its indexes (", indexed.message(),
                         "); every acknowledged event is stored, but no append is taken until "
                         "the ledger is reopened (restart the server), which completes the "
                         "indexes from the log; then retry with the same event_ids"));
    } else {
      absl::MutexLock lock(&state_mu_);
      if (state_.sequence - checkpoint_sequence_ >= options_.checkpoint_interval_events) {
        (void)WriteCheckpointLocked();  // a cache: a failure only means a longer replay on open
      }
    }
  }
  buffers_.Give(std::move(group.entry));
}

absl::Status EventStore::WriteIndexes(WriteGroup& group) {
  if (index_batch_ == nullptr) index_batch_ = std::make_unique<rocksdb::WriteBatch>();
  rocksdb::WriteBatch& batch = *index_batch_;
  batch.Clear();  // keeps its memory
  // The Merkle tree's tiles these records complete (merkle_store.h).
  TreeEdge tree_edge = tree_->Extend(group.entry, batch);
  batch.Put(checkpoint_cf_, kIndexedThroughKey, EncodeSequence(group.next_sequence - 1));
  // Not synced: the next group's synced write carries it to disk (the write-ahead log is one
  // sequence), and an open after a crash before then completes the tree from the log.
  rocksdb::Status s = db_->Write(rocksdb::WriteOptions(), &batch);
  if (batch.GetDataSize() > BufferPool::kMaxPooledBytes) index_batch_.reset();
  GL_RETURN_IF_ERROR(FromRocks(s, "writing the Merkle tree"));
  tree_->Publish(std::move(tree_edge));
  return absl::OkStatus();
}

void EventStore::StartIdRun() {
  const IdTable& run = unindexed_ids_.sealed() ? unindexed_ids_.Sealed() : unindexed_ids_.Seal();
  id_run_done_.store(false, std::memory_order_relaxed);
  id_run_postponed_ = false;
  id_run_thread_ = std::thread([this, &run] {
    // Checked again here, just before the ingestion (RunCanStart).
    if (!RunCanStart()) {
      id_run_postponed_ = true;
    } else {
      id_run_status_ = IngestIdRun(*db_, ids_cf_, options_.path, run);
    }
    id_run_done_.store(true, std::memory_order_release);
  });
}

absl::Status EventStore::FinishIdRun(bool wait) {
  if (!id_run_thread_.joinable()) return id_run_status_;
  if (!wait && !id_run_done_.load(std::memory_order_acquire)) return absl::OkStatus();
  id_run_thread_.join();
  GL_RETURN_IF_ERROR(id_run_status_);
  if (id_run_postponed_) return absl::OkStatus();  // still sealed: started again later
  unindexed_ids_.SealedIndexed();
  ids_indexed_through_.store(unindexed_ids_.through(), std::memory_order_release);
  return absl::OkStatus();
}

bool EventStore::IdRunDue() const {
  if (id_run_thread_.joinable()) return false;  // one at a time
  return unindexed_ids_.sealed() || unindexed_ids_.active_size() >= options_.id_run_size;
}

bool EventStore::RunCanStart() const {
  // Debian's RocksDB asserts (and aborts) in an ingestion it refuses for a background error,
  // so a run waits, its ids held, while RocksDB refuses writes or the disk is below the
  // reserve (when appends are refused too). Asked on the writer thread before a run starts,
  // and again on the run's thread just before it ingests.
  if (background_errors_ != nullptr && !background_errors_->Current().error.empty()) {
    return false;
  }
  return CheckDiskReserve(options_.path, options_.disk_reserve_bytes).ok();
}

absl::Status EventStore::WriteHeldIds() {
  GL_RETURN_IF_ERROR(FinishIdRun(/*wait=*/true));
  // Through the memtable, which the close then flushes: no ingestion on a disk that may have
  // just refused a write (RunCanStart). A postponed run's ids first, then the active ones.
  for (int table = 0; table < 2; ++table) {
    if (!unindexed_ids_.sealed()) {
      if (unindexed_ids_.active_size() == 0) break;
      unindexed_ids_.Seal();
    }
    const IdTable& held = unindexed_ids_.Sealed();
    rocksdb::WriteBatch batch;
    for (const auto& [id, sequence] : held.InKeyOrder()) {
      batch.Put(ids_cf_, rocksdb::Slice(id.data(), id.size()), EncodeSequence(sequence));
    }
    batch.Put(ids_cf_, kIdsThroughKey, EncodeSequence(held.last()));
    rocksdb::WriteOptions write_options;
    write_options.sync = options_.sync;
    GL_RETURN_IF_ERROR(
        FromRocks(db_->Write(write_options, &batch), "writing the ids held in memory"));
    unindexed_ids_.SealedIndexed();
    ids_indexed_through_.store(unindexed_ids_.through(), std::memory_order_release);
  }
  return absl::OkStatus();
}

absl::Status EventStore::WriteIdRun() {
  GL_RETURN_IF_ERROR(FinishIdRun(/*wait=*/true));
  if (!unindexed_ids_.sealed() && unindexed_ids_.active_size() == 0) return absl::OkStatus();
  StartIdRun();
  return FinishIdRun(/*wait=*/true);
}

void EventStore::StopAppends(std::string why) {
  {
    absl::MutexLock lock(&queue_mu_);
    if (!failed_.empty()) return;
    failed_ = why;
  }
  Warn(StrCat("appends stopped: ", why));
  const absl::Status stopped = absl::UnavailableError(why);
  absl::MutexLock lock(&health_listeners_mu_);
  appends_stopped_told_ = true;
  for (auto& [handle, listener] : health_listeners_) listener(stopped);
}

AppendHealthReport EventStore::AppendHealth() const {
  AppendHealthReport report;
  {
    absl::MutexLock lock(&queue_mu_);
    report.stopped = !failed_.empty();
    if (report.stopped) report.status = absl::UnavailableError(failed_);
  }
  report.disk_reserve_bytes = options_.disk_reserve_bytes;
  report.disk_available_bytes = AvailableDiskBytes(options_.path);
  const BackgroundErrors::Refusal rocksdb_refusal =
      background_errors_ != nullptr ? background_errors_->Current() : BackgroundErrors::Refusal();
  if (report.status.ok() && rocksdb_refusal.for_good) {
    report.stopped = true;
    report.status = absl::UnavailableError(
        StrCat("the ledger cannot write: RocksDB stopped writes after an error it does not "
               "recover from (",
               rocksdb_refusal.error,
               "); every acknowledged event is stored, but no append is taken until the ledger "
               "is reopened (restart the server)"));
  } else if (report.status.ok() && !rocksdb_refusal.error.empty()) {
    report.status = absl::UnavailableError(StrCat(
        "the ledger cannot write: RocksDB stopped writes after an error (", rocksdb_refusal.error,
        "); appends are refused until it has recovered, which it does by itself (for a "
        "full disk: once space is freed)"));
  }
  if (report.status.ok() && !options_.read_only) {
    // As the writer thread checks it before each write (ProcessGroup), on the same reading.
    if (absl::Status full = DiskReserveStatus(options_.path, report.disk_available_bytes,
                                              options_.disk_reserve_bytes);
        !full.ok()) {
      report.status = absl::UnavailableError(
          StrCat(full.message(), "; appends are refused until space is freed, then taken again"));
    }
  }
  return report;
}

int EventStore::AddAppendHealthListener(std::function<void(const absl::Status&)> listener) {
  absl::MutexLock lock(&health_listeners_mu_);
  const int handle = next_health_listener_++;
  // Told here only if StopAppends has told the others already; otherwise StopAppends will.
  if (appends_stopped_told_) listener(AppendHealth().status);
  health_listeners_.emplace(handle, std::move(listener));
  return handle;
}

void EventStore::RemoveAppendHealthListener(int handle) {
  absl::MutexLock lock(&health_listeners_mu_);
  health_listeners_.erase(handle);
}

void EventStore::Complete(std::vector<AppendWriter*>& writers, bool synchronous_only) {
  std::vector<AppendWriter*> finished_async;
  {
    absl::MutexLock lock(&queue_mu_);
    for (AppendWriter*& w : writers) {
      if (w == nullptr) continue;
      if (w->callback) {
        if (!synchronous_only)
          finished_async.push_back(w);
        else
          continue;
      } else {
        w->done = true;
        w->cv.Signal();  // the caller may return (and destroy *w) from here on
      }
      w = nullptr;
    }
  }
  if (finished_async.empty()) return;
  // The completion thread runs the callbacks (gRPC sends the responses from them), so this
  // thread can start the next group meanwhile.
  absl::MutexLock lock(&completions_mu_);
  completions_.insert(completions_.end(), finished_async.begin(), finished_async.end());
}

void EventStore::CompletionLoop() {
  while (true) {
    std::deque<AppendWriter*> ready;
    {
      absl::MutexLock lock(&completions_mu_);
      completions_mu_.Await(absl::Condition(
          +[](EventStore* store) ABSL_EXCLUSIVE_LOCKS_REQUIRED(store->completions_mu_) {
            return !store->completions_.empty() || store->completions_closed_;
          },
          this));
      if (completions_.empty()) return;  // closed, and everything is completed
      ready.swap(completions_);
    }
    for (AppendWriter* w : ready) {
      w->callback(std::move(w->result));
      delete w;
    }
  }
}

void EventStore::CheckInvariants(const GrantState& grant) const {
  const char* broken = nullptr;
  if (grant.TrialBalance() != 0) broken = "trial balance is not zero";
  if (grant.AllocatedOre() > grant.terms.decided_amount_ore) broken = "allocated exceeds decided";
  if (grant.repaid_ore > grant.received_ore()) broken = "repaid exceeds received";
  if (broken != nullptr) {
    std::fprintf(stderr, "grantledger: invariant broken for %s: %s\n", grant.grant_id.c_str(),
                 broken);
    std::abort();
  }
}

}  // namespace grantledger
