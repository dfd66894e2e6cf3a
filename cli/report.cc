// Tables and JSON for ledger answers; see report.h.
#include "cli/report.h"

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "cli/json_output.h"
#include "cli/messages.h"
#include "cli/table.h"
#include "ledger/civil_date.h"
#include "ledger/money.h"
#include "services/codec.h"

namespace grantledger {
namespace {

std::string Kr(int64_t ore) { return FormatKronor(ore); }

std::string KindName(v1::GrantKind kind) {
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

}  // namespace

void PrintGrantList(const std::vector<GrantView>& grants, std::ostream& out) {
  Table table(TrAll({"grant", "grantor", "kind", "decided", "received", "spent", "remaining",
                     "usage period", "repay by"}),
              {false, false, false, true, true, true, true, false, false});
  for (const GrantView& g : grants) {
    table.AddRow({g.balance.grant_id, g.terms.grantor, Tr(KindName(g.terms.kind)),
                  Kr(g.balance.decided_ore.value()), Kr(g.balance.received_ore.value()),
                  Kr(g.balance.spent_ore.value()), Kr(g.balance.remaining_ore.value()),
                  absl::StrCat(FormatCivilDay(g.terms.usage_period_start), " – ",
                               FormatCivilDay(g.terms.usage_period_end)),
                  FormatCivilDay(g.terms.repayment_deadline)});
  }
  table.Print(out);
  out << grants.size() << " " << Tr(grants.size() == 1 ? "grant" : "grants") << "\n";
}

void PrintGrantListJson(const std::vector<GrantView>& grants, uint64_t as_of_sequence,
                        std::ostream& out) {
  v1::ListGrantsResponse response;
  for (const GrantView& g : grants) {
    EncodeGrantView(g.terms, g.balance, g.version, response.add_grants(), /*with_lines=*/false);
  }
  response.set_as_of_sequence(as_of_sequence);
  PrintJson(response, out);
}

v1::GetGrantResponse GrantMessage(const GrantView& grant, uint64_t as_of_sequence) {
  v1::GetGrantResponse response;
  EncodeGrantView(grant.terms, grant.balance, grant.version, response.mutable_grant());
  response.set_as_of_sequence(as_of_sequence);
  return response;
}

void PrintGrantJson(const GrantView& grant, uint64_t as_of_sequence, std::ostream& out) {
  PrintJson(GrantMessage(grant, as_of_sequence), out);
}

void PrintGrant(const GrantView& g, std::ostream& out) {
  const GrantBalance& b = g.balance;
  out << b.grant_id << "  " << g.terms.title << "\n";
  out << "grantor " << g.terms.grantor << ", " << KindName(g.terms.kind) << ", cost object "
      << (g.terms.cost_object.empty() ? "-" : g.terms.cost_object) << ", usage period "
      << FormatCivilDay(g.terms.usage_period_start) << " – "
      << FormatCivilDay(g.terms.usage_period_end) << ", repay unused by "
      << FormatCivilDay(g.terms.repayment_deadline) << "\n\n";
  Table summary({"", Tr("amount")}, {false, true});
  summary.AddRow({Tr("decided"), Kr(b.decided_ore.value())});
  summary.AddRow({Tr("received"), Kr(b.received_ore.value())});
  summary.AddRow({Tr("allocated"), Kr(b.allocated_ore.value())});
  summary.AddRow({Tr("unallocated"), Kr(b.unallocated_ore.value())});
  summary.AddRow({Tr("spent"), Kr(b.spent_ore.value())});
  if (b.unassigned_spent_ore.value() != 0)
    summary.AddRow({"  " + Tr("of which unassigned"), Kr(b.unassigned_spent_ore.value())});
  summary.AddRow({Tr("repaid"), Kr(b.repaid_ore.value())});
  summary.AddRule();
  summary.AddRow({Tr(b.remaining_ore.value() < 0 ? "remaining (OVERSPENT)" : "remaining"),
                  Kr(b.remaining_ore.value())});
  summary.Print(out);
  if (!b.activities.empty()) {
    out << "\n";
    Table lines(TrAll({"activity", "division", "allocated", "spent", "remaining", ""}),
                {false, false, true, true, true, false});
    for (const ActivityBalance& a : b.activities) {
      lines.AddRow({a.activity, a.division, Kr(a.allocated_ore.value()), Kr(a.spent_ore.value()),
                    Kr(a.remaining_ore.value()),
                    a.overspent_ore.value() > 0 ? Tr("overspent") : ""});
    }
    lines.Print(out);
    out << "\n";
    Table divisions(TrAll({"division", "allocated", "spent", "remaining", "overspent lines"}),
                    {false, true, true, true, true});
    int64_t allocated = 0, spent = 0, remaining = 0, overspent = 0;
    for (const DivisionBalance& d : b.divisions) {
      divisions.AddRow({d.division, Kr(d.allocated_ore.value()), Kr(d.spent_ore.value()),
                        Kr(d.remaining_ore.value()), Kr(d.overspent_ore.value())});
      allocated += d.allocated_ore.value();
      spent += d.spent_ore.value();
      remaining += d.remaining_ore.value();
      overspent += d.overspent_ore.value();
    }
    divisions.AddRule();
    divisions.AddRow({Tr("total"), Kr(allocated), Kr(spent), Kr(remaining), Kr(overspent)});
    divisions.Print(out);
  }
}

std::string EventKind(const v1::Event& e) {
  switch (e.body_case()) {
    case v1::Event::kGrantRegistered:
      return "grant registered";
    case v1::Event::kTermsAmended:
      return "terms amended";
    case v1::Event::kReceipt:
      return "receipt";
    case v1::Event::kAllocation:
      return "allocation";
    case v1::Event::kReallocation:
      return "reallocation";
    case v1::Event::kExpense:
      return e.expense().credit() ? "expense credit" : "expense";
    case v1::Event::kRepayment:
      return "repayment";
    case v1::Event::kReversal:
      return "reversal";
    case v1::Event::kSeal:
      return "seal";
    default:
      return "?";
  }
}

int64_t EventAmountOre(const v1::Event& e) {
  switch (e.body_case()) {
    case v1::Event::kGrantRegistered:
      return e.grant_registered().decided_amount_ore();
    case v1::Event::kReceipt:
      return e.receipt().amount_ore();
    case v1::Event::kAllocation:
      return e.allocation().amount_ore();
    case v1::Event::kReallocation:
      return e.reallocation().amount_ore();
    case v1::Event::kExpense:  // a credit lowers spending: shown negative
      return e.expense().credit() ? -e.expense().amount_ore() : e.expense().amount_ore();
    case v1::Event::kRepayment:
      return e.repayment().amount_ore();
    default:
      return 0;
  }
}

std::vector<std::string> HistoryHeader() {
  return {"seq",    "recorded (UTC)", "effective", "grant", "event",
          "amount", "line",           "reference", "author"};
}

std::vector<std::string> HistoryRow(const v1::RecordedEvent& recorded) {
  const v1::EventRecord& r = recorded.record();
  const v1::Event& e = r.event();
  std::string line;
  switch (e.body_case()) {
    case v1::Event::kAllocation:
      line = absl::StrCat(e.allocation().activity(), " ", e.allocation().division());
      break;
    case v1::Event::kExpense:
      line = e.expense().activity().empty()
                 ? "(unassigned)"
                 : absl::StrCat(e.expense().activity(), " ", e.expense().division());
      break;
    case v1::Event::kReallocation:
      line =
          absl::StrCat(e.reallocation().from_activity(), " ", e.reallocation().from_division(),
                       " → ", e.reallocation().to_activity(), " ", e.reallocation().to_division());
      break;
    case v1::Event::kReversal:
      line = absl::StrCat("cancels ", e.reversal().reversed_sequence());
      break;
    case v1::Event::kSeal:
      line =
          absl::StrCat(e.seal().year(), " ", e.seal().period_start(), "–", e.seal().period_end());
      break;
    default:
      break;
  }
  const int64_t amount = EventAmountOre(e);
  return {absl::StrCat(r.sequence()),
          absl::FormatTime("%Y-%m-%d %H:%M:%S", absl::FromUnixMicros(r.recorded_time_unix_micros()),
                           absl::UTCTimeZone()),
          e.effective_date(),
          e.grant_id(),
          Tr(EventKind(e)),
          amount != 0 ? FormatKronor(amount) : "",
          line,
          e.external_ref(),
          r.author().empty() ? "-" : r.author()};
}

}  // namespace grantledger
