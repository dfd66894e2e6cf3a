// The grantledger command line's exit codes, one meaning each, as the README documents them.
#ifndef GRANTLEDGER_CLI_EXIT_CODES_H_
#define GRANTLEDGER_CLI_EXIT_CODES_H_

#include "absl/status/status.h"

namespace grantledger {

inline constexpr int kExitOk = 0;
inline constexpr int kExitUsage = 1;        // bad flags or arguments
inline constexpr int kExitRejected = 2;     // input rejected: nothing was written
inline constexpr int kExitUnavailable = 3;  // server unavailable or data directory locked
inline constexpr int kExitDamaged = 4;      // verify or replay found the ledger altered
// `obligations --due-within DAYS`: something is due or overdue within DAYS (for a cron job).
inline constexpr int kExitAttention = 5;

// The exit code for a failed status: Unavailable -> 3, everything else -> 2.
inline int ExitCodeFor(const absl::Status& status) {
  if (status.ok()) return kExitOk;
  if (status.code() == absl::StatusCode::kUnavailable) return kExitUnavailable;
  if (status.code() == absl::StatusCode::kDataLoss) return kExitDamaged;
  return kExitRejected;
}

}  // namespace grantledger

#endif  // GRANTLEDGER_CLI_EXIT_CODES_H_
