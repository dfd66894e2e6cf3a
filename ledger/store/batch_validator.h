// Batch validation as a pure function (the prefetch-then-commit shape of TigerBeetle's state
// machine): the store reads what a batch refers to beforehand (BatchPrefetch: the stored
// events its ids may already name, its reversal targets in the log), then ValidateBatch checks
// the batch against a read-only view of the ledger and returns a plan of what to write, or the
// first error. No RocksDB, no threads and no clock in here: the recorded time is passed in,
// and the store chains the plan and writes it with its group (batch_commit.cc).
//
// The batch rules, in the order they are checked:
//   - expected versions (Aborted), unless the batch is a retry of one already applied: every
//     event already stored, unchanged (it then gets its original sequences);
//   - per event, in order: its shape (the encoding's error, CheckEventShape), for a restored
//     record its sequence (FailedPrecondition) and that its id is new (DataLoss);
//     idempotency: an id already stored with the same content is a duplicate (its original
//     sequence), with other content AlreadyExists; then the rules (rules.h) against the
//     grant as the batch left it, with a reversal's target from the batch, the group or the
//     log, a seal's facts from the committed history, and a carry-over's receiving grant.
// Errors about an event start with "event N" (AtEvent, event_error.h); nothing of a rejected
// batch reaches the plan or the view.
#ifndef GRANTLEDGER_LEDGER_STORE_BATCH_VALIDATOR_H_
#define GRANTLEDGER_LEDGER_STORE_BATCH_VALIDATOR_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/node_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "grantledger/v1/events.pb.h"
#include "ledger/grant_history.h"
#include "ledger/grant_state.h"
#include "ledger/rules.h"
#include "ledger/store/store_types.h"

namespace grantledger {

// An event id -> (its sequence, its encoding), for records validated but not yet in the log.
using PendingIds = absl::flat_hash_map<absl::string_view, std::pair<uint64_t, absl::string_view>>;

// The ledger as a batch sees it: the committed state, plus the batches ahead of it in the same
// group commit (validated, not yet written). Nothing here is changed by validation.
struct LedgerView {
  const std::map<std::string, GrantState>* grants = nullptr;       // committed
  const std::map<std::string, GrantHistory>* histories = nullptr;  // committed; may be null
  std::string committed_head_hash;  // the hash of record first_pending_sequence - 1
  // Ahead in the group: the grants they changed (their new states), their ids, and their
  // events from first_pending_sequence on. Null when nothing is ahead.
  const absl::flat_hash_map<std::string, std::optional<GrantState>>* pending_grants = nullptr;
  const PendingIds* pending_ids = nullptr;
  const std::vector<const v1::Event*>* pending_events = nullptr;
  uint64_t first_pending_sequence = 1;  // the committed head + 1
  uint64_t next_sequence = 1;           // the batch's first sequence if its events are new
  // The root of the Merkle tree of the committed records (first_pending_sequence - 1 leaves),
  // asked for only by a seal that carries a checkpoint; unset: no tree to ask.
  std::function<absl::StatusOr<std::string>()> committed_tree_root;

  // The grant's state before the batch; nullptr when it is not registered.
  const GrantState* Grant(const std::string& grant_id) const;
  // The grant's committed history (additions are planned against it); nullptr: none.
  const GrantHistory* History(const std::string& grant_id) const;
};

// What the store read for the batch before validation, from the id index and the log.
struct BatchPrefetch {
  // The stored record the id index names for an event's id, with the stored event (compared
  // by id, since the index is derived, and by content) or the read's error.
  struct StoredCandidate {
    uint64_t sequence = 0;
    absl::StatusOr<std::unique_ptr<v1::Event>> event = absl::UnknownError("not read");
  };
  std::vector<std::optional<StoredCandidate>> candidates;  // per event; nullopt: no candidate
  // Reversal targets below the view's first pending sequence: the stored event, or the read's
  // error (NotFound: no such record, which the rules then refuse).
  std::map<uint64_t, absl::StatusOr<std::unique_ptr<v1::Event>>> reversal_targets;
};

// What Restore keeps of an exported record besides its event.
struct RestoredMeta {
  uint64_t sequence = 0;
  int64_t recorded_time_unix_micros = 0;
  std::string hash;
  std::string author;
};

// The batch to validate.
struct BatchInput {
  absl::Span<const v1::Event* const> events;
  // Event i's deterministic encoding, or its shape error (the store's writer waits here while
  // the appending caller encodes; REQUIRES: called in order of i, each at most up to i once
  // more than before).
  absl::FunctionRef<absl::StatusOr<absl::string_view>(size_t)> encoded;
  const AppendOptions* options = nullptr;
  absl::Span<const RestoredMeta> restored;  // options->verbatim: per event, as exported
  int64_t recorded_time_unix_micros = 0;    // for new records (restored ones keep theirs)
};

// Per grant touched: its new sequences (one by_grant entry) and what they add to its history,
// in sequence order.
struct PlannedChanges {
  std::vector<uint64_t> sequences;
  std::vector<HistoryAddition> additions;
};

// What a valid batch writes.
struct BatchPlan {
  // Per event: its sequence (the original one for a duplicate) and whether it is a duplicate.
  // The head is left for the store.
  AppendResult result;
  // The new records, in sequence order.
  struct NewRecord {
    size_t index = 0;  // in the batch
    uint64_t sequence = 0;
    int64_t recorded_time_unix_micros = 0;
  };
  std::vector<NewRecord> records;
  // The grants the batch changed, as it left them.
  absl::flat_hash_map<std::string, std::optional<GrantState>> grants;
  absl::node_hash_map<std::string, PlannedChanges> changes;
  // The new ids, viewing the batch's events and encodings (valid while they are).
  PendingIds ids;
};

// Checks `batch` against `view` with what `prefetch` holds. A dry run's plan has only
// `result`. REQUIRES: prefetch.candidates has one entry per event, and prefetch holds every
// reversal target below view.first_pending_sequence that an event of the batch names.
absl::StatusOr<BatchPlan> ValidateBatch(const LedgerView& view, const BatchPrefetch& prefetch,
                                        const BatchInput& batch);

// What the seal rule needs for a seal about to get `sequence`: the record before it and the
// account the committed history holds there (seal_facts.cc).
SealFacts SealFactsFor(const v1::Event& seal, const LedgerView& view, uint64_t sequence);

}  // namespace grantledger

#endif  // GRANTLEDGER_LEDGER_STORE_BATCH_VALIDATOR_H_
