// The projection checkpoint; see checkpoint.h. EventStore::WriteCheckpoint is here too.
#include "ledger/store/checkpoint.h"

#include <string>

#include "ledger/history_checkpoint.h"
#include "ledger/status_macros.h"
#include "ledger/store/event_store.h"
#include "ledger/store/history_store.h"
#include "ledger/store/log_format.h"
#include "ledger/store/merkle_store.h"
#include "ledger/store/rocks_status.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"

namespace grantledger {

std::string SealCheckpoint(const v1::ProjectionCheckpoint& checkpoint) {
  const std::string bytes = checkpoint.SerializeAsString();
  return ChainHash(absl::string_view(), bytes) + bytes;
}

absl::StatusOr<v1::ProjectionCheckpoint> UnsealCheckpoint(absl::string_view value) {
  if (value.size() < kHashBytes ||
      ChainHash(absl::string_view(), value.substr(kHashBytes)) != value.substr(0, kHashBytes)) {
    return absl::DataLossError("it does not match its seal (damaged or edited)");
  }
  v1::ProjectionCheckpoint checkpoint;
  if (!checkpoint.ParseFromArray(value.data() + kHashBytes,
                                 static_cast<int>(value.size() - kHashBytes))) {
    return absl::DataLossError("it does not parse");
  }
  return checkpoint;
}

absl::Status EventStore::WriteCheckpoint() {
  if (options_.read_only) return absl::FailedPreconditionError("the ledger is open read-only");
  absl::MutexLock lock(&state_mu_);
  return WriteCheckpointLocked();
}

absl::Status EventStore::WriteCheckpointLocked() {
  // One write: every grant's history parts folded since the last checkpoint, then the
  // checkpoint naming them, sealed with its SHA-256.
  rocksdb::WriteBatch batch;
  v1::ProjectionCheckpoint checkpoint = ToCheckpoint(state_);
  checkpoint.set_format_version(2);
  for (auto& [grant_id, history] : histories_) {
    std::string& hash = compacted_hashes_[grant_id];
    if (!history.moves().empty() && !histories_in_memory_) {
      const uint64_t from = history.compacted_through();
      std::vector<Move> chunk = history.Fold(state_.sequence);
      hash =
          history_store_->Put(batch, grant_id, from, state_.sequence, chunk, history.compacted());
    }
    *checkpoint.add_histories() = HistoryToCheckpoint(grant_id, history, hash);
  }
  if (tree_ != nullptr && tree_->size() == state_.sequence) {
    absl::StatusOr<std::string> root = tree_->Root(state_.sequence);
    if (root.ok()) checkpoint.set_tree_root(*root);
  }
  batch.Put(checkpoint_cf_, kCheckpointKey, SealCheckpoint(checkpoint));
  rocksdb::WriteOptions write_options;
  write_options.sync = options_.sync;
  GL_RETURN_IF_ERROR(
      FromRocks(db_->Write(write_options, &batch), "writing the projection checkpoint"));
  checkpoint_sequence_ = state_.sequence;
  checkpoint_tree_root_ = checkpoint.tree_root();
  checkpoint_tree_size_ = checkpoint.sequence();
  NoteDurableHead(Digest{state_.sequence, state_.head_hash});
  return absl::OkStatus();
}

}  // namespace grantledger
