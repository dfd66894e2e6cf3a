// Message conversions; see codec.h.
#include "services/codec.h"

#include "ledger/civil_date.h"
#include "ledger/deadlines.h"

namespace grantledger {
namespace {
absl::CivilDay Day(const std::string& text) {
  return ParseCivilDay(text, "").value_or(absl::CivilDay());
}
}  // namespace

void EncodeTerms(const GrantTerms& t, v1::GrantTermsView* out) {
  out->set_title(t.title);
  out->set_grantor(t.grantor);
  out->set_decided_amount_ore(t.decided_amount_ore);
  out->set_usage_period_start(FormatCivilDay(t.usage_period_start));
  out->set_usage_period_end(FormatCivilDay(t.usage_period_end));
  out->set_repayment_deadline(FormatCivilDay(t.repayment_deadline));
  out->set_reporting_deadline(FormatCivilDay(t.reporting_deadline));
  out->set_cost_object(t.cost_object);
  out->set_kind(t.kind);
  out->set_year(t.year);
  if (!t.entitlement.empty()) out->mutable_entitlement()->ParseFromString(t.entitlement);
}

GrantTerms DecodeTerms(const v1::GrantTermsView& in) {
  GrantTerms t;
  t.title = in.title();
  t.grantor = in.grantor();
  t.decided_amount_ore = in.decided_amount_ore();
  t.usage_period_start = Day(in.usage_period_start());
  t.usage_period_end = Day(in.usage_period_end());
  t.repayment_deadline = Day(in.repayment_deadline());
  t.reporting_deadline = Day(in.reporting_deadline());
  t.cost_object = in.cost_object();
  t.kind = in.kind();
  t.year = in.year();
  if (in.has_entitlement()) t.entitlement = in.entitlement().SerializeAsString();
  return t;
}

void EncodeBalance(const GrantBalance& b, v1::GrantBalance* out, bool with_lines) {
  out->set_grant_id(b.grant_id);
  out->set_decided_ore(b.decided_ore.value());
  out->set_received_ore(b.received_ore.value());
  out->set_allocated_ore(b.allocated_ore.value());
  out->set_unallocated_ore(b.unallocated_ore.value());
  out->set_spent_ore(b.spent_ore.value());
  out->set_unassigned_spent_ore(b.unassigned_spent_ore.value());
  out->set_repaid_ore(b.repaid_ore.value());
  out->set_remaining_ore(b.remaining_ore.value());
  out->set_overspent_ore(b.overspent_ore.value());
  if (!with_lines) return;
  for (const ActivityBalance& a : b.activities) {
    v1::ActivityBalance* x = out->add_activities();
    x->set_activity(a.activity);
    x->set_division(a.division);
    x->set_allocated_ore(a.allocated_ore.value());
    x->set_spent_ore(a.spent_ore.value());
    x->set_remaining_ore(a.remaining_ore.value());
    x->set_overspent_ore(a.overspent_ore.value());
  }
  for (const DivisionBalance& d : b.divisions) {
    v1::DivisionBalance* x = out->add_divisions();
    x->set_division(d.division);
    x->set_allocated_ore(d.allocated_ore.value());
    x->set_spent_ore(d.spent_ore.value());
    x->set_remaining_ore(d.remaining_ore.value());
    x->set_overspent_ore(d.overspent_ore.value());
  }
}

GrantBalance DecodeBalance(const v1::GrantBalance& in) {
  GrantBalance b;
  b.grant_id = in.grant_id();
  b.decided_ore = Ore(in.decided_ore());
  b.received_ore = Ore(in.received_ore());
  b.allocated_ore = Ore(in.allocated_ore());
  b.unallocated_ore = Ore(in.unallocated_ore());
  b.spent_ore = Ore(in.spent_ore());
  b.unassigned_spent_ore = Ore(in.unassigned_spent_ore());
  b.repaid_ore = Ore(in.repaid_ore());
  b.remaining_ore = Ore(in.remaining_ore());
  b.overspent_ore = Ore(in.overspent_ore());
  for (const v1::ActivityBalance& x : in.activities()) {
    b.activities.push_back(ActivityBalance{x.activity(), x.division(), Ore(x.allocated_ore()),
                                           Ore(x.spent_ore()), Ore(x.remaining_ore()),
                                           Ore(x.overspent_ore())});
  }
  for (const v1::DivisionBalance& x : in.divisions()) {
    b.divisions.push_back(DivisionBalance{x.division(), Ore(x.allocated_ore()), Ore(x.spent_ore()),
                                          Ore(x.remaining_ore()), Ore(x.overspent_ore())});
  }
  return b;
}

void EncodePosition(const GrantPosition& p, v1::PositionResponse* out) {
  out->set_grant_id(p.grant_id);
  out->set_as_of_date(FormatCivilDay(p.as_of.date));
  out->set_as_of_sequence(p.as_of.sequence);
  EncodeTerms(p.terms, out->mutable_terms());
  EncodeBalance(p.balance, out->mutable_balance());
  out->set_carried_in_ore(p.carried_in_ore.value());
  out->set_carried_out_ore(p.carried_out_ore.value());
  out->set_eligible_spent_ore(p.eligible_spent_ore.value());
  out->set_ineligible_spent_ore(p.ineligible_spent_ore.value());
  for (const PurposeSpending& s : p.eligible_by_purpose) {
    v1::PurposeSpending* x = out->add_eligible_by_purpose();
    x->set_purpose(s.purpose);
    x->set_cost_group(s.cost_group);
    x->set_spent_ore(s.spent_ore.value());
  }
}

GrantPosition DecodePosition(const v1::PositionResponse& in) {
  GrantPosition p;
  p.grant_id = in.grant_id();
  p.as_of.date = Day(in.as_of_date());
  p.as_of.sequence = in.as_of_sequence();
  p.terms = DecodeTerms(in.terms());
  p.balance = DecodeBalance(in.balance());
  p.carried_in_ore = Ore(in.carried_in_ore());
  p.carried_out_ore = Ore(in.carried_out_ore());
  p.balance.carried_in_ore = Ore(in.carried_in_ore());
  p.balance.carried_out_ore = Ore(in.carried_out_ore());
  p.received_from_grantor_ore = p.balance.received_ore - p.carried_in_ore;
  p.eligible_spent_ore = Ore(in.eligible_spent_ore());
  p.ineligible_spent_ore = Ore(in.ineligible_spent_ore());
  for (const v1::PurposeSpending& s : in.eligible_by_purpose()) {
    p.eligible_by_purpose.push_back(
        PurposeSpending{s.purpose(), s.cost_group(), Ore(s.spent_ore())});
  }
  return p;
}

void EncodeGrantView(const GrantTerms& terms, const GrantBalance& balance, uint64_t version,
                     v1::GrantView* out, bool with_lines) {
  out->set_grant_id(balance.grant_id);
  EncodeTerms(terms, out->mutable_terms());
  out->set_version(version);
  EncodeBalance(balance, out->mutable_balance(), with_lines);
}

void EncodeObligation(const Obligation& o, v1::Obligation* out) {
  out->set_grant_id(o.grant_id);
  out->set_title(o.title);
  out->set_grantor(o.grantor);
  out->set_year(o.year);
  out->set_usage_period_start(FormatCivilDay(o.usage_period_start));
  out->set_usage_period_end(FormatCivilDay(o.usage_period_end));
  out->set_repayment_deadline(FormatCivilDay(o.repayment_deadline));
  out->set_reporting_deadline(FormatCivilDay(o.reporting_deadline));
  out->set_period_ended(o.period_ended);
  out->set_rejected(o.rejected);
  out->set_decided_ore(o.decided_ore.value());
  out->set_received_ore(o.received_ore.value());
  out->set_carried_in_ore(o.carried_in_ore.value());
  out->set_carried_out_ore(o.carried_out_ore.value());
  out->set_eligible_spent_ore(o.eligible_spent_ore.value());
  out->set_ineligible_spent_ore(o.ineligible_spent_ore.value());
  out->set_repaid_ore(o.repaid_ore.value());
  out->set_unused_ore(o.unused_ore.value());
  out->set_condition_repayable_ore(o.condition_repayable_ore.value());
  out->set_repayable_ore(o.repayable_ore.value());
  out->set_outstanding_ore(o.outstanding_ore.value());
  out->set_days_left(o.days_left);
  out->set_status(ObligationStatusName(o.status));
  out->set_burn_rate_ore_per_day(o.burn_rate_ore_per_day.value());
  out->set_forecast_unused_at_end_ore(o.forecast_unused_at_end_ore.value());
  out->set_kind(o.kind);
  out->set_as_of_date(FormatCivilDay(o.as_of_date));
  out->set_report_submitted(o.report_submitted);
  out->set_days_elapsed(o.days_elapsed);
  out->set_days_in_period(o.days_in_period);
  out->set_reporting_status(ReportingStatusName(ReportingStatusOf(o)));
}

Obligation DecodeObligation(const v1::Obligation& in) {
  Obligation o;
  o.grant_id = in.grant_id();
  o.title = in.title();
  o.grantor = in.grantor();
  o.year = in.year();
  o.kind = in.kind();
  o.as_of_date = Day(in.as_of_date());
  o.usage_period_start = Day(in.usage_period_start());
  o.usage_period_end = Day(in.usage_period_end());
  o.repayment_deadline = Day(in.repayment_deadline());
  o.reporting_deadline = Day(in.reporting_deadline());
  o.period_ended = in.period_ended();
  o.rejected = in.rejected();
  o.report_submitted = in.report_submitted();
  o.decided_ore = Ore(in.decided_ore());
  o.received_ore = Ore(in.received_ore());
  o.carried_in_ore = Ore(in.carried_in_ore());
  o.carried_out_ore = Ore(in.carried_out_ore());
  o.eligible_spent_ore = Ore(in.eligible_spent_ore());
  o.ineligible_spent_ore = Ore(in.ineligible_spent_ore());
  o.repaid_ore = Ore(in.repaid_ore());
  o.unused_ore = Ore(in.unused_ore());
  o.condition_repayable_ore = Ore(in.condition_repayable_ore());
  o.repayable_ore = Ore(in.repayable_ore());
  o.outstanding_ore = Ore(in.outstanding_ore());
  o.days_left = in.days_left();
  for (ObligationStatus status : {ObligationStatus::kOpen, ObligationStatus::kDueSoon,
                                  ObligationStatus::kOverdue, ObligationStatus::kSettled}) {
    if (in.status() == ObligationStatusName(status)) o.status = status;
  }
  o.days_elapsed = in.days_elapsed();
  o.days_in_period = in.days_in_period();
  o.burn_rate_ore_per_day = Ore(in.burn_rate_ore_per_day());
  o.forecast_unused_at_end_ore = Ore(in.forecast_unused_at_end_ore());
  return o;
}

void EncodeUnusedList(const UnusedList& unused, v1::UnusedResponse* out) {
  if (unused.nothing_due) return;  // no window: deadline_from and deadline_to stay empty
  const ObligationList& list = unused.list;
  out->set_deadline_from(FormatCivilDay(list.deadline_from));
  out->set_deadline_to(FormatCivilDay(list.deadline_to));
  for (const Obligation& o : list.obligations) EncodeObligation(o, out->add_obligations());
  for (const GrantorTotals& g : list.per_grantor) {
    v1::GrantorTotals* x = out->add_per_grantor();
    x->set_grantor(g.grantor);
    x->set_grants(g.grants);
    x->set_unused_ore(g.unused_ore.value());
    x->set_repayable_ore(g.repayable_ore.value());
    x->set_outstanding_ore(g.outstanding_ore.value());
  }
  out->set_unused_ore(list.unused_ore.value());
  out->set_repayable_ore(list.repayable_ore.value());
  out->set_outstanding_ore(list.outstanding_ore.value());
}

UnusedList DecodeUnusedList(const v1::UnusedResponse& in) {
  UnusedList out;
  ObligationList& list = out.list;
  if (in.deadline_from().empty()) {
    // The default window found nothing; UnusedObligations gives the as-of date as its bounds.
    out.nothing_due = true;
    list.deadline_from = list.deadline_to = Day(in.as_of_date());
    return out;
  }
  list.deadline_from = Day(in.deadline_from());
  list.deadline_to = Day(in.deadline_to());
  for (const v1::Obligation& o : in.obligations()) list.obligations.push_back(DecodeObligation(o));
  for (const v1::GrantorTotals& g : in.per_grantor()) {
    GrantorTotals x;
    x.grantor = g.grantor();
    x.grants = g.grants();
    x.unused_ore = Ore(g.unused_ore());
    x.repayable_ore = Ore(g.repayable_ore());
    x.outstanding_ore = Ore(g.outstanding_ore());
    list.per_grantor.push_back(std::move(x));
  }
  list.unused_ore = Ore(in.unused_ore());
  list.repayable_ore = Ore(in.repayable_ore());
  list.outstanding_ore = Ore(in.outstanding_ore());
  return out;
}

void EncodeYearOverview(const YearOverview& overview, v1::YearOverviewResponse* out) {
  out->set_year(overview.year);
  for (const Obligation& o : overview.grants) EncodeObligation(o, out->add_grants());
  out->set_decided_ore(overview.decided_ore.value());
  out->set_received_ore(overview.received_ore.value());
  out->set_spent_ore(overview.spent_ore.value());
  out->set_unused_ore(overview.unused_ore.value());
  out->set_repayable_ore(overview.repayable_ore.value());
}

void EncodeFinancialAccount(const FinancialAccount& account, v1::FinancialAccountResponse* out) {
  out->set_grant_id(account.grant_id);
  out->set_as_of_date(FormatCivilDay(account.as_of_date));
  out->set_disposable_ore(account.disposable_ore.value());
  out->set_used_ore(account.used_ore.value());
  out->set_remaining_ore(account.remaining_ore.value());
  for (const PurposeSpending& s : account.lines) {
    v1::PurposeSpending* x = out->add_lines();
    x->set_purpose(s.purpose);
    x->set_cost_group(s.cost_group);
    x->set_spent_ore(s.spent_ore.value());
  }
}

}  // namespace grantledger
