// Year-end tables and JSON; see year_end_report.h.
#include "cli/year_end_report.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "cli/json_output.h"
#include "cli/messages.h"
#include "cli/table.h"
#include "ledger/civil_date.h"
#include "ledger/deadlines.h"
#include "ledger/money.h"
#include "services/codec.h"

namespace grantledger {
namespace {

std::string Kr(int64_t ore) { return FormatKronor(ore); }

std::string StatusWord(const Obligation& o) {
  if (o.rejected) return "rejected";
  if (!o.period_ended) return "in period";
  return ObligationStatusName(o.status);
}

std::string DaysLeft(const Obligation& o) {
  if (o.status == ObligationStatus::kSettled || o.outstanding_ore.value() == 0) return "";
  if (o.days_left < 0) return absl::StrCat(-o.days_left, " ", Tr("days late"));
  return absl::StrCat(o.days_left, " ", Tr("days"));
}

}  // namespace

void PrintObligationsJson(const std::vector<Obligation>& obligations, const AsOf& as_of,
                          std::ostream& out) {
  v1::ObligationsResponse response;
  response.set_as_of_date(FormatCivilDay(as_of.date));
  response.set_as_of_sequence(as_of.sequence);
  for (const Obligation& o : obligations) EncodeObligation(o, response.add_obligations());
  PrintJson(response, out);
}

void PrintUnusedJson(const UnusedList& unused, const AsOf& as_of, std::ostream& out) {
  v1::UnusedResponse response;
  response.set_as_of_date(FormatCivilDay(as_of.date));
  response.set_as_of_sequence(as_of.sequence);
  EncodeUnusedList(unused, &response);
  PrintJson(response, out);
}

void PrintYearOverviewJson(const YearOverview& overview, absl::CivilDay as_of_date,
                           std::ostream& out) {
  v1::YearOverviewResponse response;
  EncodeYearOverview(overview, &response);
  response.set_as_of_date(FormatCivilDay(as_of_date));
  PrintJson(response, out);
}

void PrintObligations(const std::vector<Obligation>& obligations, std::ostream& out) {
  Table table(TrAll({"grant", "grantor", "received", "eligible spent", "unused", "repayable",
                     "repaid", "outstanding", "repay by", "left", "status", "report by", "report"}),
              {false, false, true, true, true, true, true, true, false, true, false, false, false});
  for (const Obligation& o : obligations) {
    const ReportingStatus report = ReportingStatusOf(o);
    table.AddRow({o.grant_id, o.grantor, Kr(o.received_ore.value()),
                  Kr(o.eligible_spent_ore.value()), Kr(o.unused_ore.value()),
                  Kr(o.repayable_ore.value()), Kr(o.repaid_ore.value()),
                  Kr(o.outstanding_ore.value()), FormatCivilDay(o.repayment_deadline), DaysLeft(o),
                  Tr(StatusWord(o)),
                  report == ReportingStatus::kNone ? "" : FormatCivilDay(o.reporting_deadline),
                  report == ReportingStatus::kNone ? "" : Tr(ReportingStatusName(report))});
  }
  table.Print(out);
  // Spending outside the period is a warning (cli/deadline_report.h), printed by the caller.
  for (const Obligation& o : obligations) {
    if (o.condition_repayable_ore.value() > 0) {
      out << "note: " << o.grant_id << ": unmet conditions make "
          << Kr(o.condition_repayable_ore.value()) << " repayable\n";
    }
    if (!o.period_ended && !o.rejected) {
      out << "note: " << o.grant_id << " is in its usage period (day " << o.days_elapsed << " of "
          << o.days_in_period << "): spending " << Kr(o.burn_rate_ore_per_day.value())
          << " a day, forecast unused at " << FormatCivilDay(o.usage_period_end) << ": "
          << Kr(o.forecast_unused_at_end_ore.value()) << "\n";
    }
  }
}

void PrintObligationList(const ObligationList& list, std::ostream& out) {
  out << Tr("Unused funds and repayment obligations with deadlines") << " "
      << (list.deadline_from == list.deadline_to
              ? FormatCivilDay(list.deadline_from)
              : absl::StrCat(FormatCivilDay(list.deadline_from), " – ",
                             FormatCivilDay(list.deadline_to)))
      << "\n\n";
  if (list.obligations.empty()) {
    out << Tr("nothing is unused or outstanding with a deadline in that range") << "\n";
    return;
  }
  PrintObligations(list.obligations, out);
  out << "\n";
  Table totals(TrAll({"grantor", "grants", "unused", "repayable", "outstanding"}),
               {false, true, true, true, true});
  for (const GrantorTotals& g : list.per_grantor) {
    totals.AddRow({g.grantor, absl::StrCat(g.grants), Kr(g.unused_ore.value()),
                   Kr(g.repayable_ore.value()), Kr(g.outstanding_ore.value())});
  }
  totals.AddRule();
  totals.AddRow({Tr("total"), absl::StrCat(list.obligations.size()), Kr(list.unused_ore.value()),
                 Kr(list.repayable_ore.value()), Kr(list.outstanding_ore.value())});
  totals.Print(out);
}

void PrintYearOverview(const YearOverview& y, std::ostream& out) {
  out << Tr("Targeted state grants") << " " << y.year << "\n\n";
  Table table(TrAll({"grantor", "grant", "title", "decided", "received", "spent", "unused",
                     "repayable", "status"}),
              {false, false, false, true, true, true, true, true, false});
  for (const Obligation& o : y.grants) {
    std::string title = o.title;
    if (DisplayWidth(title) > 48) {
      // Cut at a character boundary.
      size_t cut = 0, chars = 0;
      while (cut < title.size() && chars < 47) {
        ++cut;
        while (cut < title.size() && (static_cast<unsigned char>(title[cut]) & 0xC0) == 0x80) ++cut;
        ++chars;
      }
      title = title.substr(0, cut) + "…";
    }
    table.AddRow({o.grantor, o.grant_id, title, Kr(o.decided_ore.value()),
                  Kr(o.received_ore.value()), Kr(o.eligible_spent_ore.value()),
                  Kr(o.unused_ore.value()), Kr(o.repayable_ore.value()), Tr(StatusWord(o))});
  }
  table.AddRule();
  table.AddRow({Tr("total"),
                absl::StrCat(y.grants.size(), " ", Tr(y.grants.size() == 1 ? "grant" : "grants")),
                "", Kr(y.decided_ore.value()), Kr(y.received_ore.value()), Kr(y.spent_ore.value()),
                Kr(y.unused_ore.value()), Kr(y.repayable_ore.value()), ""});
  table.Print(out);
}

void PrintFinancialAccount(const FinancialAccount& a, std::ostream& out) {
  out << "Ekonomisk redovisning " << a.grant_id << " per " << FormatCivilDay(a.as_of_date)
      << "\n\n";
  Table head(TrAll({"disposable", "used", "remaining"}), {true, true, true});
  head.AddRow({Kr(a.disposable_ore.value()), Kr(a.used_ore.value()), Kr(a.remaining_ore.value())});
  head.Print(out);
  out << "\n";
  Table lines(TrAll({"purpose (ändamål)", "cost group (kostnadsgrupp)", "amount"}),
              {false, false, true});
  std::string last_purpose;
  std::map<std::string, int64_t> per_purpose;
  for (const PurposeSpending& s : a.lines) per_purpose[s.purpose] += s.spent_ore.value();
  for (size_t i = 0; i < a.lines.size(); ++i) {
    const PurposeSpending& s = a.lines[i];
    lines.AddRow({s.purpose == last_purpose ? "" : (s.purpose.empty() ? Tr("(none)") : s.purpose),
                  s.cost_group.empty() ? Tr("(none)") : s.cost_group, Kr(s.spent_ore.value())});
    last_purpose = s.purpose;
    if (i + 1 == a.lines.size() || a.lines[i + 1].purpose != s.purpose) {
      lines.AddRow({"", "SUMMA", Kr(per_purpose[s.purpose])});
      lines.AddRule();
    }
  }
  lines.AddRow({"TOT SUMMA", "", Kr(a.used_ore.value())});
  lines.Print(out);
}

void PrintFinancialAccountJson(const FinancialAccount& account, std::ostream& out) {
  v1::FinancialAccountResponse response;
  EncodeFinancialAccount(account, &response);
  PrintJson(response, out);
}

}  // namespace grantledger
