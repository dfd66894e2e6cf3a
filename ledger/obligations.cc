// Year-end obligations and reports; see obligations.h.
#include "ledger/obligations.h"

#include <algorithm>

#include "absl/numeric/int128.h"

namespace grantledger {

const char* ObligationStatusName(ObligationStatus status) {
  switch (status) {
    case ObligationStatus::kOpen:
      return "open";
    case ObligationStatus::kDueSoon:
      return "due soon";
    case ObligationStatus::kOverdue:
      return "overdue";
    case ObligationStatus::kSettled:
      return "settled";
  }
  return "?";
}

Obligation ObligationOf(const GrantPosition& p) {
  Obligation o;
  const GrantTerms& t = p.terms;
  o.grant_id = p.grant_id;
  o.title = t.title;
  o.grantor = t.grantor;
  o.year = t.year;
  o.kind = t.kind;
  o.as_of_date = p.as_of.date;
  o.usage_period_start = t.usage_period_start;
  o.usage_period_end = t.usage_period_end;
  o.repayment_deadline = t.repayment_deadline;
  o.reporting_deadline = t.reporting_deadline;
  o.period_ended = p.as_of.date >= t.usage_period_end;
  o.rejected = t.kind == v1::GRANT_KIND_APPLIED_FOR && t.decided_amount_ore == 0;
  o.decided_ore = Ore(t.decided_amount_ore);  // GrantTerms keeps int64_t öre
  o.received_ore = p.balance.received_ore;
  o.carried_in_ore = p.carried_in_ore;
  o.carried_out_ore = p.carried_out_ore;
  o.eligible_spent_ore = p.eligible_spent_ore;
  o.ineligible_spent_ore = p.ineligible_spent_ore;
  o.repaid_ore = p.balance.repaid_ore;

  const Ore disposable_ore = std::max(Ore(0), o.received_ore - o.carried_out_ore);
  o.unused_ore = std::max(Ore(0), disposable_ore - o.eligible_spent_ore);
  for (const auto& [id, c] : t.conditions) {
    // A recorded report is not a condition on the money (ledger/deadlines.h).
    if (id == kReportSubmittedCondition) {
      o.report_submitted = c.status == ConditionStatus::kMet;
      continue;
    }
    if (c.status != ConditionStatus::kUnmet) continue;
    o.condition_repayable_ore += c.repayable_ore == 0 ? disposable_ore : Ore(c.repayable_ore);
  }
  o.condition_repayable_ore = std::min(o.condition_repayable_ore, disposable_ore);
  // Unmet conditions are known whenever they are recorded; unused funds only count once the
  // period is over.
  const Ore unused_due_ore = o.period_ended ? o.unused_ore : Ore(0);
  o.repayable_ore = std::min(disposable_ore, unused_due_ore + o.condition_repayable_ore);
  o.outstanding_ore = std::max(Ore(0), o.repayable_ore - o.repaid_ore);
  o.days_left = t.repayment_deadline - p.as_of.date;

  o.days_in_period = t.usage_period_end - t.usage_period_start + 1;
  o.days_elapsed =
      std::clamp<int64_t>(p.as_of.date - t.usage_period_start + 1, 0, o.days_in_period);
  if (o.days_elapsed > 0) {
    o.burn_rate_ore_per_day = o.eligible_spent_ore / o.days_elapsed;
    const absl::int128 forecast_spent =
        absl::int128(o.eligible_spent_ore.value()) * o.days_in_period / o.days_elapsed;
    o.forecast_unused_at_end_ore =
        disposable_ore -
        Ore(static_cast<int64_t>(std::min<absl::int128>(forecast_spent, INT64_MAX / 2)));
  } else {
    o.forecast_unused_at_end_ore = disposable_ore;
  }

  if (o.outstanding_ore > Ore(0)) {
    if (o.days_left < 0)
      o.status = ObligationStatus::kOverdue;
    else if (o.days_left <= kDueSoonDays)
      o.status = ObligationStatus::kDueSoon;
    else
      o.status = ObligationStatus::kOpen;
  } else {
    o.status = o.period_ended ? ObligationStatus::kSettled : ObligationStatus::kOpen;
  }
  return o;
}

std::optional<absl::CivilDay> NextRepaymentDeadline(const std::vector<Obligation>& all,
                                                    absl::CivilDay date) {
  std::optional<absl::CivilDay> next;
  for (const Obligation& o : all) {
    if (o.unused_ore == Ore(0) && o.outstanding_ore == Ore(0)) continue;
    if (o.repayment_deadline < date) continue;
    if (!next || o.repayment_deadline < *next) next = o.repayment_deadline;
  }
  return next;
}

ObligationList ListObligations(const std::vector<Obligation>& all, absl::CivilDay from,
                               absl::CivilDay to) {
  ObligationList out;
  out.deadline_from = from;
  out.deadline_to = to;
  std::map<std::string, GrantorTotals> totals;
  for (const Obligation& o : all) {
    if (o.unused_ore == Ore(0) && o.outstanding_ore == Ore(0)) continue;
    if (o.repayment_deadline < from || o.repayment_deadline > to) continue;
    out.obligations.push_back(o);
    GrantorTotals& g = totals[o.grantor];
    g.grantor = o.grantor;
    g.unused_ore += o.unused_ore;
    g.repayable_ore += o.repayable_ore;
    g.outstanding_ore += o.outstanding_ore;
    ++g.grants;
    out.unused_ore += o.unused_ore;
    out.repayable_ore += o.repayable_ore;
    out.outstanding_ore += o.outstanding_ore;
  }
  std::sort(out.obligations.begin(), out.obligations.end(),
            [](const Obligation& a, const Obligation& b) {
              if (a.repayment_deadline != b.repayment_deadline)
                return a.repayment_deadline < b.repayment_deadline;
              return a.grant_id < b.grant_id;
            });
  for (auto& [name, g] : totals) out.per_grantor.push_back(std::move(g));
  return out;
}

YearOverview OverviewOfYear(const std::vector<Obligation>& all, const std::string& year) {
  YearOverview out;
  out.year = year;
  for (const Obligation& o : all) {
    if (o.year != year) continue;
    out.grants.push_back(o);
    out.decided_ore += o.decided_ore;
    out.received_ore += o.received_ore;
    out.spent_ore += o.eligible_spent_ore;
    out.unused_ore += o.unused_ore;
    out.repayable_ore += o.repayable_ore;
  }
  std::sort(out.grants.begin(), out.grants.end(), [](const Obligation& a, const Obligation& b) {
    if (a.grantor != b.grantor) return a.grantor < b.grantor;
    return a.grant_id < b.grant_id;
  });
  return out;
}

FinancialAccount FinancialAccountOf(const GrantPosition& p) {
  FinancialAccount out;
  out.grant_id = p.grant_id;
  out.as_of_date = p.as_of.date;
  out.disposable_ore = p.balance.received_ore - p.carried_out_ore;
  out.used_ore = p.eligible_spent_ore;
  out.remaining_ore = out.disposable_ore - out.used_ore;
  out.lines = p.eligible_by_purpose;
  // Group by purpose, purposes in the order they first appear.
  std::map<std::string, size_t> first_seen;
  for (size_t i = 0; i < out.lines.size(); ++i) first_seen.emplace(out.lines[i].purpose, i);
  std::stable_sort(out.lines.begin(), out.lines.end(),
                   [&](const PurposeSpending& a, const PurposeSpending& b) {
                     return first_seen[a.purpose] < first_seen[b.purpose];
                   });
  return out;
}

}  // namespace grantledger
