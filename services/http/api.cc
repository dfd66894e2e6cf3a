// See api.h.
#include "services/http/api.h"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "cli/as_of_flags.h"
#include "cli/deadline_report.h"
#include "cli/json_output.h"
#include "cli/messages.h"
#include "cli/report.h"
#include "cli/year_end_report.h"
#include "grantledger/v1/dashboard.pb.h"
#include "ledger/civil_date.h"
#include "ledger/status_macros.h"
#include "services/codec.h"

namespace grantledger {
namespace {

// Most points a burn-down carries: a year in weeks, whatever the period's length.
constexpr int64_t kMaxBurndownPoints = 60;
// Most history rows one answer carries (the newest; limit= asks for fewer).
constexpr uint64_t kMaxHistoryRows = 5000;

v1::DashboardPoint PointOf(const AsOf& as_of, LedgerBackend& backend) {
  absl::StatusOr<Digest> head = backend.Head();
  v1::DashboardPoint point;
  point.set_as_of_date(FormatCivilDay(as_of.date));
  point.set_as_of_sequence(as_of.sequence);
  point.set_head_sequence(head.ok() ? head->sequence : 0);
  return point;
}

void AddTo(const Obligation& o, v1::DashboardTotals* totals) {
  totals->set_grants(totals->grants() + 1);
  totals->set_decided_ore(totals->decided_ore() + o.decided_ore.value());
  totals->set_received_ore(totals->received_ore() + o.received_ore.value());
  totals->set_eligible_spent_ore(totals->eligible_spent_ore() + o.eligible_spent_ore.value());
  totals->set_unused_ore(totals->unused_ore() + o.unused_ore.value());
  totals->set_outstanding_ore(totals->outstanding_ore() + o.outstanding_ore.value());
}

HttpAnswer JsonAnswer(const google::protobuf::Message& message) {
  return Ok(absl::StrCat(MessageJson(message), "\n"));
}

}  // namespace

absl::StatusOr<AsOf> AsOfFromQuery(const HttpQuery& query, LedgerBackend& backend) {
  AsOfFlags flags;
  flags.as_of = QueryValue(query, "as_of");
  flags.recorded_as_of = QueryValue(query, "recorded_as_of");
  absl::StatusOr<AsOf> out = ResolveAsOf(flags, backend);
  if (!out.ok()) {
    // The CLI's messages name its flags; here they are the query's parameters.
    std::string message(out.status().message());
    message = absl::StrReplaceAll(message,
                                  {{"--recorded-as-of", "recorded_as_of"}, {"--as-of", "as_of"}});
    return absl::Status(out.status().code(), message);
  }
  return out;
}

absl::StatusOr<std::string> GrantIdOf(const HttpQuery& query) {
  std::string id = QueryValue(query, "id");
  if (id.empty()) {
    return absl::InvalidArgumentError("id: give the grant's diary number, e.g. ?id=RS/229/2025");
  }
  return id;
}

std::vector<std::string> WarningTexts(const Obligation& o) {
  std::ostringstream printed;
  PrintDeadlineWarnings({o}, printed);
  const std::string prefix = absl::StrCat(Tr("warning"), ": ", o.grant_id, ": ");
  std::vector<std::string> out;
  for (absl::string_view line : absl::StrSplit(printed.str(), '\n', absl::SkipEmpty())) {
    absl::ConsumePrefix(&line, prefix);
    out.emplace_back(line);
  }
  return out;
}

HttpAnswer ApiOverview(LedgerBackend& backend, const HttpQuery& query) {
  absl::StatusOr<AsOf> as_of = AsOfFromQuery(query, backend);
  if (!as_of.ok()) return ErrorAnswer(as_of.status());
  absl::StatusOr<std::vector<GrantPosition>> positions = backend.Positions(*as_of);
  if (!positions.ok()) return ErrorAnswer(positions.status());
  const std::string year = QueryValue(query, "year");
  const std::string grantor = QueryValue(query, "grantor");
  std::set<std::string> years, grantors;
  std::vector<Obligation> shown;
  for (const GrantPosition& p : *positions) {
    years.insert(p.terms.year);
    grantors.insert(p.terms.grantor);
    if (!year.empty() && p.terms.year != year) continue;
    if (!grantor.empty() && p.terms.grantor != grantor) continue;
    shown.push_back(ObligationOf(p));
  }
  v1::DashboardOverview answer;
  *answer.mutable_point() = PointOf(*as_of, backend);
  for (const std::string& y : years) answer.add_years(y);
  for (const std::string& g : grantors) answer.add_grantors(g);
  std::map<std::string, v1::DashboardTotals> per_grantor;
  for (const Obligation& o : shown) {
    v1::DashboardObligation* x = answer.add_grants();
    EncodeObligation(o, x->mutable_obligation());
    for (std::string& w : WarningTexts(o)) x->add_warnings(std::move(w));
    AddTo(o, &per_grantor[o.grantor]);
    AddTo(o, answer.mutable_totals());
  }
  for (auto& [name, totals] : per_grantor) {
    v1::GrantorDashboardTotals* x = answer.add_per_grantor();
    x->set_grantor(name);
    *x->mutable_totals() = std::move(totals);
  }
  return JsonAnswer(answer);
}

HttpAnswer ApiGrant(LedgerBackend& backend, const HttpQuery& query) {
  absl::StatusOr<std::string> id = GrantIdOf(query);
  if (!id.ok()) return ErrorAnswer(id.status());
  absl::StatusOr<AsOf> as_of = AsOfFromQuery(query, backend);
  if (!as_of.ok()) return ErrorAnswer(as_of.status());
  absl::StatusOr<GrantPosition> position = backend.Position(*id, *as_of);
  if (!position.ok()) return ErrorAnswer(position.status());
  absl::StatusOr<uint64_t> version = backend.GrantVersion(*id, as_of->sequence);
  if (!version.ok()) return ErrorAnswer(version.status());
  const Obligation obligation = ObligationOf(*position);
  v1::DashboardGrant answer;
  *answer.mutable_point() = PointOf(*as_of, backend);
  *answer.mutable_grant() =
      GrantMessage(GrantView{position->terms, position->balance, *version}, as_of->sequence);
  EncodeObligation(obligation, answer.mutable_obligation());
  EncodeFinancialAccount(FinancialAccountOf(*position), answer.mutable_account());
  for (std::string& w : WarningTexts(obligation)) answer.add_warnings(std::move(w));
  return JsonAnswer(answer);
}

HttpAnswer ApiBurndown(LedgerBackend& backend, const HttpQuery& query) {
  absl::StatusOr<std::string> id = GrantIdOf(query);
  if (!id.ok()) return ErrorAnswer(id.status());
  absl::StatusOr<AsOf> as_of = AsOfFromQuery(query, backend);
  if (!as_of.ok()) return ErrorAnswer(as_of.status());
  absl::StatusOr<GrantPosition> at = backend.Position(*id, *as_of);
  if (!at.ok()) return ErrorAnswer(at.status());
  const GrantTerms& terms = at->terms;
  const Obligation obligation = ObligationOf(*at);
  // Points from the period's start to the as-of date (or the period's end, if earlier), each
  // the grant's position on that day as known at the same recorded point.
  const absl::CivilDay last = std::min(as_of->date, terms.usage_period_end);
  std::vector<absl::CivilDay> days;
  if (last >= terms.usage_period_start) {
    const int64_t span = last - terms.usage_period_start;
    const int64_t step = std::max<int64_t>(7, (span + kMaxBurndownPoints - 1) / kMaxBurndownPoints);
    for (absl::CivilDay d = terms.usage_period_start; d < last; d += step) days.push_back(d);
    days.push_back(last);
  }
  // One call for every point: the store reads the grant's history as of the point once.
  absl::StatusOr<std::vector<GrantPosition>> on = backend.PositionsOn(*id, days, as_of->sequence);
  if (!on.ok()) return ErrorAnswer(on.status());
  v1::Burndown answer;
  *answer.mutable_point() = PointOf(*as_of, backend);
  answer.set_grant_id(*id);
  answer.set_usage_period_start(FormatCivilDay(terms.usage_period_start));
  answer.set_usage_period_end(FormatCivilDay(terms.usage_period_end));
  answer.set_repayment_deadline(FormatCivilDay(terms.repayment_deadline));
  answer.set_decided_ore(terms.decided_amount_ore);
  for (size_t i = 0; i < days.size(); ++i) {
    const GrantPosition& p = (*on)[i];
    v1::BurndownPoint* x = answer.add_points();
    x->set_date(FormatCivilDay(days[i]));
    x->set_eligible_spent_ore(p.eligible_spent_ore.value());
    x->set_received_ore(p.balance.received_ore.value());
    x->set_allocated_ore(p.balance.allocated_ore.value());
  }
  // The ledger's own forecast (ledger/obligations.h): spending at the burn rate so far, to the
  // period's end; what it leaves unused is forecast_unused_at_end.
  if (!obligation.period_ended && obligation.days_elapsed > 0) {
    const int64_t disposable_ore =
        obligation.received_ore.value() - obligation.carried_out_ore.value();
    answer.mutable_forecast()->set_date(FormatCivilDay(terms.usage_period_end));
    answer.mutable_forecast()->set_eligible_spent_ore(
        disposable_ore - obligation.forecast_unused_at_end_ore.value());
  }
  return JsonAnswer(answer);
}

HttpAnswer ApiHistory(LedgerBackend& backend, const HttpQuery& query) {
  absl::StatusOr<std::string> id = GrantIdOf(query);
  if (!id.ok()) return ErrorAnswer(id.status());
  absl::StatusOr<AsOf> as_of = AsOfFromQuery(query, backend);
  if (!as_of.ok()) return ErrorAnswer(as_of.status());
  uint64_t limit = 500, from = 1;
  const std::string limit_text = QueryValue(query, "limit");
  const std::string from_text = QueryValue(query, "from");
  if (!limit_text.empty() &&
      (!absl::SimpleAtoi(limit_text, &limit) || limit == 0 || limit > kMaxHistoryRows)) {
    return ErrorAnswer(absl::InvalidArgumentError(
        absl::StrCat("limit: give a number of rows from 1 to ", kMaxHistoryRows)));
  }
  if (!from_text.empty() && (!absl::SimpleAtoi(from_text, &from) || from == 0)) {
    return ErrorAnswer(
        absl::InvalidArgumentError("from: give the sequence number to start at (1 or more)"));
  }
  // The grant's records in log order from `from`, up to the recorded point: a page of
  // `limit`, read through the grant's index (the cost is the page's, not the grant's size).
  absl::StatusOr<uint64_t> total = backend.GrantVersion(*id, as_of->sequence);
  if (!total.ok()) return ErrorAnswer(total.status());
  v1::HistoryPage answer;
  uint64_t next = 0;
  absl::Status read = backend.ReadEvents(from, *id, [&](const v1::RecordedEvent& recorded) {
    const uint64_t sequence = recorded.record().sequence();
    if (as_of->sequence != 0 && sequence > as_of->sequence) return false;
    if (static_cast<uint64_t>(answer.rows_size()) == limit) {
      next = sequence;
      return false;
    }
    v1::HistoryPage::Row* row = answer.add_rows();
    for (std::string& cell : HistoryRow(recorded)) row->add_cells(std::move(cell));
    row->add_cells(absl::BytesToHexString(recorded.hash()));
    return true;
  });
  if (!read.ok()) return ErrorAnswer(read);
  *answer.mutable_point() = PointOf(*as_of, backend);
  answer.set_grant_id(*id);
  answer.set_total(*total);
  answer.set_next_from(next);
  for (std::string& column : TrAll(HistoryHeader())) answer.add_columns(std::move(column));
  answer.add_columns("hash");
  return JsonAnswer(answer);
}

}  // namespace grantledger
