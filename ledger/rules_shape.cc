// Stateless checks of an event (preflight): everything that can be judged without the ledger.
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "ledger/civil_date.h"
#include "ledger/entitlement_link.h"
#include "ledger/limits.h"
#include "ledger/money.h"
#include "ledger/rules.h"
#include "ledger/status_macros.h"
#include "ledger/text_rules.h"

namespace grantledger {
namespace {

using absl::StrCat;

absl::Status Invalid(absl::string_view field, absl::string_view message) {
  return absl::InvalidArgumentError(StrCat(field, ": ", message));
}

// Every string field of an event goes through here (or through ParseCivilDay for dates):
// text_rules.h says what a text may hold. Fields of id length are ids, never blank.
absl::Status CheckText(absl::string_view field, absl::string_view text, bool required,
                       size_t max_length, absl::string_view example) {
  TextRule rule;
  rule.kind = max_length <= kMaxIdLength ? TextKind::kId : TextKind::kText;
  rule.required = required;
  rule.max_bytes = max_length;
  rule.example = example;
  return CheckEventText(field, text, rule);
}

absl::Status CheckAmount(absl::string_view field, int64_t amount_ore) {
  if (amount_ore <= 0) {
    return Invalid(field, StrCat("is ", amount_ore,
                                 " öre; amounts are positive öre (the event type gives the "
                                 "direction), e.g. 150000 for 1 500 kr"));
  }
  if (amount_ore > kMaxEventAmountOre) {
    return Invalid(field, StrCat("is ", amount_ore, " öre, above the limit of ", kMaxEventAmountOre,
                                 " öre per event; split it or check the unit"));
  }
  return absl::OkStatus();
}

absl::Status CheckDecided(absl::string_view field, int64_t amount_ore) {
  if (amount_ore < 0 || amount_ore > kMaxEventAmountOre) {
    return Invalid(field, StrCat("is ", amount_ore, " öre; a decided amount is 0 (rejected) to ",
                                 kMaxEventAmountOre, " öre"));
  }
  return absl::OkStatus();
}

absl::Status CheckDate(absl::string_view field, absl::string_view text) {
  return ParseCivilDay(text, field).status();
}

absl::Status CheckConditions(
    const std::string& field_name,
    const google::protobuf::RepeatedPtrField<v1::GrantCondition>& conditions) {
  if (conditions.size() > static_cast<int>(kMaxConditionsPerGrant)) {
    return Invalid(field_name,
                   StrCat("has ", conditions.size(), " entries; at most ", kMaxConditionsPerGrant));
  }
  for (int i = 0; i < conditions.size(); ++i) {
    const v1::GrantCondition& c = conditions[i];
    std::string field = StrCat(field_name, "[", i, "]");
    GL_RETURN_IF_ERROR(CheckText(StrCat(field, ".condition_id"), c.condition_id(), true,
                                 kMaxIdLength, "\"bed-data-report\""));
    GL_RETURN_IF_ERROR(
        CheckText(StrCat(field, ".description"), c.description(), false, kMaxTextLength, ""));
    if (c.repayable_ore() < 0 || c.repayable_ore() > kMaxEventAmountOre) {
      return Invalid(StrCat(field, ".repayable_ore"),
                     "must be 0 (the whole received amount) or a positive amount in öre");
    }
    for (int j = 0; j < i; ++j) {
      if (conditions[j].condition_id() == c.condition_id()) {
        return Invalid(
            StrCat(field, ".condition_id"),
            StrCat("\"", c.condition_id(), "\" is used twice; give each condition its own id"));
      }
    }
  }
  return absl::OkStatus();
}

// The model's names (recipients, unit categories) are texts like any other.
absl::Status CheckEntitlementTexts(const std::string& prefix, const v1::EntitlementModel& model) {
  if (model.has_population_share()) {
    const v1::EntitlementModel::PopulationShare& m = model.population_share();
    for (int i = 0; i < m.recipients_size(); ++i) {
      GL_RETURN_IF_ERROR(CheckText(StrCat(prefix, ".population_share.recipients[", i, "].name"),
                                   m.recipients(i).name(), true, kMaxIdLength, "\"Jämtland\""));
    }
    GL_RETURN_IF_ERROR(CheckText(StrCat(prefix, ".population_share.recipient"), m.recipient(), true,
                                 kMaxIdLength, "\"Jämtland\""));
  }
  if (model.has_per_unit()) {
    const v1::EntitlementModel::PerUnit& m = model.per_unit();
    for (int i = 0; i < m.categories_size(); ++i) {
      GL_RETURN_IF_ERROR(CheckText(StrCat(prefix, ".per_unit.categories[", i, "].name"),
                                   m.categories(i).name(), true, kMaxIdLength,
                                   "\"kvalificerade platser\""));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckGrantRegistered(const v1::GrantRegistered& g) {
  GL_RETURN_IF_ERROR(CheckText("grant_registered.title", g.title(), true, kMaxTextLength,
                               "\"Stärkt tillgänglighet 2025\""));
  GL_RETURN_IF_ERROR(CheckText("grant_registered.grantor", g.grantor(), true, kMaxIdLength,
                               "\"Socialstyrelsen\""));
  GL_RETURN_IF_ERROR(CheckDecided("grant_registered.decided_amount_ore", g.decided_amount_ore()));
  GL_ASSIGN_OR_RETURN(absl::CivilDay start,
                      ParseCivilDay(g.usage_period_start(), "grant_registered.usage_period_start"));
  GL_ASSIGN_OR_RETURN(absl::CivilDay end,
                      ParseCivilDay(g.usage_period_end(), "grant_registered.usage_period_end"));
  if (end < start) {
    return Invalid("grant_registered.usage_period_end",
                   StrCat("is before usage_period_start (", g.usage_period_start(),
                          "); the usage period's last day comes after its first"));
  }
  GL_ASSIGN_OR_RETURN(absl::CivilDay deadline,
                      ParseCivilDay(g.repayment_deadline(), "grant_registered.repayment_deadline"));
  if (deadline < end) {
    return Invalid("grant_registered.repayment_deadline",
                   StrCat("is before the usage period ends (", g.usage_period_end(),
                          "); unused funds are repaid after the period"));
  }
  if (!g.reporting_deadline().empty()) {
    GL_RETURN_IF_ERROR(CheckDate("grant_registered.reporting_deadline", g.reporting_deadline()));
  }
  GL_RETURN_IF_ERROR(
      CheckText("grant_registered.cost_object", g.cost_object(), false, kMaxIdLength, "\"9929\""));
  GL_RETURN_IF_ERROR(CheckText("grant_registered.year", g.year(), false, 4, "\"2025\""));
  if (g.kind() == v1::GRANT_KIND_UNSPECIFIED || !v1::GrantKind_IsValid(g.kind())) {
    return Invalid("grant_registered.kind",
                   "is missing; set GRANT_KIND_FIXED, GRANT_KIND_PERFORMANCE_BASED or "
                   "GRANT_KIND_APPLIED_FOR");
  }
  if (g.has_entitlement()) {
    GL_RETURN_IF_ERROR(CheckEntitlementTexts("grant_registered.entitlement", g.entitlement()));
    GL_RETURN_IF_ERROR(ExpectedAmount(g.entitlement()).status());
  }
  return CheckConditions("grant_registered.conditions", g.conditions());
}

absl::Status CheckTermsAmended(const v1::TermsAmended& t) {
  GL_RETURN_IF_ERROR(CheckText("terms_amended.decision_ref", t.decision_ref(), true, kMaxIdLength,
                               "the decision's diary number"));
  if (!t.has_decided_amount_ore() && !t.has_usage_period_start() && !t.has_usage_period_end() &&
      !t.has_repayment_deadline() && !t.has_reporting_deadline() && !t.has_cost_object() &&
      !t.has_kind() && t.add_conditions().empty() && !t.has_entitlement()) {
    return Invalid("terms_amended",
                   "changes nothing; set the terms that change (decided_amount_ore, "
                   "usage_period_start/end, repayment_deadline, reporting_deadline, "
                   "cost_object, kind, add_conditions)");
  }
  GL_RETURN_IF_ERROR(CheckConditions("terms_amended.add_conditions", t.add_conditions()));
  if (t.has_entitlement()) {
    GL_RETURN_IF_ERROR(CheckEntitlementTexts("terms_amended.entitlement", t.entitlement()));
    GL_RETURN_IF_ERROR(ExpectedAmount(t.entitlement()).status());
  }
  if (t.has_decided_amount_ore()) {
    GL_RETURN_IF_ERROR(CheckDecided("terms_amended.decided_amount_ore", t.decided_amount_ore()));
  }
  if (t.has_usage_period_start()) {
    GL_RETURN_IF_ERROR(CheckDate("terms_amended.usage_period_start", t.usage_period_start()));
  }
  if (t.has_usage_period_end()) {
    GL_RETURN_IF_ERROR(CheckDate("terms_amended.usage_period_end", t.usage_period_end()));
  }
  if (t.has_repayment_deadline()) {
    GL_RETURN_IF_ERROR(CheckDate("terms_amended.repayment_deadline", t.repayment_deadline()));
  }
  if (t.has_reporting_deadline()) {
    GL_RETURN_IF_ERROR(CheckDate("terms_amended.reporting_deadline", t.reporting_deadline()));
  }
  if (t.has_cost_object()) {
    GL_RETURN_IF_ERROR(
        CheckText("terms_amended.cost_object", t.cost_object(), true, kMaxIdLength, "\"9929\""));
  }
  if (t.has_kind() &&
      (t.kind() == v1::GRANT_KIND_UNSPECIFIED || !v1::GrantKind_IsValid(t.kind()))) {
    return Invalid("terms_amended.kind", "must be a grant kind, not unspecified");
  }
  return absl::OkStatus();
}

absl::Status CheckActivityLine(absl::string_view prefix, absl::string_view activity,
                               absl::string_view division) {
  GL_RETURN_IF_ERROR(CheckText(StrCat(prefix, "activity"), activity, true, kMaxIdLength, "\"p7\""));
  return CheckText(StrCat(prefix, "division"), division, true, kMaxIdLength, "\"HS Kir\"");
}

absl::Status CheckExpense(const v1::Event& event) {
  const v1::Expense& e = event.expense();
  GL_RETURN_IF_ERROR(CheckAmount("expense.amount_ore", e.amount_ore()));
  if (e.nature() == v1::COST_NATURE_INVESTMENT) {
    return Invalid("expense.nature",
                   "an investment may not be charged to a grant: only the current year's "
                   "depreciation may; post the year's depreciation with nature "
                   "COST_NATURE_DEPRECIATION instead");
  }
  if (!v1::CostNature_IsValid(e.nature())) {
    return Invalid("expense.nature", "is not a known cost nature");
  }
  if (e.nature() != v1::COST_NATURE_DEPRECIATION && e.depreciation_year() != 0) {
    return Invalid("expense.depreciation_year",
                   StrCat("is ", e.depreciation_year(),
                          " on an expense that is not depreciation; remove it, or set nature "
                          "COST_NATURE_DEPRECIATION for the year's depreciation"));
  }
  if (e.nature() == v1::COST_NATURE_DEPRECIATION && e.depreciation_year() != 0) {
    int booking_year = static_cast<int>(ParseCivilDay(event.effective_date(), "").value().year());
    if (e.depreciation_year() != booking_year) {
      return Invalid(
          "expense.depreciation_year",
          StrCat("is ", e.depreciation_year(), " but the expense is booked in ", booking_year,
                 ": only the current year's depreciation may be "
                 "charged to a grant"));
    }
  }
  if (!e.activity().empty()) {
    GL_RETURN_IF_ERROR(CheckActivityLine("expense.", e.activity(), e.division()));
  } else if (!e.division().empty()) {
    return Invalid("expense.activity",
                   "is empty but a division is set; name the activity too, or leave both "
                   "empty for unassigned spending");
  }
  GL_RETURN_IF_ERROR(CheckText("expense.purpose", e.purpose(), false, kMaxTextLength, ""));
  GL_RETURN_IF_ERROR(CheckText("expense.cost_group", e.cost_group(), false, kMaxIdLength, ""));
  GL_RETURN_IF_ERROR(CheckText("expense.cost_object", e.cost_object(), false, kMaxIdLength, ""));
  return CheckText("expense.text", e.text(), false, kMaxTextLength, "");
}

absl::Status CheckReallocation(const v1::Reallocation& r) {
  GL_RETURN_IF_ERROR(CheckAmount("reallocation.amount_ore", r.amount_ore()));
  GL_RETURN_IF_ERROR(CheckActivityLine("reallocation.from_", r.from_activity(), r.from_division()));
  GL_RETURN_IF_ERROR(CheckActivityLine("reallocation.to_", r.to_activity(), r.to_division()));
  if (r.from_activity() == r.to_activity() && r.from_division() == r.to_division()) {
    return Invalid("reallocation.to_activity",
                   "is the same activity line as from_activity; a reallocation moves money "
                   "between two different lines");
  }
  GL_RETURN_IF_ERROR(CheckText("reallocation.approver", r.approver(), true, kMaxIdLength,
                               "\"HSLG\" (a reallocation is made i samråd med HSLG)"));
  return CheckText("reallocation.decision_ref", r.decision_ref(), true, kMaxIdLength,
                   "the approving decision's reference");
}

// The signed note is several lines: each line is checked as a text.
absl::Status CheckSeal(const v1::Event& event) {
  const v1::Seal& s = event.seal();
  if (!event.post_close_reason().empty()) {
    return Invalid("post_close_reason",
                   "is set on a seal; it is for corrections posted after a seal, leave it empty");
  }
  if (s.year() < 1900 || s.year() > 2999) {
    return Invalid("seal.year", StrCat("is ", s.year(), "; give the year to seal, e.g. 2025"));
  }
  GL_ASSIGN_OR_RETURN(absl::CivilDay start, ParseCivilDay(s.period_start(), "seal.period_start"));
  GL_ASSIGN_OR_RETURN(absl::CivilDay end, ParseCivilDay(s.period_end(), "seal.period_end"));
  if (start.year() != s.year() || end.year() != s.year() || end < start) {
    return Invalid("seal.period_end",
                   StrCat("the period ", s.period_start(), "–", s.period_end(),
                          " is not a period within ", s.year(), "; give days of that year"));
  }
  if (s.account_sha256().size() != 32) {
    return Invalid("seal.account_sha256",
                   StrCat("has ", s.account_sha256().size(),
                          " bytes; it is the 32-byte SHA-256 of the sealed account"));
  }
  if (s.log_head_hash().size() != 32) {
    return Invalid("seal.log_head_hash",
                   StrCat("has ", s.log_head_hash().size(),
                          " bytes; it is the 32-byte chain hash of record log_sequence"));
  }
  if (s.checkpoint().size() > kMaxSealCheckpointBytes) {
    return Invalid("seal.checkpoint", StrCat("has ", s.checkpoint().size(), " bytes; at most ",
                                             kMaxSealCheckpointBytes));
  }
  for (absl::string_view line : absl::StrSplit(s.checkpoint(), '\n')) {
    GL_RETURN_IF_ERROR(CheckText("seal.checkpoint", line, false, kMaxSealCheckpointBytes, ""));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckEventShape(const v1::Event& event) {
  GL_RETURN_IF_ERROR(
      CheckText("event_id", event.event_id(), true, kMaxIdLength,
                "a unique id chosen by the posting system, e.g. \"erp-2025-000123\""));
  GL_RETURN_IF_ERROR(
      CheckText("grant_id", event.grant_id(), true, kMaxIdLength, "\"RS/229/2025\""));
  GL_RETURN_IF_ERROR(CheckDate("effective_date", event.effective_date()));
  GL_RETURN_IF_ERROR(
      CheckText("source", event.source(), true, kMaxIdLength, "\"erp\" or the person posting"));
  GL_RETURN_IF_ERROR(
      CheckText("external_ref", event.external_ref(), false, kMaxIdLength, "a voucher number"));
  GL_RETURN_IF_ERROR(CheckText("post_close_reason", event.post_close_reason(), false,
                               kMaxTextLength, "why a sealed period is corrected"));
  switch (event.body_case()) {
    case v1::Event::kGrantRegistered:
      return CheckGrantRegistered(event.grant_registered());
    case v1::Event::kTermsAmended:
      return CheckTermsAmended(event.terms_amended());
    case v1::Event::kReceipt:
      return CheckAmount("receipt.amount_ore", event.receipt().amount_ore());
    case v1::Event::kAllocation:
      GL_RETURN_IF_ERROR(CheckAmount("allocation.amount_ore", event.allocation().amount_ore()));
      GL_RETURN_IF_ERROR(CheckActivityLine("allocation.", event.allocation().activity(),
                                           event.allocation().division()));
      return CheckText("allocation.description", event.allocation().description(), false,
                       kMaxTextLength, "");
    case v1::Event::kReallocation:
      return CheckReallocation(event.reallocation());
    case v1::Event::kExpense:
      return CheckExpense(event);
    case v1::Event::kRepayment:
      return CheckAmount("repayment.amount_ore", event.repayment().amount_ore());
    case v1::Event::kReversal:
      if (event.reversal().reversed_sequence() == 0) {
        return Invalid("reversal.reversed_sequence",
                       "is missing; give the sequence number of the event to cancel");
      }
      return CheckText("reversal.reason", event.reversal().reason(), true, kMaxTextLength,
                       "\"wrong activity on voucher 4711\"");
    case v1::Event::kCarryOver: {
      const v1::CarryOver& c = event.carry_over();
      GL_RETURN_IF_ERROR(CheckAmount("carry_over.amount_ore", c.amount_ore()));
      GL_RETURN_IF_ERROR(CheckText("carry_over.to_grant_id", c.to_grant_id(), true, kMaxIdLength,
                                   "the later grant's diary number, e.g. \"RS/28/2020\""));
      if (c.to_grant_id() == event.grant_id()) {
        return Invalid("carry_over.to_grant_id",
                       "is the grant itself; carry unused funds over into a later grant");
      }
      return CheckText("carry_over.decision_ref", c.decision_ref(), true, kMaxIdLength,
                       "the decision approving the carry-over");
    }
    case v1::Event::kConditionRecorded: {
      const v1::ConditionRecorded& c = event.condition_recorded();
      GL_RETURN_IF_ERROR(CheckText("condition_recorded.condition_id", c.condition_id(), true,
                                   kMaxIdLength, "the id the grant's condition was given"));
      if (c.has_repayable_ore() &&
          (c.repayable_ore() < 0 || c.repayable_ore() > kMaxEventAmountOre)) {
        return Invalid("condition_recorded.repayable_ore",
                       "must be 0 (the whole received amount) or a positive amount in öre");
      }
      return CheckText("condition_recorded.note", c.note(), false, kMaxTextLength, "");
    }
    case v1::Event::kSeal:
      return CheckSeal(event);
    case v1::Event::BODY_NOT_SET:
      break;
  }
  return Invalid("body",
                 "is missing; set exactly one of grant_registered, terms_amended, receipt, "
                 "allocation, reallocation, expense, repayment, reversal, carry_over, "
                 "condition_recorded, seal");
}

}  // namespace grantledger
