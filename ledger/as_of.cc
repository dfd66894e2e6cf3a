// Positions as of both clocks; see as_of.h.
#include "ledger/as_of.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "ledger/civil_date.h"

namespace grantledger {
namespace {

void SetDay(const std::string& text, absl::CivilDay& day) {
  auto parsed = ParseCivilDay(text, "");
  if (parsed.ok()) day = *parsed;
}

void ApplyTerms(const v1::Event& event, GrantTerms& terms) {
  if (event.has_grant_registered()) {
    const v1::GrantRegistered& g = event.grant_registered();
    terms.title = g.title();
    terms.grantor = g.grantor();
    terms.decided_amount_ore = g.decided_amount_ore();
    SetDay(g.usage_period_start(), terms.usage_period_start);
    SetDay(g.usage_period_end(), terms.usage_period_end);
    SetDay(g.repayment_deadline(), terms.repayment_deadline);
    terms.reporting_deadline = terms.repayment_deadline;
    SetDay(g.reporting_deadline(), terms.reporting_deadline);
    terms.cost_object = g.cost_object();
    terms.kind = g.kind();
    terms.year = g.year().empty() ? absl::StrCat(terms.usage_period_start.year()) : g.year();
    for (const v1::GrantCondition& c : g.conditions()) {
      terms.conditions[c.condition_id()] = ConditionState{c.description(), c.repayable_ore()};
    }
    if (g.has_entitlement()) terms.entitlement = g.entitlement().SerializeAsString();
  } else if (event.has_terms_amended()) {
    const v1::TermsAmended& a = event.terms_amended();
    if (a.has_decided_amount_ore()) terms.decided_amount_ore = a.decided_amount_ore();
    if (a.has_usage_period_start()) SetDay(a.usage_period_start(), terms.usage_period_start);
    if (a.has_usage_period_end()) SetDay(a.usage_period_end(), terms.usage_period_end);
    if (a.has_repayment_deadline()) SetDay(a.repayment_deadline(), terms.repayment_deadline);
    if (a.has_reporting_deadline()) SetDay(a.reporting_deadline(), terms.reporting_deadline);
    if (a.has_cost_object()) terms.cost_object = a.cost_object();
    if (a.has_kind()) terms.kind = a.kind();
    if (a.has_entitlement()) terms.entitlement = a.entitlement().SerializeAsString();
    for (const v1::GrantCondition& c : a.add_conditions()) {
      terms.conditions.emplace(c.condition_id(),
                               ConditionState{c.description(), c.repayable_ore()});
    }
  }
}

void ApplyConditionRecord(const v1::Event& event, uint64_t sequence, GrantTerms& terms) {
  const v1::ConditionRecorded& r = event.condition_recorded();
  auto it = terms.conditions.find(r.condition_id());
  if (it == terms.conditions.end() && r.condition_id() == kReportSubmittedCondition) {
    it =
        terms.conditions.emplace(r.condition_id(), ConditionState{"financial account submitted", 0})
            .first;
  }
  if (it == terms.conditions.end()) return;  // added by an amendment not yet in force
  it->second.status = r.met() ? ConditionStatus::kMet : ConditionStatus::kUnmet;
  if (r.has_repayable_ore()) it->second.repayable_ore = r.repayable_ore();
  it->second.recorded_sequence = sequence;
}

// Visits the moves that count: `compacted` all, `later` up to as_of.sequence.
template <typename Later>
absl::StatusOr<GrantPosition> Position(const std::string& grant_id, const GrantHistory& history,
                                       absl::Span<const Move> compacted, const Later& later,
                                       const AsOf& as_of) {
  const uint64_t registered = history.registered_sequence();
  if (registered == 0 || (as_of.sequence != 0 && registered > as_of.sequence)) {
    return absl::NotFoundError(
        absl::StrCat("grant ", grant_id, " was not registered",
                     as_of.sequence ? absl::StrCat(" by sequence ", as_of.sequence) : ""));
  }
  GrantPosition p;
  p.grant_id = grant_id;
  p.as_of = as_of;
  // Terms first: eligibility depends on the usage period in force.
  for (const TermsEvent& t : history.terms_events()) {
    if (as_of.sequence != 0 && t.sequence > as_of.sequence) break;
    if (t.event.has_grant_registered()) {
      ApplyTerms(t.event, p.terms);
      continue;
    }
    if (t.effective > as_of.date) continue;
    if (t.event.has_condition_recorded())
      ApplyConditionRecord(t.event, t.sequence, p.terms);
    else
      ApplyTerms(t.event, p.terms);
  }

  struct LineTotals {
    Ore allocated_ore;
    Ore spent_ore;
    bool used = false;
  };
  std::vector<LineTotals> lines(history.lines().size());
  // Eligible spending per (purpose, cost group), indexed by both names' indexes (a flat table:
  // this runs once per move), and the pairs in the order first met.
  const size_t cost_groups = history.cost_groups().size();
  std::vector<Ore> by_purpose(history.purposes().size() * cost_groups);
  std::vector<bool> purpose_met(by_purpose.size());
  std::vector<std::pair<int32_t, int32_t>> purpose_order;
  GrantBalance& b = p.balance;
  auto count = [&](const Move& m) {
    if (m.effective > as_of.date) return;
    const Ore amount(m.amount_ore);  // the history keeps int64_t öre
    switch (m.kind) {
      case MoveKind::kReceipt:
        p.received_from_grantor_ore += amount;
        break;
      case MoveKind::kCarryIn:
        p.carried_in_ore += amount;
        break;
      case MoveKind::kCarryOut:
        p.carried_out_ore += amount;
        break;
      case MoveKind::kAllocation:
        lines[m.line].allocated_ore += amount;
        lines[m.line].used = true;
        break;
      case MoveKind::kReallocation:
        lines[m.line].allocated_ore -= amount;
        lines[m.to_line].allocated_ore += amount;
        lines[m.line].used = lines[m.to_line].used = true;
        break;
      case MoveKind::kExpense: {
        if (m.line >= 0) {
          lines[m.line].spent_ore += amount;
          lines[m.line].used = true;
        } else {
          b.unassigned_spent_ore += amount;
        }
        b.spent_ore += amount;
        const bool eligible =
            m.booking >= p.terms.usage_period_start && m.booking <= p.terms.usage_period_end;
        if (eligible) {
          p.eligible_spent_ore += amount;
          const size_t k = static_cast<size_t>(m.purpose) * cost_groups + m.cost_group;
          if (!purpose_met[k]) {
            purpose_met[k] = true;
            purpose_order.emplace_back(m.purpose, m.cost_group);
          }
          by_purpose[k] += amount;
        } else {
          p.ineligible_spent_ore += amount;
        }
        break;
      }
      case MoveKind::kRepayment:
        b.repaid_ore += amount;
        break;
    }
  };
  for (const Move& m : compacted) count(m);
  for (const Move& m : later) {
    if (as_of.sequence != 0 && m.sequence > as_of.sequence) break;
    count(m);
  }
  b.grant_id = grant_id;
  b.decided_ore = Ore(p.terms.decided_amount_ore);
  b.received_ore = p.received_from_grantor_ore + p.carried_in_ore;
  b.carried_in_ore = p.carried_in_ore;
  b.carried_out_ore = p.carried_out_ore;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (!lines[i].used) continue;
    const ActivityKey& key = history.lines()[i];
    b.activities.push_back(
        LineBalance(key.activity, key.division, lines[i].allocated_ore, lines[i].spent_ore));
  }
  CompleteBalance(b);
  for (const auto& key : purpose_order) {
    p.eligible_by_purpose.push_back(
        PurposeSpending{history.purposes()[key.first], history.cost_groups()[key.second],
                        by_purpose[static_cast<size_t>(key.first) * cost_groups + key.second]});
  }
  return p;
}

}  // namespace

absl::StatusOr<GrantPosition> PositionAsOf(const std::string& grant_id, const GrantHistory& history,
                                           const AsOf& as_of) {
  return Position(grant_id, history, history.compacted(), history.moves(), as_of);
}

absl::StatusOr<GrantPosition> PositionAsOf(const std::string& grant_id, const GrantHistory& history,
                                           absl::Span<const Move> compacted,
                                           absl::Span<const Move> later, const AsOf& as_of) {
  return Position(grant_id, history, compacted, later, as_of);
}

}  // namespace grantledger
