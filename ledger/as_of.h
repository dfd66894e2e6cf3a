// A grant's position at a point on both clocks: as of an effective date (the events dated on
// or before it) as the ledger knew it at a sequence number (the events recorded up to it).
// "Per 2025-12-31, as known on 2026-01-15" is (2025-12-31, the last sequence recorded on
// 2026-01-15). Pure functions over GrantHistory.
#ifndef GRANTLEDGER_LEDGER_AS_OF_H_
#define GRANTLEDGER_LEDGER_AS_OF_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/types/span.h"
#include "ledger/balances.h"
#include "ledger/grant_history.h"
#include "ledger/grant_state.h"
#include "ledger/ore.h"

namespace grantledger {

struct AsOf {
  absl::CivilDay date;    // effective as-of date
  uint64_t sequence = 0;  // recorded as-of sequence; 0 = everything recorded
};

// Eligible spending of one purpose (ändamål) and cost group (kostnadsgrupp).
struct PurposeSpending {
  std::string purpose;
  std::string cost_group;
  Ore spent_ore;
};

struct GrantPosition {
  std::string grant_id;
  AsOf as_of;
  GrantTerms terms;      // in force: registration and the amendments dated and recorded by then
  GrantBalance balance;  // received here includes carried-in funds
  Ore received_from_grantor_ore;
  Ore carried_in_ore;
  Ore carried_out_ore;
  Ore eligible_spent_ore;    // booked within the usage period
  Ore ineligible_spent_ore;  // booked outside it: recorded, never reduces the obligation
  std::vector<PurposeSpending> eligible_by_purpose;  // in first-seen order of purpose
};

// The position of the grant whose history this is. NotFound if it was not registered by
// `as_of.sequence`. The registration counts whatever its date; amendments, condition records
// and money events count when dated on or before `as_of.date` and recorded by
// `as_of.sequence`.
// REQUIRES: as_of.sequence is 0 or at or after history.compacted_through() (earlier ones
// need the compacted moves of that time: the overload below).
absl::StatusOr<GrantPosition> PositionAsOf(const std::string& grant_id, const GrantHistory& history,
                                           const AsOf& as_of);
// The same over moves kept apart from the history (the event store's on-disk parts):
// `compacted` is CompactMoves of the grant's moves up to a sequence at or before
// as_of.sequence, all of which count (dates permitting); `later` are the moves after it in
// sequence order, counted up to as_of.sequence. `history` gives the terms and the names.
absl::StatusOr<GrantPosition> PositionAsOf(const std::string& grant_id, const GrantHistory& history,
                                           absl::Span<const Move> compacted,
                                           absl::Span<const Move> later, const AsOf& as_of);

}  // namespace grantledger

#endif  // GRANTLEDGER_LEDGER_AS_OF_H_
