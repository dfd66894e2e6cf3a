// The projection checkpoint: the projected state (ledger_state.h) and the grant histories'
// names and terms as of one sequence, kept sealed in the `checkpoints` column family so that
// opening replays only the log's tail after it. Derived: checked on open (recovery.cc) and
// rebuilt from the log when a check fails; a failed write only means a longer replay.
#ifndef GRANTLEDGER_LEDGER_STORE_CHECKPOINT_H_
#define GRANTLEDGER_LEDGER_STORE_CHECKPOINT_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "grantledger/v1/checkpoint.pb.h"

namespace grantledger {

// The checkpoint's stored form: the SHA-256 of its bytes (its seal), then the bytes.
std::string SealCheckpoint(const v1::ProjectionCheckpoint& checkpoint);
// The checkpoint in a stored value; DataLoss when it does not match its seal or does not parse.
absl::StatusOr<v1::ProjectionCheckpoint> UnsealCheckpoint(absl::string_view value);

}  // namespace grantledger

#endif  // GRANTLEDGER_LEDGER_STORE_CHECKPOINT_H_
