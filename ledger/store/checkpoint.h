// The projection checkpoint: the projected state (ledger_state.h) as of one sequence, kept in
// the `checkpoints` column family so that opening replays only the log's tail after it. A
// cache: a failed write only means a longer replay on the next open.
#ifndef GRANTLEDGER_LEDGER_STORE_CHECKPOINT_H_
#define GRANTLEDGER_LEDGER_STORE_CHECKPOINT_H_

#include <optional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "ledger/ledger_state.h"

namespace rocksdb {
class ColumnFamilyHandle;
class DB;
}  // namespace rocksdb

namespace grantledger {

// The checkpointed state; nullopt when there is no checkpoint yet. DataLoss when the stored
// checkpoint does not parse.
absl::StatusOr<std::optional<LedgerState>> ReadCheckpoint(rocksdb::DB& db,
                                                          rocksdb::ColumnFamilyHandle* checkpoints);

// Stores `state` as the checkpoint (WAL synced when `sync`).
absl::Status PutCheckpoint(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* checkpoints,
                           const LedgerState& state, bool sync);

}  // namespace grantledger

#endif  // GRANTLEDGER_LEDGER_STORE_CHECKPOINT_H_
