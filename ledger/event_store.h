// The event store: an append-only, hash-chained log of events in RocksDB, with the projected
// state kept in memory and checkpointed: opening loads the last checkpoint (after checking it
// against the log) and replays only the log's tail. The id index and the grant histories live
// on disk beside the log, so memory and open time do not grow with the history
// (docs/architecture.md).
//
// Append validates a batch in order against the rules (rules.h), assigns gap-free sequence
// numbers, and writes the records and their index entries in one atomic, synced WriteBatch.
// Appends queue for the store's writer thread, which validates and writes everything that
// queued up while the previous write was syncing, so concurrent appenders share one fsync
// (group commit). There is no update or delete path.
#ifndef GRANTLEDGER_LEDGER_EVENT_STORE_H_
#define GRANTLEDGER_LEDGER_EVENT_STORE_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "grantledger/v1/events.pb.h"
#include "ledger/as_of.h"
#include "ledger/buffer_pool.h"
#include "ledger/grant_history.h"
#include "ledger/ledger_state.h"

namespace rocksdb {
struct ColumnFamilyDescriptor;
struct DBOptions;
class Status;
class WriteBatch;
class DB;
class ColumnFamilyHandle;
}  // namespace rocksdb

namespace grantledger {

class HeadNote;
class HistoryStore;

struct EventStoreOptions {
  std::string path;        // the data directory
  bool sync = true;        // fsync the WAL before an append is acknowledged
  bool read_only = false;  // open for queries and audits only (another process may write)
  uint64_t checkpoint_interval_events = 50'000;
  // Check the trial balance and the grant invariants after every append (aborts on a bug).
  bool check_invariants = false;
  // Tests: an appending caller always waits to chain its batch ahead of validation (see
  // batches_chained_ahead), instead of only when validation has already started.
  bool wait_to_chain_ahead = false;
  // Appends are refused (Unavailable, nothing written) while the disk holding `path` has less
  // free than this, and taken again once it has more (ledger/disk_space.h). 0: no reserve.
  uint64_t disk_reserve_bytes = 64ull << 20;
  // The recorded-time clock; tests inject their own. Recorded times never go backwards.
  std::function<absl::Time()> clock = [] { return absl::Now(); };
  // Record every acknowledged head in the head note (head_note.h) before acknowledging it
  // (with `sync`); false: only at checkpoints and on close.
  bool note_every_write = true;
  // Rebuild every derived structure (indexes, histories, checkpoint) from the log on open
  // (`grantledger reindex`), as when a check of one fails.
  bool rebuild_derived = false;
  // Where warnings about the data directory go (a missing head note, open permissions);
  // nullptr: stderr, as "grantledger: warning: ...".
  std::function<void(absl::string_view)> warn;
};

struct AppendOptions {
  // Optimistic concurrency: append only if each named grant still has this many events
  // (0: the grant must not exist yet). Aborted otherwise.
  absl::flat_hash_map<std::string, uint64_t> expected_versions;
  // Validate only: the result says what would be assigned; nothing is written.
  bool dry_run = false;
  // Internal: the events are exported records restored as they were (Restore).
  bool verbatim = false;
  // The authenticated principal writing the batch, stored in each of its records (inside the
  // hashed bytes): set by the caller from what it verified, never from the client's request.
  // Empty: LocalAuthor() ("local:USER", the process's own user), so no new record has none.
  std::string author;
};

// Rejections of a batch carry the 0-based index of the offending event under this payload
// URL (as decimal text), besides naming it in the message.
inline constexpr char kEventIndexPayload[] = "type.grantledger/event_index";

// (sequence, head hash): what an auditor writes down to check the log later.
struct Digest {
  uint64_t sequence = 0;
  std::string head_hash;  // 32 bytes
};

struct AppendResult {
  std::vector<uint64_t> sequences;  // one per event, in order; the original for a retry
  std::vector<bool> duplicates;     // true where the event was already in the log
  Digest head;
};

// Called once with the outcome of AppendAsync, on the store's completion thread (or at once on
// the caller's thread for a batch rejected before it was queued). Must not block.
using AppendCallback = std::function<void(absl::StatusOr<AppendResult>)>;

// An exported record to restore: its sequence, recorded time and hash as exported.
struct RestoredRecord {
  uint64_t sequence = 0;
  int64_t recorded_time_unix_micros = 0;
  v1::Event event;
  std::string hash;    // 32 bytes
  std::string author;  // as exported; empty for records written before authors were recorded
};

struct VerifyResult {
  bool ok = true;
  uint64_t first_bad_sequence = 0;  // 0 when ok
  std::string problem;              // what did not match
  uint64_t checked = 0;             // records checked
  Digest last_good;                 // the chain up to the first bad record
};

class EventStore {
 public:
  // Opens (creating if missing, unless read-only) the ledger at options.path, restores the
  // projections from the last checkpoint plus the log's tail. Unavailable when another process
  // holds the directory or its disk is full. DataLoss when records are missing or damaged,
  // including acknowledged records the head note (head_note.h) holds and the log no longer
  // does: the ledger is then not opened (the only loss tolerated is a write torn by a crash,
  // which was never acknowledged).
  static absl::StatusOr<std::unique_ptr<EventStore>> Open(EventStoreOptions options);

  // Writes a final checkpoint (unless read-only) and closes RocksDB.
  ~EventStore();
  EventStore(const EventStore&) = delete;
  EventStore& operator=(const EventStore&) = delete;

  // Appends a batch atomically: every event is new and valid and is written, or nothing is.
  // Events whose event_id is already stored with the same content are not written again and
  // get their original sequence; the same id with other content is AlreadyExists. The error of
  // a rejected batch starts with "event N" (0-based) and names the field and the fix.
  absl::StatusOr<AppendResult> Append(std::vector<v1::Event> events,
                                      const AppendOptions& options = {});
  // The same without blocking the caller: `done` gets the result once the batch is durable
  // (or rejected). For servers, whose threads must not wait on fsync.
  void AppendAsync(std::vector<v1::Event> events, AppendOptions options, AppendCallback done);
  // The same over events the caller keeps alive, unchanged, until `done` is called (a gRPC
  // request): nothing is copied.
  void AppendAsync(const google::protobuf::RepeatedPtrField<v1::Event>& events,
                   AppendOptions options, AppendCallback done);

  Digest Head() const;

  // Rebuilds a ledger from an export, record by record in order from sequence 1: each record
  // passes the rules again and gets exactly its exported sequence, recorded time and hash, or
  // the batch is refused (DataLoss naming the first record whose hash does not match). The
  // result has the export's head hash. REQUIRES: records continue the ledger's head.
  absl::StatusOr<Digest> Restore(std::vector<RestoredRecord> records);

  // Blocks until the head passes `sequence` or `timeout` passes; returns the head then. For
  // subscribers: read up to the returned head, then wait again from it (no gap, no duplicate).
  Digest WaitForHeadAfter(uint64_t sequence, absl::Duration timeout) const;

  // One stored record, parsed, with prev_hash filled in from the record before it. NotFound
  // beyond the head.
  absl::StatusOr<v1::RecordedEvent> Read(uint64_t sequence) const;

  // Calls `visit` for each record with sequence in [from, to] (to = 0: up to the head) in order,
  // optionally only one grant's; stops early when `visit` returns false.
  absl::Status Scan(uint64_t from, uint64_t to, const std::string& grant_id,
                    const std::function<bool(const v1::RecordedEvent&)>& visit) const;

  // Recomputes the hash chain from the stored bytes over [from, to] (from = 0: 1, to = 0: the
  // head); the range is resolved by ResolveVerifyRange (verify_request.h).
  // `progress`, if given, is called now and then with the number of records checked.
  absl::StatusOr<VerifyResult> Verify(uint64_t from, uint64_t to,
                                      const std::function<void(uint64_t)>& progress = {}) const;

  // Checks every derived structure against a rebuild from the log, in one pass over it: the
  // id index, the grant index (by_grant), every grant's stored history parts, and the
  // checkpoint (its state and histories at its sequence). ok = false names the first
  // difference. REQUIRES: the chain itself verified (Verify).
  absl::StatusOr<VerifyResult> VerifyDerived(
      const std::function<void(uint64_t)>& progress = {}) const;

  // Current state of a grant; nullopt if not registered.
  std::optional<GrantState> Grant(const std::string& grant_id) const;
  // A grant's state right after event `sequence` (rebuilt from that grant's events).
  absl::StatusOr<GrantState> GrantAtSequence(const std::string& grant_id, uint64_t sequence) const;
  std::vector<std::string> GrantIds() const;

  // Two-clock queries (as_of.h): a grant's position as of an effective date and a recorded
  // sequence (0: everything recorded), from the in-memory histories: no log replay.
  absl::StatusOr<GrantPosition> Position(const std::string& grant_id, const AsOf& as_of) const;
  // Every grant registered by as_of.sequence, sorted by grant id.
  std::vector<GrantPosition> Positions(const AsOf& as_of) const;
  // The last sequence recorded at or before `time` (0 if none): recorded times never go
  // backwards, so "as the ledger knew it at T" is "up to this sequence".
  uint64_t SequenceAtRecordedTime(absl::Time time) const;

  // A copy of the whole projected state, as kept incrementally.
  LedgerState State() const;
  // The state rebuilt from the log alone, up to `to` (0: the head), ignoring checkpoints.
  // `progress`, if given, is called now and then with the number of records replayed.
  absl::StatusOr<LedgerState> Replay(uint64_t to,
                                     const std::function<void(uint64_t)>& progress = {}) const;

  // Writes a checkpoint of the current state now.
  absl::Status WriteCheckpoint();

  const EventStoreOptions& options() const { return options_; }
  // Batches whose records the appending caller built and hashed while the writer thread
  // validated them (the rest were chained by the writer thread).
  uint64_t batches_chained_ahead() const {
    return batches_chained_ahead_.load(std::memory_order_relaxed);
  }

 private:
  struct Writer;
  struct RestoredMeta;
  class Group;

  explicit EventStore(EventStoreOptions options);
  // Refuses a data directory written in another log format; marks a new one.
  absl::Status CheckFormat();
  // Loads the checkpoint if it passes its checks, then replays the log after it; without a
  // usable one, replays the whole log (and, writable, rebuilds every derived structure).
  absl::Status Recover();
  // The checkpoint, checked: sealed intact, standing for a record the log holds with that hash,
  // and with every grant's compacted moves as it wrote them. The reason otherwise.
  absl::Status LoadCheckpoint() ABSL_EXCLUSIVE_LOCKS_REQUIRED(state_mu_);
  // Replays records after state_.sequence (with their hashes checked) into the state and the
  // histories; with `rebuild`, also rewrites the by_grant, ids and histories entries.
  absl::Status ReplayTail(bool rebuild) ABSL_EXCLUSIVE_LOCKS_REQUIRED(state_mu_);
  // Deletes every derived entry (ids, by_grant, histories, checkpoint) before a rebuild.
  absl::Status ClearDerived();
  // A grant's position from its events in the log (when its stored history fails a check).
  absl::StatusOr<GrantPosition> PositionFromLog(const std::string& grant_id,
                                                const AsOf& as_of) const;
  // The head note (event_store_integrity.cc): checks the recovered head against the note read
  // before RocksDB opened, and keeps the note open for updates (writable stores).
  absl::Status AdoptHeadNote(const std::optional<Digest>& noted);
  // Records `head` (durable in the log) in the note; a failure is warned about, not returned.
  void NoteHead(const Digest& head);
  // Syncs the log if appends are not synced, then notes `head`.
  void NoteDurableHead(const Digest& head);
  void Warn(absl::string_view message) const;
  // Checks the batch's size and sizes its encoding.
  absl::Status Prepare(Writer& writer) const;
  // Queues a writer for AppendAsync and encodes its events while the writer thread validates.
  void Enqueue(std::unique_ptr<Writer> writer, AppendOptions options, AppendCallback done);
  absl::StatusOr<AppendResult> Submit(Writer& writer);
  void WriterLoop();
  // Runs AppendAsync's callbacks, in order, off the writer thread.
  void CompletionLoop();
  // Validates, writes and applies a group of writers, and completes each.
  void ProcessGroup(std::vector<Writer*>& group);
  // Completes the writers (all, or only the synchronous ones) and clears them from `writers`.
  void Complete(std::vector<Writer*>& writers, bool synchronous_only = false);
  absl::Status ProcessWriter(Writer& writer, Group& group);
  absl::StatusOr<std::unique_ptr<v1::Event>> ReadEvent(uint64_t sequence) const;
  // A stored record without its prev_hash filled in (one RocksDB read instead of two).
  absl::StatusOr<v1::RecordedEvent> ReadStored(uint64_t sequence) const;
  absl::Status ScanImpl(uint64_t from, uint64_t to, const std::string& grant_id,
                        bool fill_prev_hash,
                        const std::function<bool(const v1::RecordedEvent&)>& visit) const;
  // Applies a logged event to `grants`; with `only_grant`, only that grant's side of it.
  absl::Status ApplyLogged(const v1::Event& event, uint64_t sequence,
                           std::map<std::string, GrantState>& grants,
                           const std::string& only_grant = "") const;
  absl::Status WriteCheckpointLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(state_mu_);
  void CheckInvariants(const GrantState& grant) const;
  // Adds a logged event to the histories.
  void IndexRecorded(const v1::Event& event, uint64_t sequence,
                     const v1::Event* reversal_target = nullptr)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(state_mu_);
  // The recorded time of record `sequence` (for SequenceAtRecordedTime's search).
  absl::StatusOr<int64_t> RecordedTimeOf(uint64_t sequence) const;

  EventStoreOptions options_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  rocksdb::ColumnFamilyHandle* log_cf_ = nullptr;
  rocksdb::ColumnFamilyHandle* grant_cf_ = nullptr;
  rocksdb::ColumnFamilyHandle* checkpoint_cf_ = nullptr;
  rocksdb::ColumnFamilyHandle* ids_cf_ = nullptr;        // event_id -> sequence
  rocksdb::ColumnFamilyHandle* histories_cf_ = nullptr;  // history_store.h

  // Appends wait here for the writer thread.
  absl::Mutex queue_mu_;
  std::deque<Writer*> writers_ ABSL_GUARDED_BY(queue_mu_);
  absl::CondVar work_cv_;
  bool stopping_ ABSL_GUARDED_BY(queue_mu_) = false;
  // Set when a write after the log's failed: appends are refused until the ledger is reopened.
  std::string failed_ ABSL_GUARDED_BY(queue_mu_);
  std::thread writer_thread_;
  std::atomic<uint64_t> batches_chained_ahead_{0};
  // Batch-sized buffers (encodings, log entries), kept from one write to the next.
  BufferPool buffers_;
  // The writer thread's WriteBatch, kept for its memory likewise.
  std::unique_ptr<rocksdb::WriteBatch> write_batch_;
  absl::Mutex completions_mu_;
  std::deque<Writer*> completions_ ABSL_GUARDED_BY(completions_mu_);
  bool completions_closed_ ABSL_GUARDED_BY(completions_mu_) = false;
  std::thread completion_thread_;

  // The projected state. Written only by the group leader, under the writer lock; the leader
  // reads it under a reader lock while validating.
  mutable absl::Mutex state_mu_;
  LedgerState state_ ABSL_GUARDED_BY(state_mu_);
  uint64_t checkpoint_sequence_ ABSL_GUARDED_BY(state_mu_) = 0;
  // Every grant's history: its terms, names and folded moves, and its moves since the last
  // checkpoint; earlier parts are in the histories column family (history_store.h).
  std::map<std::string, GrantHistory> histories_ ABSL_GUARDED_BY(state_mu_);
  // The compacted moves' SHA-256 per grant, as stored at its compacted_through().
  std::map<std::string, std::string> compacted_hashes_ ABSL_GUARDED_BY(state_mu_);
  // True when the histories were rebuilt in memory from the whole log (a read-only open whose
  // checkpoint could not be used): nothing on disk is read for them.
  bool histories_in_memory_ = false;
  // The derived families were written by an earlier version (or a rebuild was interrupted):
  // a writable open rebuilds them from the log.
  bool derived_stale_ = false;
  std::unique_ptr<HistoryStore> history_store_;

  // The head note (writable stores); updated by the writer thread, at checkpoints and on close.
  std::unique_ptr<HeadNote> head_note_;
  std::atomic<bool> head_note_failing_{false};
};

// Explains a ledger RocksDB refused to open as damaged: what can still be recovered against
// what the head note says was acknowledged (event_store_integrity.cc).
absl::Status DiagnoseDamagedLog(const rocksdb::DBOptions& db_options,
                                const std::vector<rocksdb::ColumnFamilyDescriptor>& families,
                                const std::string& path, const std::optional<Digest>& noted,
                                const rocksdb::Status& refusal,
                                std::optional<uint64_t>* recovered_head);

}  // namespace grantledger

#endif  // GRANTLEDGER_LEDGER_EVENT_STORE_H_
