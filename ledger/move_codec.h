// The stored form of a run of moves (grant_history.h): what the event store writes for each
// grant at a checkpoint (the moves since the last one, and all of them folded), so that a
// query as known at an earlier sequence reads two values instead of replaying the log.
// Varints, deltas from the move before; pure functions, no I/O.
#ifndef GRANTLEDGER_LEDGER_MOVE_CODEC_H_
#define GRANTLEDGER_LEDGER_MOVE_CODEC_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "ledger/grant_history.h"

namespace grantledger {

std::string EncodeMoves(absl::Span<const Move> moves);
// nullopt when `bytes` is not an encoding of moves (damaged), or names a line, purpose or cost
// group at or beyond the counts given (the grant's names as checkpointed).
std::optional<std::vector<Move>> DecodeMoves(absl::string_view bytes, size_t lines, size_t purposes,
                                             size_t cost_groups);

}  // namespace grantledger

#endif  // GRANTLEDGER_LEDGER_MOVE_CODEC_H_
