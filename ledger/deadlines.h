// Deadlines that never hide money: the default list of `unused` (everything overdue, and what
// is due at the next repayment deadline), the reporting deadline's own status, what falls due
// within N days (for a daily cron job), and the warnings a coordinator must see. Pure
// functions of Obligation (ledger/obligations.h).
#ifndef GRANTLEDGER_LEDGER_DEADLINES_H_
#define GRANTLEDGER_LEDGER_DEADLINES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "ledger/obligations.h"
#include "ledger/ore.h"

namespace grantledger {

// `unused` with no deadline range: the grants with an amount outstanding whose repayment
// deadline has passed (overdue), and the grants with something unused or outstanding whose
// deadline is the next one on or after `as_of`. deadline_from is the earliest such deadline;
// empty when there is nothing.
ObligationList DefaultUnusedList(const std::vector<Obligation>& all, absl::CivilDay as_of);

// The financial account's (reporting) deadline. A report counts as submitted once a
// condition_recorded event with condition_id kReportSubmittedCondition and met: true is dated
// on or before the as-of date.
enum class ReportingStatus {
  kNone,       // the grant has no reporting deadline
  kUpcoming,   // more than the warning window away
  kDueSoon,    // within the window (kDueSoonDays, or --due-within)
  kOverdue,    // passed, and no report recorded
  kSubmitted,  // a report is recorded
};
const char* ReportingStatusName(ReportingStatus status);

// Days from the as-of date to the reporting deadline (negative once passed).
int64_t ReportingDaysLeft(const Obligation& o);
ReportingStatus ReportingStatusOf(const Obligation& o, int64_t window_days = kDueSoonDays);

// True when `o` has money outstanding with a repayment deadline at most `days` away (or
// passed), or an unsubmitted report due within `days` (or overdue).
bool DueWithin(const Obligation& o, int64_t days);

struct DeadlineWarning {
  enum class Kind {
    kSpentOutsidePeriod,       // spending booked outside the usage period (not eligible)
    kUnusedNearDeadline,       // unused money, repayment deadline within 30 days
    kRepaymentOverdue,         // outstanding after the repayment deadline
    kForecastAboveAllocation,  // in the period: forecast spending exceeds the decided amount
    kReportOverdue,            // the reporting deadline has passed with no report recorded
  };
  Kind kind;
  std::string grant_id;
  Ore amount_ore;  // the amount the warning is about
  absl::CivilDay deadline;
  int64_t days = 0;  // days left (negative: days late)
};
std::vector<DeadlineWarning> WarningsFor(const Obligation& o);

}  // namespace grantledger

#endif  // GRANTLEDGER_LEDGER_DEADLINES_H_
