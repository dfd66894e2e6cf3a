// Deadlines, statuses and warnings; see deadlines.h.
#include "ledger/deadlines.h"

#include <algorithm>

namespace grantledger {
namespace {

bool HasReportingDeadline(const Obligation& o) {
  return o.reporting_deadline > absl::CivilDay(1970, 1, 1);
}

}  // namespace

ObligationList DefaultUnusedList(const std::vector<Obligation>& all, absl::CivilDay as_of) {
  std::vector<Obligation> chosen;
  const std::optional<absl::CivilDay> next = NextRepaymentDeadline(all, as_of);
  std::optional<absl::CivilDay> earliest = next;
  for (const Obligation& o : all) {
    const bool overdue = o.outstanding_ore > Ore(0) && o.repayment_deadline < as_of;
    const bool at_next = next && o.repayment_deadline == *next &&
                         (o.unused_ore > Ore(0) || o.outstanding_ore > Ore(0));
    if (!overdue && !at_next) continue;
    chosen.push_back(o);
    if (!earliest || o.repayment_deadline < *earliest) earliest = o.repayment_deadline;
  }
  if (chosen.empty()) {
    ObligationList empty;
    empty.deadline_from = empty.deadline_to = as_of;
    return empty;
  }
  return ListObligations(chosen, *earliest, next ? *next : as_of);
}

const char* ReportingStatusName(ReportingStatus status) {
  switch (status) {
    case ReportingStatus::kNone:
      return "none";
    case ReportingStatus::kUpcoming:
      return "upcoming";
    case ReportingStatus::kDueSoon:
      return "due soon";
    case ReportingStatus::kOverdue:
      return "overdue";
    case ReportingStatus::kSubmitted:
      return "submitted";
  }
  return "?";
}

int64_t ReportingDaysLeft(const Obligation& o) { return o.reporting_deadline - o.as_of_date; }

ReportingStatus ReportingStatusOf(const Obligation& o, int64_t window_days) {
  if (o.report_submitted) return ReportingStatus::kSubmitted;
  if (!HasReportingDeadline(o) || o.rejected) return ReportingStatus::kNone;
  const int64_t left = ReportingDaysLeft(o);
  if (left < 0) return ReportingStatus::kOverdue;
  if (left <= window_days) return ReportingStatus::kDueSoon;
  return ReportingStatus::kUpcoming;
}

bool DueWithin(const Obligation& o, int64_t days) {
  if (o.outstanding_ore > Ore(0) && o.days_left <= days) return true;
  const ReportingStatus r = ReportingStatusOf(o, days);
  return r == ReportingStatus::kDueSoon || r == ReportingStatus::kOverdue;
}

std::vector<DeadlineWarning> WarningsFor(const Obligation& o) {
  std::vector<DeadlineWarning> out;
  using Kind = DeadlineWarning::Kind;
  if (o.ineligible_spent_ore > Ore(0)) {
    out.push_back(
        {Kind::kSpentOutsidePeriod, o.grant_id, o.ineligible_spent_ore, o.usage_period_end, 0});
  }
  if (o.outstanding_ore > Ore(0) && o.days_left < 0) {
    out.push_back({Kind::kRepaymentOverdue, o.grant_id, o.outstanding_ore, o.repayment_deadline,
                   o.days_left});
  } else if (o.period_ended && o.outstanding_ore > Ore(0) && o.days_left <= kDueSoonDays) {
    out.push_back({Kind::kUnusedNearDeadline, o.grant_id, o.outstanding_ore, o.repayment_deadline,
                   o.days_left});
  }
  if (!o.period_ended && !o.rejected && o.days_elapsed > 0) {
    // forecast_unused = disposable - forecast spending (ledger/obligations.cc).
    const Ore disposable_ore = std::max(Ore(0), o.received_ore - o.carried_out_ore);
    const Ore forecast_spent_ore = disposable_ore - o.forecast_unused_at_end_ore;
    if (forecast_spent_ore > o.decided_ore) {
      out.push_back({Kind::kForecastAboveAllocation, o.grant_id, forecast_spent_ore - o.decided_ore,
                     o.usage_period_end, 0});
    }
  }
  if (ReportingStatusOf(o) == ReportingStatus::kOverdue) {
    out.push_back(
        {Kind::kReportOverdue, o.grant_id, Ore(0), o.reporting_deadline, ReportingDaysLeft(o)});
  }
  return out;
}

}  // namespace grantledger
