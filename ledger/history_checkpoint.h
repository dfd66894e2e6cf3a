// A grant's history (grant_history.h) to and from its checkpoint form: its names and terms
// events. Its folded moves are stored apart (ledger/store/history_store.h). Pure functions.
#ifndef GRANTLEDGER_LEDGER_HISTORY_CHECKPOINT_H_
#define GRANTLEDGER_LEDGER_HISTORY_CHECKPOINT_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "grantledger/v1/checkpoint.pb.h"
#include "ledger/grant_history.h"

namespace grantledger {

// REQUIRES: the history was folded (its recent moves are empty): the checkpoint holds none.
v1::GrantHistoryCheckpoint HistoryToCheckpoint(const std::string& grant_id,
                                               const GrantHistory& history,
                                               absl::string_view compacted_sha256);
// The names and terms into `history` (its moves are left for the caller to restore).
// DataLoss when the checkpoint's dates do not parse.
absl::Status HistoryFromCheckpoint(const v1::GrantHistoryCheckpoint& checkpoint,
                                   GrantHistory& history);

}  // namespace grantledger

#endif  // GRANTLEDGER_LEDGER_HISTORY_CHECKPOINT_H_
