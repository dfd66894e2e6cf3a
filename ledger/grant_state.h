// The projected state of one grant: its terms and its double-entry accounts. Pure data: the
// rules (rules.h) move it from one event to the next, balances.h reads it. No I/O here.
#ifndef GRANTLEDGER_LEDGER_GRANT_STATE_H_
#define GRANTLEDGER_LEDGER_GRANT_STATE_H_

#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/time/civil_time.h"
#include "grantledger/v1/events.pb.h"

namespace grantledger {

// An activity line of a grant: the activity code ("p7") within a division ("HS Kir").
struct ActivityKey {
  std::string activity;
  std::string division;
  friend bool operator<(const ActivityKey& a, const ActivityKey& b) {
    return std::tie(a.activity, a.division) < std::tie(b.activity, b.division);
  }
  friend bool operator==(const ActivityKey& a, const ActivityKey& b) {
    return a.activity == b.activity && a.division == b.division;
  }
};

// The two accounts every activity line has. Signed balances, debit positive.
struct ActivityAccounts {
  int64_t allocation_ore = 0;  // allocated and not yet spent; negative = overspent
  int64_t spent_ore = 0;       // spending booked on the activity
  friend bool operator==(const ActivityAccounts&, const ActivityAccounts&) = default;
};

// A condition of the grant and what was last recorded about it.
enum class ConditionStatus { kUnknown = 0, kMet = 1, kUnmet = 2 };
struct ConditionState {
  std::string description;
  int64_t repayable_ore = 0;  // repayable when unmet; 0 = the whole received amount
  ConditionStatus status = ConditionStatus::kUnknown;
  uint64_t recorded_sequence = 0;  // the last condition_recorded event, 0 if none
  friend bool operator==(const ConditionState&, const ConditionState&) = default;
};

// A financial account (ekonomisk redovisning) sent to the grantor is recorded as this condition,
// met, dated the day it was sent. Every grant has it without declaring it; it never makes money
// repayable (ledger/deadlines.h).
inline constexpr char kReportSubmittedCondition[] = "report-submitted";

// A sealed year of the grant (a `seal` event): its reporting period is closed.
struct SealState {
  uint64_t sequence = 0;  // the seal event
  absl::CivilDay period_start;
  absl::CivilDay period_end;
  friend bool operator==(const SealState&, const SealState&) = default;
};

// The grant's terms as currently in force (registration plus amendments).
struct GrantTerms {
  std::string title;
  std::string grantor;
  int64_t decided_amount_ore = 0;
  absl::CivilDay usage_period_start;
  absl::CivilDay usage_period_end;
  absl::CivilDay repayment_deadline;
  absl::CivilDay reporting_deadline;
  std::string cost_object;
  v1::GrantKind kind = v1::GRANT_KIND_UNSPECIFIED;
  std::string year;
  std::map<std::string, ConditionState> conditions;  // by condition id
  std::string entitlement;  // serialized v1::EntitlementModel; empty when there is none
  friend bool operator==(const GrantTerms&, const GrantTerms&) = default;
};

// The accounts of a grant (signed, debit positive; they always sum to zero):
//   grantor          credited by receipts (so -grantor = received from the grantor)
//   carry_in         credited by unused funds carried over from an earlier grant
//   pool             received money not allocated to an activity
//   activity lines   see ActivityAccounts
//   unassigned_spent spending with no activity, paid from the pool
//   repaid           money returned to the grantor, paid from the pool
//   carried_out      unused funds carried over into a later grant, paid from the pool
struct GrantState {
  std::string grant_id;
  GrantTerms terms;
  uint64_t registered_sequence = 0;
  uint64_t last_sequence = 0;
  uint64_t event_count = 0;  // the grant's version, for expected-version appends

  int64_t grantor_ore = 0;
  int64_t carry_in_ore = 0;
  int64_t carried_out_ore = 0;
  int64_t pool_ore = 0;
  int64_t unassigned_spent_ore = 0;
  int64_t repaid_ore = 0;
  std::map<ActivityKey, ActivityAccounts> activities;

  absl::flat_hash_set<uint64_t> reversed_sequences;
  std::map<int32_t, SealState> seals;  // by sealed year

  // Received from the grantor plus carried in from earlier grants.
  int64_t received_ore() const { return -grantor_ore - carry_in_ore; }
  int64_t carried_in_ore() const { return -carry_in_ore; }
  // Sum of every account: zero after every event (the trial balance).
  int64_t TrialBalance() const;
  // Allocated to activities (allocation + spent over all lines).
  int64_t AllocatedOre() const;
  int64_t SpentOre() const;

  friend bool operator==(const GrantState&, const GrantState&) = default;
};

}  // namespace grantledger

#endif  // GRANTLEDGER_LEDGER_GRANT_STATE_H_
