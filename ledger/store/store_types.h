// The event store's value types: what callers pass in (options) and get back (results,
// digests), without the store itself. cli/ and services/ include this where they only carry
// these values; ledger/store/event_store.h is the store.
#ifndef GRANTLEDGER_LEDGER_STORE_STORE_TYPES_H_
#define GRANTLEDGER_LEDGER_STORE_STORE_TYPES_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "grantledger/v1/events.pb.h"

namespace rocksdb {
class Env;
}  // namespace rocksdb

namespace grantledger {

// Whether the store takes appends now (EventStore::AppendHealth).
struct AppendHealthReport {
  // OK, or Unavailable saying why appends are refused and what to do.
  absl::Status status;
  // Refused until the ledger is reopened (a failed index write, or an error RocksDB does not
  // recover from), not only while the disk is low or RocksDB recovers.
  bool stopped = false;
  // The space available (to this user) on the data directory's disk, when statvfs answers, and
  // the reserve below which appends are refused (EventStoreOptions::disk_reserve_bytes).
  std::optional<uint64_t> disk_available_bytes;
  uint64_t disk_reserve_bytes = 0;
};

// What the store tells an observer (the server's metrics). Called on the store's own threads:
// keep the calls short and never call back into the store.
class StoreObserver {
 public:
  virtual ~StoreObserver() = default;
  // A group of batches was written (and synced, with `sync`): each accepted batch's event
  // count, and how long the RocksDB write took.
  virtual void GroupWritten(const std::vector<uint64_t>& batch_events, absl::Duration write) = 0;
  // The open recovered the projections (checkpoint load and log replay) in `took`.
  virtual void Recovered(absl::Duration took) = 0;
};

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
  // How many committed ids the writer thread holds in memory (unindexed_ids.h) before it
  // writes them to the id index as one sorted run (id_runs.h). Small in tests.
  size_t id_run_size = 1 << 18;
  // Appends are refused (Unavailable, nothing written) while the disk holding `path` has less
  // free than this, and taken again once it has more (ledger/store/disk_space.h). 0: no reserve.
  uint64_t disk_reserve_bytes = 64ull << 20;
  // The recorded-time clock; tests inject their own. Recorded times never go backwards.
  std::function<absl::Time()> clock = [] { return absl::Now(); };
  // Record every acknowledged head in the head note (head_note.h) before acknowledging it
  // (with `sync`); false: only at checkpoints and on close.
  bool note_every_write = true;
  // Rebuild every derived structure (indexes, histories, checkpoint) from the log on open
  // (`grantledger reindex`), as when a check of one fails.
  bool rebuild_derived = false;
  // Flush the memtables to table files, and write the ids held in memory as a run of the id
  // index, on close, so the next open replays no write-ahead log and reads no log tail (tests
  // that alter the log at rest set it false to keep their records there).
  bool flush_on_close = true;
  // Where warnings about the data directory go (a missing head note, open permissions);
  // nullptr: stderr, as "grantledger: warning: ...".
  std::function<void(absl::string_view)> warn;
  // Told what the store does, for the operators' metrics (services/server_metrics.h); null:
  // nobody. Outlives the store.
  StoreObserver* observer = nullptr;
  // Tests: the files RocksDB writes go through this Env (a fault injector); null: the store's
  // own, which makes every file 0600 (data_dir.h). Outlives the store.
  rocksdb::Env* env_for_tests = nullptr;
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

}  // namespace grantledger

#endif  // GRANTLEDGER_LEDGER_STORE_STORE_TYPES_H_
