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

  int64_t decided_ore = 0;
  int64_t received_ore = 0;  // from the grantor plus carried in
  int64_t carried_in_ore = 0;
  int64_t carried_out_ore = 0;
  int64_t eligible_spent_ore = 0;
  int64_t ineligible_spent_ore = 0;
  int64_t repaid_ore = 0;
  // received - eligible spending - carried out, never below 0: what was not used.
  int64_t unused_ore = 0;
  // Made repayable by unmet conditions (a condition's amount, or everything received for 0).
  int64_t condition_repayable_ore = 0;
  // unused + condition amounts, at most what was received less carried out.
  int64_t repayable_ore = 0;
  // repayable - repaid, never below 0: what must still be paid back.
  int64_t outstanding_ore = 0;
  int64_t days_left = 0;  // repayment deadline - as-of date (negative once passed)
  ObligationStatus status = ObligationStatus::kOpen;

  // Before the period has ended: spending so far extrapolated over the whole period.
  int64_t days_elapsed = 0;
  int64_t days_in_period = 0;
  int64_t burn_rate_ore_per_day = 0;       // eligible spending / days elapsed
  int64_t forecast_unused_at_end_ore = 0;  // received - carried out - forecast spending

  friend bool operator==(const Obligation&, const Obligation&) = default;
};

Obligation ObligationOf(const GrantPosition& position);

struct GrantorTotals {
  std::string grantor;
  int64_t unused_ore = 0;
  int64_t repayable_ore = 0;
  int64_t outstanding_ore = 0;
  int grants = 0;

  friend bool operator==(const GrantorTotals&, const GrantorTotals&) = default;
};

struct ObligationList {
  absl::CivilDay deadline_from;
  absl::CivilDay deadline_to;
  std::vector<Obligation> obligations;     // by deadline, then grant id
  std::vector<GrantorTotals> per_grantor;  // by grantor
  int64_t unused_ore = 0;
  int64_t repayable_ore = 0;
  int64_t outstanding_ore = 0;

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
  int64_t decided_ore = 0;
  int64_t received_ore = 0;
  int64_t spent_ore = 0;  // eligible
  int64_t unused_ore = 0;
  int64_t repayable_ore = 0;
};
YearOverview OverviewOfYear(const std::vector<Obligation>& all, const std::string& year);

// Ekonomisk redovisning: disposable funds, used funds by purpose and cost group, remaining.
struct FinancialAccount {
  std::string grant_id;
  absl::CivilDay as_of_date;
  int64_t disposable_ore = 0;  // received less carried out
  int64_t used_ore = 0;        // eligible spending
  int64_t remaining_ore = 0;   // disposable - used
  std::vector<PurposeSpending> lines;
};
FinancialAccount FinancialAccountOf(const GrantPosition& position);

}  // namespace grantledger

#endif  // GRANTLEDGER_LEDGER_OBLIGATIONS_H_
