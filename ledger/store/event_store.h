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
//
// The class is spread over one file per idea (ledger/store/):
//   open.cc               Open, RocksDB's options, the format mark, close
//   recovery.cc           the projections from the checkpoint and the log; the head note
//   writer_queue.cc       Append, AppendAsync, Restore; the writer thread and group commit
//   batch_commit.cc       one batch prefetched, validated (batch_validator.h), chained
//   log_apply.cc          logged events applied to the projections (recovery, replay)
//   queries.cc            Read, Scan, Verify, grant states, positions, Replay
//   checkpoint.cc         WriteCheckpoint
//   merkle_store.cc       OpenTree: the Merkle tree over the log (merkle_store.h)
// and helpers that take what they need: batch_validator.h (the batch rules, pure),
// unindexed_ids.h, store_types.h (the values callers see), writer.h
// (a queued append), write_group.h, record_chain.h (the chaining loop), log_cursor.h,
// chain_verifier.h, checkpoint.h, rocks_status.h.
#ifndef GRANTLEDGER_LEDGER_STORE_EVENT_STORE_H_
#define GRANTLEDGER_LEDGER_STORE_EVENT_STORE_H_

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
#include "absl/types/span.h"
#include "grantledger/v1/events.pb.h"
#include "ledger/as_of.h"
#include "ledger/grant_history.h"
#include "ledger/ledger_state.h"
#include "ledger/rules.h"
#include "ledger/store/buffer_pool.h"
#include "ledger/store/store_types.h"
#include "ledger/store/unindexed_ids.h"

namespace rocksdb {
class WriteBatch;
class DB;
class ColumnFamilyHandle;
}  // namespace rocksdb

namespace grantledger {

class BackgroundErrors;
class HeadNote;
class HistoryStore;
class MerkleStore;
struct AppendWriter;
struct BatchPrefetch;
class WriteGroup;

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

  // Whether appends are taken now, for health checks (store_types.h): refused until the ledger
  // is reopened once a write after the log's has failed (every acknowledged event is stored);
  // while RocksDB refuses writes after a failed flush, compaction or write (until it has
  // recovered by itself, or a write succeeds); or while the disk has less free than the
  // reserve (EventStoreOptions::disk_reserve_bytes). The last two end by themselves once space
  // is freed. Reads statvfs each call.
  AppendHealthReport AppendHealth() const;
  // Calls `listener` once, with AppendHealth's status, when appends stop (a failed write after
  // the log's; not a low disk, which nothing announces as it ends): on the writer thread
  // as they stop, or at once (on this thread) if they already have. The listener must be
  // quick and must not call back into the store. Returns a handle for
  // RemoveAppendHealthListener, which waits for a call in progress to return.
  int AddAppendHealthListener(std::function<void(const absl::Status&)> listener);
  void RemoveAppendHealthListener(int handle);

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
  // The grant's version as recorded by `sequence` (0: now): how many of its records (its events
  // and carry-overs into it) the log holds up to there, read from one by_grant entry (its count
  // of the grant's records before it) instead of replaying them. The entry is checked against
  // the next one (or the grant's state, when it is the last) and the last record it counts
  // must be the grant's: DataLoss naming `reindex` otherwise. NotFound when the grant was not
  // registered by then.
  absl::StatusOr<uint64_t> GrantCountAt(const std::string& grant_id, uint64_t sequence) const;
  std::vector<std::string> GrantIds() const;

  // Two-clock queries (as_of.h): a grant's position as of an effective date and a recorded
  // sequence (0: everything recorded), from the in-memory histories: no log replay.
  absl::StatusOr<GrantPosition> Position(const std::string& grant_id, const AsOf& as_of) const;
  // The grant's positions on each of `dates`, all as recorded by `sequence`: what Position
  // answers for each, with the stored history parts read once (a burn-down's points).
  absl::StatusOr<std::vector<GrantPosition>> PositionsOn(const std::string& grant_id,
                                                         absl::Span<const absl::CivilDay> dates,
                                                         uint64_t sequence) const;
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

  // The Merkle tree over the log (RFC 9162): roots and proofs at any size up to its own, which
  // includes every record acknowledged before the call (the tree is written just after the
  // log, WriteIndexes: this waits for that write when it is under way).
  const MerkleStore& Tree() const;

  const EventStoreOptions& options() const { return options_; }
  // Bytes held in the store's block cache (RocksDB's rocksdb.block-cache-usage): what a
  // one-pass walk such as `verify` must not fill.
  uint64_t BlockCacheBytes() const;
  // Writes every family's memtable to table files (what closing does), so that reads come
  // from the files through the block cache.
  absl::Status FlushToTables();
  // Batches whose records the appending caller built and hashed while the writer thread
  // validated them (the rest were chained by the writer thread).
  uint64_t batches_chained_ahead() const {
    return batches_chained_ahead_.load(std::memory_order_relaxed);
  }

 private:
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
  // Opens the Merkle tree (after Recover) and checks it against the checkpoint's root; a tree
  // that fails is rebuilt (writable) or refuses its queries (read-only).
  absl::Status OpenTree();
  absl::Status CheckTreeAgainstCheckpoint() const;
  // Deletes every derived entry (ids, by_grant, histories, checkpoint) before a rebuild.
  absl::Status ClearDerived();
  // A grant's history rebuilt from its events in the log up to `sequence` (0: all), for
  // positions when its stored history fails a check.
  absl::StatusOr<GrantHistory> HistoryFromLog(const std::string& grant_id, uint64_t sequence) const;
  // The head note (recovery.cc): checks the recovered head against the note read
  // before RocksDB opened, and keeps the note open for updates (writable stores).
  absl::Status AdoptHeadNote(const std::optional<Digest>& noted);
  // Records `head` (durable in the log) in the note; a failure is warned about, not returned.
  void NoteHead(const Digest& head);
  // Syncs the log if appends are not synced, then notes `head`.
  void NoteDurableHead(const Digest& head);
  void Warn(absl::string_view message) const;
  // Refuses every append from now on with `why` (Unavailable), warns, and tells the health
  // listeners. Writer thread.
  void StopAppends(std::string why);
  // Checks the batch's size and sizes its encoding.
  absl::Status Prepare(AppendWriter& writer) const;
  // Queues a writer for AppendAsync and encodes its events while the writer thread validates.
  void Enqueue(std::unique_ptr<AppendWriter> writer, AppendOptions options, AppendCallback done);
  absl::StatusOr<AppendResult> Submit(AppendWriter& writer);
  void WriterLoop();
  // Runs AppendAsync's callbacks, in order, off the writer thread.
  void CompletionLoop();
  // Validates, writes and applies a group of writers, and completes each.
  void ProcessGroup(std::vector<AppendWriter*>& group);
  // The group's records into the Merkle tree, with the mark of how far it reaches
  // (kIndexedThroughKey), in a write after the group's: see ProcessGroup.
  absl::Status WriteIndexes(WriteGroup& group);
  // The ids of unindexed_ids_'s sealed table (a postponed run), or else of its active table,
  // into the id index as one run with its mark (id_runs.h), on the run's own thread
  // (id_run_thread_); FinishIdRun takes the result. REQUIRES: no run under way.
  void StartIdRun();
  // Whether a run should start: none is under way, and a postponed one waits or a run's worth
  // of ids is held.
  bool IdRunDue() const;
  // When the run started is done (or at once, with `wait`): its ids leave unindexed_ids_, and
  // callers' prefetches read the index through them; a postponed run stays sealed. The run's
  // error, if it failed (again on every later call).
  absl::Status FinishIdRun(bool wait);
  // Every id held into the index now, as one run (an open with a long tail of ids to hold).
  absl::Status WriteIdRun();
  // Whether a run may start now: RocksDB takes writes and the disk is above the reserve.
  bool RunCanStart() const;
  // On close: every id held into the index through one WriteBatch, with the index's mark.
  absl::Status WriteHeldIds();
  // The tree's mark (kIndexedThroughKey), checked against the log's head: the head when there
  // is none; DataLoss, naming `reindex`, when it is damaged or ahead of the head.
  absl::StatusOr<uint64_t> IndexedThrough(uint64_t head) const;
  // The id index's mark (kIdsThroughKey), checked likewise; when there is none (a ledger
  // written before it), the tree's mark, which then said how far the ids reached too.
  absl::StatusOr<uint64_t> IdsThrough(uint64_t head) const;
  // On a writable open: the ids of the records after the id index's mark, from the log, into
  // unindexed_ids_ (and into runs while they are many); both marks stored.
  absl::Status CompleteIdIndex();
  // Completes the writers (all, or only the synchronous ones) and clears them from `writers`.
  void Complete(std::vector<AppendWriter*>& writers, bool synchronous_only = false);
  // Tops up the writer's prefetch, validates (batch_validator.h), chains and adds one
  // writer's batch to the group (batch_commit.cc).
  absl::Status ProcessWriter(AppendWriter& writer, WriteGroup& group)
      ABSL_SHARED_LOCKS_REQUIRED(state_mu_);
  // In the appending caller's thread, before queueing: what the batch refers to, read from the
  // id index and the log as they stand at the committed sequence it notes.
  void Prefetch(AppendWriter& writer) const;
  // On the writer thread: what was committed since the prefetch (ids from unindexed_ids_, and
  // the index read again when a run was written since; reversal targets below `first_pending`, the
  // group's first sequence).
  absl::Status TopUpPrefetch(AppendWriter& writer, uint64_t first_pending);
  // The id index's entries for every event of the batch, read in the order of their ids, with
  // the stored events they name.
  absl::Status ReadCandidates(AppendWriter& writer, BatchPrefetch& prefetch) const;
  absl::StatusOr<std::unique_ptr<v1::Event>> ReadEvent(uint64_t sequence) const;
  // A stored record without its prev_hash filled in (one RocksDB read instead of two).
  absl::StatusOr<v1::RecordedEvent> ReadStored(uint64_t sequence) const;
  // `fill_cache` false: a one-pass walk (verify) that keeps nothing in the block cache.
  absl::Status ScanImpl(uint64_t from, uint64_t to, const std::string& grant_id,
                        bool fill_prev_hash,
                        const std::function<bool(const v1::RecordedEvent&)>& visit,
                        bool fill_cache = true) const;
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
  rocksdb::ColumnFamilyHandle* tree_cf_ = nullptr;       // merkle_store.h
  std::unique_ptr<MerkleStore> tree_;
  // The tree root the loaded checkpoint recorded at its sequence (empty: none recorded).
  std::string checkpoint_tree_root_;
  uint64_t checkpoint_tree_size_ = 0;

  // Appends wait here for the writer thread.
  mutable absl::Mutex queue_mu_;
  std::deque<AppendWriter*> writers_ ABSL_GUARDED_BY(queue_mu_);
  absl::CondVar work_cv_;
  bool stopping_ ABSL_GUARDED_BY(queue_mu_) = false;
  // The writer thread is processing a group (or is about to): a synchronous caller then reads
  // the id index itself before queueing (Append).
  bool writer_busy_ ABSL_GUARDED_BY(queue_mu_) = false;
  // Set when a write after the log's failed: appends are refused until the ledger is reopened.
  std::string failed_ ABSL_GUARDED_BY(queue_mu_);
  // What RocksDB reports stops its writes, until it recovers (writable stores; for health).
  std::shared_ptr<BackgroundErrors> background_errors_;
  // AddAppendHealthListener's listeners, and whether they have been told (StopAppends).
  absl::Mutex health_listeners_mu_;
  absl::flat_hash_map<int, std::function<void(const absl::Status&)>> health_listeners_
      ABSL_GUARDED_BY(health_listeners_mu_);
  int next_health_listener_ ABSL_GUARDED_BY(health_listeners_mu_) = 0;
  bool appends_stopped_told_ ABSL_GUARDED_BY(health_listeners_mu_) = false;
  std::thread writer_thread_;
  std::atomic<uint64_t> batches_chained_ahead_{0};
  // The last sequence whose id is readable in ids_cf_ (the ids after it are in
  // unindexed_ids_ until the next run, WriteIdRun); set by the writer thread after each run,
  // read by callers before they prefetch.
  std::atomic<uint64_t> ids_indexed_through_{0};
  // The ids committed since the index's last run (writer thread; CompleteIdIndex on open).
  UnindexedIds unindexed_ids_;
  // The run being written (StartIdRun): its thread sets the status (or `postponed`, when
  // RunCanStart said no), then `done`.
  std::thread id_run_thread_;
  absl::Status id_run_status_;
  bool id_run_postponed_ = false;
  std::atomic<bool> id_run_done_{false};
  // Batch-sized buffers (encodings, log entries), kept from one write to the next.
  BufferPool buffers_;
  // The writer thread's WriteBatches (the group's, and its indexes'), kept for their memory
  // likewise.
  std::unique_ptr<rocksdb::WriteBatch> write_batch_;
  std::unique_ptr<rocksdb::WriteBatch> index_batch_;
  absl::Mutex completions_mu_;
  std::deque<AppendWriter*> completions_ ABSL_GUARDED_BY(completions_mu_);
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

}  // namespace grantledger

#endif  // GRANTLEDGER_LEDGER_STORE_EVENT_STORE_H_
