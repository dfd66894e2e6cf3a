// The projection checkpoint; see checkpoint.h. EventStore::WriteCheckpoint is here too.
#include "ledger/store/checkpoint.h"

#include <string>

#include "ledger/status_macros.h"
#include "ledger/store/event_store.h"
#include "ledger/store/log_format.h"
#include "ledger/store/rocks_status.h"
#include "rocksdb/db.h"

namespace grantledger {

absl::StatusOr<std::optional<LedgerState>> ReadCheckpoint(
    rocksdb::DB& db, rocksdb::ColumnFamilyHandle* checkpoints) {
  std::string checkpoint_bytes;
  rocksdb::Status s =
      db.Get(rocksdb::ReadOptions(), checkpoints, kCheckpointKey, &checkpoint_bytes);
  if (s.IsNotFound()) return std::nullopt;
  if (!s.ok()) return FromRocks(s, "reading the projection checkpoint");
  v1::ProjectionCheckpoint checkpoint;
  if (!checkpoint.ParseFromString(checkpoint_bytes)) {
    return absl::DataLossError(
        "the projection checkpoint does not parse; the data directory "
        "is damaged (restore it from a backup or an export)");
  }
  GL_ASSIGN_OR_RETURN(LedgerState state, FromCheckpoint(checkpoint));
  return state;
}

absl::Status PutCheckpoint(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* checkpoints,
                           const LedgerState& state, bool sync) {
  std::string bytes;
  ToCheckpoint(state).SerializeToString(&bytes);
  rocksdb::WriteOptions write_options;
  write_options.sync = sync;
  return FromRocks(db.Put(write_options, checkpoints, kCheckpointKey, bytes),
                   "writing the projection checkpoint");
}

absl::Status EventStore::WriteCheckpoint() {
  if (options_.read_only) return absl::FailedPreconditionError("the ledger is open read-only");
  absl::MutexLock lock(&state_mu_);
  return WriteCheckpointLocked();
}

absl::Status EventStore::WriteCheckpointLocked() {
  GL_RETURN_IF_ERROR(PutCheckpoint(*db_, checkpoint_cf_, state_, options_.sync));
  checkpoint_sequence_ = state_.sequence;
  NoteDurableHead(Digest{state_.sequence, state_.head_hash});
  return absl::OkStatus();
}

}  // namespace grantledger
