// Sealed years (issue 15, item 5): what a seal closes and what it seals. The grant's reporting
// period for a year, the financial account sealed for it (and its canonical form, which the
// seal's SHA-256 covers), and which later events were recorded after a seal of a period they
// are dated in. Pure functions: positions come from the caller (the store or a backend).
#ifndef GRANTLEDGER_LEDGER_SEAL_H_
#define GRANTLEDGER_LEDGER_SEAL_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "grantledger/v1/events.pb.h"
#include "ledger/as_of.h"
#include "ledger/grant_state.h"
#include "ledger/obligations.h"

namespace grantledger {

// The grant's reporting period for a year: the days of its usage period that lie in that
// calendar year (the account for a calendar-year grant covers the whole year; a grant whose
// period spans years reports each year's part).
struct SealPeriod {
  int32_t year = 0;
  absl::CivilDay start;
  absl::CivilDay end;
};

// The period for `year` under `terms` (the terms in force per 31 December of that year).
// FailedPrecondition naming the usage period when it has no day in `year`.
absl::StatusOr<SealPeriod> SealPeriodOf(const std::string& grant_id, const GrantTerms& terms,
                                        int32_t year);

// The canonical form of a financial account that a seal's account_sha256 covers: UTF-8 lines
// ending in "\n", fields separated by TAB (texts never hold control characters):
//   grantledger-account-v1
//   grant <TAB> GRANT_ID
//   as_of <TAB> YYYY-MM-DD
//   disposable_ore <TAB> N / used_ore <TAB> N / remaining_ore <TAB> N   (one line each)
//   line <TAB> PURPOSE <TAB> COST_GROUP <TAB> N        (one per line, in the report's order)
// Integers in decimal with a leading '-' when negative. The same numbers `grantledger account`
// prints, in the same order, without the language of the table.
std::string CanonicalAccount(const FinancialAccount& account);

// The account a seal of `year` covers, as recorded up to `sequence` (0: everything recorded).
struct SealedAccount {
  SealPeriod period;
  FinancialAccount account;  // per period.end
  std::string canonical;     // CanonicalAccount(account)
};
using PositionLookup = std::function<absl::StatusOr<GrantPosition>(const AsOf&)>;
// The terms per 31 December of `year` give the period; the account is per its last day.
// The one composition the store (checking a seal), `seal`, `account --as-sealed` and
// `verify-seal` share.
absl::StatusOr<SealedAccount> SealedAccountAt(const std::string& grant_id, int32_t year,
                                              uint64_t sequence, const PositionLookup& position);

// A seal as reports name it.
struct SealRef {
  std::string grant_id;
  int32_t year = 0;
  uint64_t sequence = 0;
  absl::CivilDay period_start;
  absl::CivilDay period_end;
};

// The seal, among `seals`, that closes `date`: a seal closes every date up to its period's end
// (the account per that day counts them all); the one with the earliest end. nullopt if none.
std::optional<SealRef> SealClosing(const std::string& grant_id,
                                   const std::map<int32_t, SealState>& seals, absl::CivilDay date);

// Follows records in sequence order and says which were recorded after a seal of a period
// they are dated in (a post-close correction), for reports. Only seals seen earlier count.
class SealTracker {
 public:
  // The seal that the event (record `sequence`) came after, if any; then notes the event if it
  // is a seal. A carry-over is checked against the seals of both grants.
  std::optional<SealRef> Observe(const v1::Event& event, uint64_t sequence);

 private:
  std::map<std::string, std::map<int32_t, SealState>> seals_;  // by grant
};

}  // namespace grantledger

#endif  // GRANTLEDGER_LEDGER_SEAL_H_
