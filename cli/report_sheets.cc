// Report sheets; see report_sheets.h.
#include "cli/report_sheets.h"

#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "cli/messages.h"
#include "ledger/civil_date.h"
#include "ledger/csv.h"
#include "ledger/deadlines.h"

namespace grantledger {
namespace {

using C = SheetCell;

std::string KindWord(v1::GrantKind kind) {
  switch (kind) {
    case v1::GRANT_KIND_FIXED:
      return "fixed";
    case v1::GRANT_KIND_PERFORMANCE_BASED:
      return "performance-based";
    case v1::GRANT_KIND_APPLIED_FOR:
      return "applied-for";
    default:
      return "unspecified";
  }
}

std::string StatusWordOf(const Obligation& o) {
  if (o.rejected) return "rejected";
  if (!o.period_ended) return "in period";
  return ObligationStatusName(o.status);
}

}  // namespace

absl::StatusOr<Organisation> ReadOrganisationFile(const std::string& path) {
  auto text = ReadTextFile(path);
  if (!text.ok()) return text.status();
  Organisation org;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(*text, '\n')) {
    ++line_number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line[0] == '#') continue;
    const size_t eq = line.find('=');
    const std::string key = eq == absl::string_view::npos
                                ? ""
                                : std::string(absl::StripAsciiWhitespace(line.substr(0, eq)));
    const std::string value = eq == absl::string_view::npos
                                  ? ""
                                  : std::string(absl::StripAsciiWhitespace(line.substr(eq + 1)));
    if (key == "organisation") {
      org.name = value;
    } else if (key == "org_number") {
      org.number = value;
    } else {
      return absl::InvalidArgumentError(absl::StrCat(
          path, ":", line_number, ": write `organisation = NAME` or `org_number = NNNNNN-NNNN`"));
    }
  }
  return org;
}

std::vector<Sheet> GrantListSheets(const std::vector<GrantView>& grants) {
  Sheet s;
  s.name = Tr("Grants");
  s.columns = TrAll({"grant", "title", "grantor", "kind", "cost object", "decided", "received",
                     "allocated", "spent", "repaid", "remaining", "usage period start",
                     "usage period end", "repay by", "report by"});
  for (const GrantView& g : grants) {
    const GrantBalance& b = g.balance;
    s.rows.push_back({C::Text(b.grant_id), C::Text(g.terms.title), C::Text(g.terms.grantor),
                      C::Text(Tr(KindWord(g.terms.kind))), C::Text(g.terms.cost_object),
                      C::Amount(b.decided_ore.value()), C::Amount(b.received_ore.value()),
                      C::Amount(b.allocated_ore.value()), C::Amount(b.spent_ore.value()),
                      C::Amount(b.repaid_ore.value()), C::Amount(b.remaining_ore.value()),
                      C::Date(g.terms.usage_period_start), C::Date(g.terms.usage_period_end),
                      C::Date(g.terms.repayment_deadline), C::Date(g.terms.reporting_deadline)});
  }
  return {s};
}

std::vector<Sheet> GrantSheets(const GrantView& g) {
  const GrantBalance& b = g.balance;
  Sheet lines;
  lines.name = b.grant_id + " " + Tr("lines");
  lines.columns =
      TrAll({"grant", "activity", "division", "allocated", "spent", "remaining", "overspent"});
  for (const ActivityBalance& a : b.activities) {
    lines.rows.push_back({C::Text(b.grant_id), C::Text(a.activity), C::Text(a.division),
                          C::Amount(a.allocated_ore.value()), C::Amount(a.spent_ore.value()),
                          C::Amount(a.remaining_ore.value()), C::Amount(a.overspent_ore.value())});
  }
  Sheet summary;
  summary.name = b.grant_id;
  summary.header_block = {{C::Text(absl::StrCat(b.grant_id, "  ", g.terms.title))},
                          {C::Text(Tr("grantor")), C::Text(g.terms.grantor)},
                          {C::Text(Tr("usage period")), C::Date(g.terms.usage_period_start),
                           C::Date(g.terms.usage_period_end)},
                          {C::Text(Tr("repay unused by")), C::Date(g.terms.repayment_deadline)}};
  summary.columns = {"", Tr("amount")};
  summary.rows = {{C::Text(Tr("decided")), C::Amount(b.decided_ore.value())},
                  {C::Text(Tr("received")), C::Amount(b.received_ore.value())},
                  {C::Text(Tr("allocated")), C::Amount(b.allocated_ore.value())},
                  {C::Text(Tr("unallocated")), C::Amount(b.unallocated_ore.value())},
                  {C::Text(Tr("spent")), C::Amount(b.spent_ore.value())},
                  {C::Text(Tr("of which unassigned")), C::Amount(b.unassigned_spent_ore.value())},
                  {C::Text(Tr("repaid")), C::Amount(b.repaid_ore.value())},
                  {C::Text(Tr("remaining"), true), C::Amount(b.remaining_ore.value(), true)}};
  Sheet divisions;
  divisions.name = b.grant_id + " " + Tr("divisions");
  divisions.columns = TrAll({"division", "allocated", "spent", "remaining", "overspent lines"});
  for (const DivisionBalance& d : b.divisions) {
    divisions.rows.push_back({C::Text(d.division), C::Amount(d.allocated_ore.value()),
                              C::Amount(d.spent_ore.value()), C::Amount(d.remaining_ore.value()),
                              C::Amount(d.overspent_ore.value())});
  }
  return {lines, summary, divisions};
}

std::vector<Sheet> ObligationSheets(const std::vector<Obligation>& obligations) {
  Sheet s;
  s.name = Tr("Obligations");
  s.columns = TrAll({"grant", "title", "grantor", "received", "eligible spent", "ineligible spent",
                     "unused", "repayable", "repaid", "outstanding", "repay by", "days left",
                     "status", "report by", "report"});
  for (const Obligation& o : obligations) {
    s.rows.push_back({C::Text(o.grant_id), C::Text(o.title), C::Text(o.grantor),
                      C::Amount(o.received_ore.value()), C::Amount(o.eligible_spent_ore.value()),
                      C::Amount(o.ineligible_spent_ore.value()), C::Amount(o.unused_ore.value()),
                      C::Amount(o.repayable_ore.value()), C::Amount(o.repaid_ore.value()),
                      C::Amount(o.outstanding_ore.value()), C::Date(o.repayment_deadline),
                      C::Count(o.days_left), C::Text(Tr(StatusWordOf(o))),
                      C::Date(o.reporting_deadline),
                      C::Text(Tr(ReportingStatusName(ReportingStatusOf(o))))});
  }
  return {s};
}

std::vector<Sheet> YearOverviewSheets(const YearOverview& y) {
  Sheet s;
  s.name = absl::StrCat(Tr("Grants"), " ", y.year);
  s.columns = TrAll({"grantor", "grant", "title", "decided", "received", "spent", "unused",
                     "repayable", "status"});
  for (const Obligation& o : y.grants) {
    s.rows.push_back({C::Text(o.grantor), C::Text(o.grant_id), C::Text(o.title),
                      C::Amount(o.decided_ore.value()), C::Amount(o.received_ore.value()),
                      C::Amount(o.eligible_spent_ore.value()), C::Amount(o.unused_ore.value()),
                      C::Amount(o.repayable_ore.value()), C::Text(Tr(StatusWordOf(o)))});
  }
  s.rows.push_back({C::Text(Tr("total"), true), C::Count(static_cast<int64_t>(y.grants.size())),
                    C::Empty(), C::Amount(y.decided_ore.value(), true),
                    C::Amount(y.received_ore.value(), true), C::Amount(y.spent_ore.value(), true),
                    C::Amount(y.unused_ore.value(), true), C::Amount(y.repayable_ore.value(), true),
                    C::Empty()});
  return {s};
}

std::vector<Sheet> FinancialAccountSheets(const FinancialAccount& a, const GrantTerms& terms,
                                          const Obligation& o, const Organisation& org) {
  Sheet s;
  s.name = absl::StrCat("Redovisning ", a.grant_id);
  auto text_or_blank = [](const std::string& t) {
    return C::Text(t.empty() ? "________________________" : t);
  };
  s.header_block = {
      {C::Text("Ekonomisk redovisning")},
      {C::Text("Organisation"), text_or_blank(org.name)},
      {C::Text("Organisationsnummer"), text_or_blank(org.number)},
      {C::Text("Bidragsgivare"), C::Text(terms.grantor)},
      {C::Text("Diarienummer"), C::Text(a.grant_id)},
      {C::Text("Bidrag"), C::Text(terms.title)},
      {C::Text("Användningsperiod"), C::Date(terms.usage_period_start),
       C::Date(terms.usage_period_end)},
      {C::Text("Redovisningen avser"), C::Date(a.as_of_date)},
  };
  s.columns = {"Post", "Ändamål", "Kostnadsgrupp", "Belopp", "Datum"};
  const C none = C::Empty();
  s.rows.push_back({C::Text("Erhållet bidrag", true), none, none,
                    C::Amount(o.received_ore.value(), true), none});
  if (o.carried_out_ore.value() != 0) {
    s.rows.push_back({C::Text("Överfört till annat bidrag"), none, none,
                      C::Amount(o.carried_out_ore.value()), none});
  }
  // Used per purpose, with the purpose's sum after its cost groups.
  std::map<std::string, int64_t> per_purpose;
  std::map<std::string, int64_t> per_group;
  for (const PurposeSpending& l : a.lines) {
    per_purpose[l.purpose] += l.spent_ore.value();
    per_group[l.cost_group] += l.spent_ore.value();
  }
  auto named = [](const std::string& t) { return C::Text(t.empty() ? "(utan)" : t); };
  for (size_t i = 0; i < a.lines.size(); ++i) {
    const PurposeSpending& l = a.lines[i];
    s.rows.push_back({C::Text("Använt per ändamål"), named(l.purpose), named(l.cost_group),
                      C::Amount(l.spent_ore.value()), none});
    if (i + 1 == a.lines.size() || a.lines[i + 1].purpose != l.purpose) {
      s.rows.push_back({C::Text("Summa ändamål"), named(l.purpose), none,
                        C::Amount(per_purpose[l.purpose]), none});
    }
  }
  for (const auto& [group, spent] : per_group) {
    s.rows.push_back(
        {C::Text("Använt per kostnadsgrupp"), none, named(group), C::Amount(spent), none});
  }
  s.rows.push_back(
      {C::Text("Summa använt", true), none, none, C::Amount(a.used_ore.value(), true), none});
  s.rows.push_back(
      {C::Text("Ej använt", true), none, none, C::Amount(a.remaining_ore.value(), true), none});
  if (o.ineligible_spent_ore.value() != 0) {
    s.rows.push_back({C::Text("Kostnader utanför användningsperioden (ej bidragsgrundande)"), none,
                      none, C::Amount(o.ineligible_spent_ore.value()), none});
  }
  s.rows.push_back({C::Text("Återbetalningsskyldigt"), none, none,
                    C::Amount(o.repayable_ore.value()), C::Date(terms.repayment_deadline)});
  s.rows.push_back({C::Text("Återbetalt"), none, none, C::Amount(o.repaid_ore.value()), none});
  s.rows.push_back({C::Text("Att återbetala senast", true), none, none,
                    C::Amount(o.outstanding_ore.value(), true), C::Date(terms.repayment_deadline)});
  s.footer = {
      {C::Text("Ort och datum"), C::Text("________________________")},
      {},
      {C::Text("Behörig företrädare"), C::Text("________________________")},
      {C::Text("Namnförtydligande"), C::Text("________________________")},
      {},
      {C::Text("Revisor"), C::Text("________________________")},
      {C::Text("Namnförtydligande"), C::Text("________________________")},
  };
  return {s};
}

}  // namespace grantledger
