// The projected state of the whole ledger after a given sequence number: every grant's state
// plus the chain head. What the event store keeps in memory and checkpoints.
#ifndef GRANTLEDGER_LEDGER_LEDGER_STATE_H_
#define GRANTLEDGER_LEDGER_LEDGER_STATE_H_

#include <cstdint>
#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "grantledger/v1/checkpoint.pb.h"
#include "ledger/grant_state.h"

namespace grantledger {

struct LedgerState {
  uint64_t sequence = 0;  // last event applied; 0 for an empty ledger
  std::string head_hash;  // hash of that event; 32 zero bytes when empty
  int64_t last_recorded_time_unix_micros = 0;
  std::map<std::string, GrantState> grants;

  // Sum of every grant's trial balance: zero after every append.
  int64_t TrialBalance() const;
  friend bool operator==(const LedgerState&, const LedgerState&) = default;
};

// The hash before the first event: 32 zero bytes.
std::string GenesisHash();

v1::ProjectionCheckpoint ToCheckpoint(const LedgerState& state);
absl::StatusOr<LedgerState> FromCheckpoint(const v1::ProjectionCheckpoint& checkpoint);

}  // namespace grantledger

#endif  // GRANTLEDGER_LEDGER_LEDGER_STATE_H_
