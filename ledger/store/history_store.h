// Grant histories on disk: at every checkpoint the event store writes, for each grant whose
// history grew, the moves folded in since the last one (its "chunk") and the folded result
// (its "compacted" moves), both under the checkpoint's sequence, in the `histories` column
// family. A question as known at an earlier sequence then reads two values: the compacted
// moves of the last checkpoint at or before it, and the chunk of the next one.
//
// Derived data, never believed: every value carries the SHA-256 of its key and content, so a
// damaged, altered or misplaced entry (another grant's, another sequence's) is refused; the
// compacted moves the store opens with are checked against the checkpoint's hash of them; the
// chunks must follow each other; and `verify` rebuilds all of it from the log and compares.
//
//   key:   grant_id, '\0', 'C' or 'S', sequence (8 bytes big-endian)
//   value: SHA-256(key || payload), payload
//          'C' payload: the sequence it follows (8 BE), then EncodeMoves (move_codec.h)
//          'S' payload: EncodeMoves of the compacted moves
#ifndef GRANTLEDGER_LEDGER_HISTORY_STORE_H_
#define GRANTLEDGER_LEDGER_HISTORY_STORE_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "ledger/grant_history.h"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
class WriteBatch;
}  // namespace rocksdb

namespace grantledger {

// How many names a grant's moves may refer to (its checkpointed name tables' sizes).
struct NameCounts {
  size_t lines = 0;
  size_t purposes = 0;
  size_t cost_groups = 0;
};
NameCounts NameCountsOf(const GrantHistory& history);

class HistoryStore {
 public:
  HistoryStore(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* family) : db_(db), family_(family) {}

  // Adds the grant's part at checkpoint `through` to `batch`: `chunk`, the moves after `from`
  // (the grant's previous part), and `compacted`. Returns the SHA-256 the compacted value is
  // stored with (the checkpoint keeps it).
  std::string Put(rocksdb::WriteBatch& batch, const std::string& grant_id, uint64_t from,
                  uint64_t through, absl::Span<const Move> chunk,
                  absl::Span<const Move> compacted) const;

  // The compacted moves stored at `through`; DataLoss unless they are there, intact, and
  // stored with `sha256`.
  absl::StatusOr<std::vector<Move>> Compacted(const std::string& grant_id, uint64_t through,
                                              absl::string_view sha256, NameCounts names) const;

  struct Parts {
    uint64_t compacted_through = 0;  // 0: before the grant's first part
    std::vector<Move> compacted;
    std::vector<Move> later;  // the next part's chunk, in sequence order
  };
  // The parts that answer a question as known at `sequence`. REQUIRES: the grant has a part
  // after `sequence`. DataLoss when a part is missing, damaged, misplaced or out of order.
  absl::StatusOr<Parts> PartsAt(const std::string& grant_id, uint64_t sequence,
                                NameCounts names) const;

  // Every stored part in key order (for `verify`): the grant, 'C' or 'S', the sequence, and
  // the payload, or an error for an entry whose key or hash is wrong. Stops when `visit`
  // returns false.
  struct Entry {
    std::string grant_id;
    char kind = 0;
    uint64_t sequence = 0;
    uint64_t from = 0;        // chunks only
    absl::string_view moves;  // EncodeMoves bytes
  };
  absl::Status ForEach(const std::function<bool(const absl::StatusOr<Entry>&)>& visit) const;

  static std::string Key(absl::string_view grant_id, char kind, uint64_t sequence);

 private:
  rocksdb::DB* db_;
  rocksdb::ColumnFamilyHandle* family_;
};

}  // namespace grantledger

#endif  // GRANTLEDGER_LEDGER_HISTORY_STORE_H_
