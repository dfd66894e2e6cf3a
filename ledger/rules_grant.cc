// Rules for a grant's terms: registration (beslut) and amendments (omförhandling).
#include "absl/strings/str_cat.h"
#include "ledger/civil_date.h"
#include "ledger/money.h"
#include "ledger/rules.h"
#include "ledger/status_macros.h"

namespace grantledger {

absl::StatusOr<GrantState> RegisterGrant(const v1::Event& event, uint64_t sequence) {
  const v1::GrantRegistered& g = event.grant_registered();
  GrantState grant;
  grant.grant_id = event.grant_id();
  grant.registered_sequence = sequence;
  GrantTerms& t = grant.terms;
  t.title = g.title();
  t.grantor = g.grantor();
  t.decided_amount_ore = g.decided_amount_ore();
  GL_ASSIGN_OR_RETURN(t.usage_period_start,
                      ParseCivilDay(g.usage_period_start(), "usage_period_start"));
  GL_ASSIGN_OR_RETURN(t.usage_period_end, ParseCivilDay(g.usage_period_end(), "usage_period_end"));
  GL_ASSIGN_OR_RETURN(t.repayment_deadline,
                      ParseCivilDay(g.repayment_deadline(), "repayment_deadline"));
  if (g.reporting_deadline().empty()) {
    t.reporting_deadline = t.repayment_deadline;
  } else {
    GL_ASSIGN_OR_RETURN(t.reporting_deadline,
                        ParseCivilDay(g.reporting_deadline(), "reporting_deadline"));
  }
  t.cost_object = g.cost_object();
  t.kind = g.kind();
  t.year = g.year().empty() ? absl::StrCat(t.usage_period_start.year()) : g.year();
  for (const v1::GrantCondition& c : g.conditions()) {
    t.conditions[c.condition_id()] = ConditionState{c.description(), c.repayable_ore()};
  }
  if (g.has_entitlement()) t.entitlement = g.entitlement().SerializeAsString();
  return grant;
}

absl::Status AmendTerms(const v1::Event& event, GrantState& grant) {
  const v1::TermsAmended& a = event.terms_amended();
  GrantTerms terms = grant.terms;
  if (a.has_decided_amount_ore()) terms.decided_amount_ore = a.decided_amount_ore();
  if (a.has_usage_period_start()) {
    GL_ASSIGN_OR_RETURN(terms.usage_period_start,
                        ParseCivilDay(a.usage_period_start(), "terms_amended.usage_period_start"));
  }
  if (a.has_usage_period_end()) {
    GL_ASSIGN_OR_RETURN(terms.usage_period_end,
                        ParseCivilDay(a.usage_period_end(), "terms_amended.usage_period_end"));
  }
  if (a.has_repayment_deadline()) {
    GL_ASSIGN_OR_RETURN(terms.repayment_deadline,
                        ParseCivilDay(a.repayment_deadline(), "terms_amended.repayment_deadline"));
  }
  if (a.has_reporting_deadline()) {
    GL_ASSIGN_OR_RETURN(terms.reporting_deadline,
                        ParseCivilDay(a.reporting_deadline(), "terms_amended.reporting_deadline"));
  }
  if (a.has_cost_object()) terms.cost_object = a.cost_object();
  if (a.has_kind()) terms.kind = a.kind();
  if (a.has_entitlement()) terms.entitlement = a.entitlement().SerializeAsString();
  for (const v1::GrantCondition& c : a.add_conditions()) {
    if (terms.conditions.contains(c.condition_id())) {
      return absl::AlreadyExistsError(absl::StrCat(
          "terms_amended.add_conditions: grant ", grant.grant_id, " already has condition \"",
          c.condition_id(), "\"; give the new condition another id"));
    }
    terms.conditions[c.condition_id()] = ConditionState{c.description(), c.repayable_ore()};
  }

  if (terms.usage_period_end < terms.usage_period_start) {
    return absl::InvalidArgumentError(
        absl::StrCat("terms_amended: the usage period would end (",
                     FormatCivilDay(terms.usage_period_end), ") before it starts (",
                     FormatCivilDay(terms.usage_period_start), "); amend both ends together"));
  }
  if (terms.repayment_deadline < terms.usage_period_end) {
    return absl::InvalidArgumentError(
        absl::StrCat("terms_amended.repayment_deadline: ", FormatCivilDay(terms.repayment_deadline),
                     " would fall before the usage period ends (",
                     FormatCivilDay(terms.usage_period_end), "); move the deadline too"));
  }
  const int64_t allocated_ore = grant.AllocatedOre();
  if (terms.decided_amount_ore < allocated_ore) {
    return absl::FailedPreconditionError(absl::StrCat(
        "terms_amended.decided_amount_ore: ", FormatKronor(terms.decided_amount_ore),
        " is less than the ", FormatKronor(allocated_ore), " already allocated to activities of ",
        grant.grant_id, "; reallocate or reverse allocations first"));
  }
  grant.terms = std::move(terms);
  return absl::OkStatus();
}

absl::Status RecordCondition(const v1::Event& event, uint64_t sequence, GrantState& grant) {
  const v1::ConditionRecorded& r = event.condition_recorded();
  auto it = grant.terms.conditions.find(r.condition_id());
  if (it == grant.terms.conditions.end() && r.condition_id() == kReportSubmittedCondition) {
    it = grant.terms.conditions
             .emplace(r.condition_id(), ConditionState{"financial account submitted", 0})
             .first;
  }
  if (it == grant.terms.conditions.end()) {
    std::string known;
    for (const auto& [id, c] : grant.terms.conditions)
      absl::StrAppend(&known, known.empty() ? "" : ", ", id);
    return absl::NotFoundError(
        absl::StrCat("condition_recorded.condition_id: grant ", grant.grant_id,
                     " has no condition \"", r.condition_id(), "\"",
                     known.empty() ? "; add it with terms_amended.add_conditions"
                                   : absl::StrCat(" (it has: ", known, ")")));
  }
  it->second.status = r.met() ? ConditionStatus::kMet : ConditionStatus::kUnmet;
  if (r.has_repayable_ore()) it->second.repayable_ore = r.repayable_ore();
  it->second.recorded_sequence = sequence;
  return absl::OkStatus();
}

}  // namespace grantledger
