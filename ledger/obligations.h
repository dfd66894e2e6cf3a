// Year-end: unused funds and repayment obligations per grant as of an effective date, the
// coordinator's list of what must be repaid by when (with totals per grantor), the year
// overview in the shape of the 2019/2020 summary, and the financial account (ekonomisk
// redovisning) by purpose and cost group. Pure functions of GrantPosition.
#ifndef GRANTLEDGER_LEDGER_OBLIGATIONS_H_
#define GRANTLEDGER_LEDGER_OBLIGATIONS_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "ledger/as_of.h"
#include "ledger/ore.h"

namespace grantledger {

// Deadlines this close (in days) are "due soon".
inline constexpr int kDueSoonDays = 30;

enum class ObligationStatus {
  kOpen,     // in the usage period, or an amount is outstanding and the deadline is not near
  kDueSoon,  // an amount is outstanding and the deadline is at most kDueSoonDays away
  kOverdue,  // an amount is outstanding and the deadline has passed
  kSettled,  // the period has ended and nothing is outstanding
};
const char* ObligationStatusName(ObligationStatus status);

struct Obligation {
  std::string grant_id;
  std::string title;
  std::string grantor;
  std::string year;
  v1::GrantKind kind = v1::GRANT_KIND_UNSPECIFIED;
  absl::CivilDay as_of_date;
  absl::CivilDay usage_period_start;
  absl::CivilDay usage_period_end;
  absl::CivilDay repayment_deadline;
  absl::CivilDay reporting_deadline;
  bool period_ended = false;  // the as-of date is on or after the period's last day
  bool rejected = false;      // an application decided at 0
  // A report (ekonomisk redovisning) is recorded: condition "report-submitted" met.
  bool report_submitted = false;

  Ore decided_ore;
  Ore received_ore;  // from the grantor plus carried in
  Ore carried_in_ore;
  Ore carried_out_ore;
  Ore eligible_spent_ore;
  Ore ineligible_spent_ore;
  Ore repaid_ore;
  // received - eligible spending - carried out, never below 0: what was not used.
  Ore unused_ore;
  // Made repayable by unmet conditions (a condition's amount, or everything received for 0).
  Ore condition_repayable_ore;
  // unused + condition amounts, at most what was received less carried out.
  Ore repayable_ore;
  // repayable - repaid, never below 0: what must still be paid back.
  Ore outstanding_ore;
  int64_t days_left = 0;  // repayment deadline - as-of date (negative once passed)
  ObligationStatus status = ObligationStatus::kOpen;

  // Before the period has ended: spending so far extrapolated over the whole period.
  int64_t days_elapsed = 0;
  int64_t days_in_period = 0;
  Ore burn_rate_ore_per_day;       // eligible spending / days elapsed
  Ore forecast_unused_at_end_ore;  // received - carried out - forecast spending

  friend bool operator==(const Obligation&, const Obligation&) = default;
};

Obligation ObligationOf(const GrantPosition& position);

struct GrantorTotals {
  std::string grantor;
  Ore unused_ore;
  Ore repayable_ore;
  Ore outstanding_ore;
  int grants = 0;

  friend bool operator==(const GrantorTotals&, const GrantorTotals&) = default;
};

struct ObligationList {
  absl::CivilDay deadline_from;
  absl::CivilDay deadline_to;
  std::vector<Obligation> obligations;     // by deadline, then grant id
  std::vector<GrantorTotals> per_grantor;  // by grantor
  Ore unused_ore;
  Ore repayable_ore;
  Ore outstanding_ore;

  friend bool operator==(const ObligationList&, const ObligationList&) = default;
};

// The earliest repayment deadline on or after `date` among grants with unused funds or an
// outstanding amount; nullopt when there is none.
std::optional<absl::CivilDay> NextRepaymentDeadline(const std::vector<Obligation>& all,
                                                    absl::CivilDay date);

// Grants with unused funds or an outstanding amount whose repayment deadline is in
// [from, to], sorted by deadline, with totals per grantor.
ObligationList ListObligations(const std::vector<Obligation>& all, absl::CivilDay from,
                               absl::CivilDay to);

struct YearOverview {
  std::string year;
  std::vector<Obligation> grants;  // by grantor, then grant id
  Ore decided_ore;
  Ore received_ore;
  Ore spent_ore;  // eligible
  Ore unused_ore;
  Ore repayable_ore;
};
YearOverview OverviewOfYear(const std::vector<Obligation>& all, const std::string& year);

// Ekonomisk redovisning: disposable funds, used funds by purpose and cost group, remaining.
struct FinancialAccount {
  std::string grant_id;
  absl::CivilDay as_of_date;
  Ore disposable_ore;  // received less carried out
  Ore used_ore;        // eligible spending
  Ore remaining_ore;   // disposable - used
  std::vector<PurposeSpending> lines;
};
FinancialAccount FinancialAccountOf(const GrantPosition& position);

}  // namespace grantledger

#endif  // GRANTLEDGER_LEDGER_OBLIGATIONS_H_
