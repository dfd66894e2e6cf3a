// See api.h.
#include "services/http/api.h"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "cli/as_of_flags.h"
#include "cli/deadline_report.h"
#include "cli/messages.h"
#include "cli/report.h"
#include "cli/year_end_report.h"
#include "ledger/civil_date.h"
#include "ledger/status_macros.h"

namespace grantledger {
namespace {

// Most points a burn-down carries: a year in weeks, whatever the period's length.
constexpr int64_t kMaxBurndownPoints = 60;
// Most history rows one answer carries (the newest; limit= asks for fewer).
constexpr uint64_t kMaxHistoryRows = 5000;

std::string JsonList(const std::vector<std::string>& texts) {
  std::string out = "[";
  for (size_t i = 0; i < texts.size(); ++i)
    absl::StrAppend(&out, i ? "," : "", JsonQuote(texts[i]));
  return out + "]";
}

std::string AsOfJson(const AsOf& as_of, LedgerBackend& backend) {
  absl::StatusOr<Digest> head = backend.Head();
  return absl::StrCat("\"as_of\":", JsonQuote(FormatCivilDay(as_of.date)),
                      ",\"as_of_sequence\":", as_of.sequence,
                      ",\"head_sequence\":", head.ok() ? head->sequence : 0);
}

// ObligationJson with more fields appended inside its braces.
std::string ObligationWith(const Obligation& o, const std::string& more) {
  std::string json = ObligationJson(o);
  json.pop_back();  // the closing brace
  return absl::StrCat(json, more, "}");
}

struct Totals {
  int grants = 0;
  int64_t decided_ore = 0, received_ore = 0, eligible_spent_ore = 0, unused_ore = 0,
          outstanding_ore = 0;
  void Add(const Obligation& o) {
    ++grants;
    decided_ore += o.decided_ore.value();
    received_ore += o.received_ore.value();
    eligible_spent_ore += o.eligible_spent_ore.value();
    unused_ore += o.unused_ore.value();
    outstanding_ore += o.outstanding_ore.value();
  }
  std::string Json() const {
    return absl::StrCat("\"grants\":", grants, ",\"decided_ore\":", decided_ore,
                        ",\"received_ore\":", received_ore,
                        ",\"eligible_spent_ore\":", eligible_spent_ore,
                        ",\"unused_ore\":", unused_ore, ",\"outstanding_ore\":", outstanding_ore);
  }
};

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
  std::map<std::string, Totals> per_grantor;
  Totals all;
  std::string grants_json = "[";
  for (size_t i = 0; i < shown.size(); ++i) {
    const Obligation& o = shown[i];
    per_grantor[o.grantor].Add(o);
    all.Add(o);
    absl::StrAppend(&grants_json, i ? "," : "",
                    ObligationWith(o, absl::StrCat(",\"warnings\":", JsonList(WarningTexts(o)))));
  }
  grants_json += "]";
  std::string grantors_json = "[";
  bool first = true;
  for (const auto& [name, totals] : per_grantor) {
    absl::StrAppend(&grantors_json, first ? "" : ",", "{\"grantor\":", JsonQuote(name), ",",
                    totals.Json(), "}");
    first = false;
  }
  grantors_json += "]";
  return Ok(absl::StrCat(
      "{", AsOfJson(*as_of, backend),
      ",\"years\":", JsonList(std::vector<std::string>(years.begin(), years.end())),
      ",\"grantors\":", JsonList(std::vector<std::string>(grantors.begin(), grantors.end())),
      ",\"grants\":", grants_json, ",\"per_grantor\":", grantors_json, ",\"totals\":{", all.Json(),
      "}}\n"));
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
  std::ostringstream grant_json, account_json;
  PrintGrantJson(GrantView{position->terms, position->balance, *version}, grant_json);
  PrintFinancialAccountJson(FinancialAccountOf(*position), account_json);
  const Obligation obligation = ObligationOf(*position);
  return Ok(
      absl::StrCat("{", AsOfJson(*as_of, backend), ",\"title\":", JsonQuote(position->terms.title),
                   ",\"grant\":", grant_json.str(), ",\"obligation\":", ObligationJson(obligation),
                   ",\"account\":", account_json.str(),
                   ",\"warnings\":", JsonList(WarningTexts(obligation)), "}\n"));
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
  std::string points = "[";
  for (size_t i = 0; i < days.size(); ++i) {
    const GrantPosition* p = &(*on)[i];
    absl::StrAppend(&points, i ? "," : "", "{\"date\":", JsonQuote(FormatCivilDay(days[i])),
                    ",\"eligible_spent_ore\":", p->eligible_spent_ore.value(),
                    ",\"received_ore\":", p->balance.received_ore.value(),
                    ",\"allocated_ore\":", p->balance.allocated_ore.value(), "}");
  }
  points += "]";
  // The ledger's own forecast (ledger/obligations.h): spending at the burn rate so far, to the
  // period's end; what it leaves unused is forecast_unused_at_end.
  std::string forecast = "null";
  if (!obligation.period_ended && obligation.days_elapsed > 0) {
    const int64_t disposable_ore =
        obligation.received_ore.value() - obligation.carried_out_ore.value();
    forecast = absl::StrCat("{\"date\":", JsonQuote(FormatCivilDay(terms.usage_period_end)),
                            ",\"eligible_spent_ore\":",
                            disposable_ore - obligation.forecast_unused_at_end_ore.value(), "}");
  }
  return Ok(
      absl::StrCat("{", AsOfJson(*as_of, backend), ",\"grant_id\":", JsonQuote(*id),
                   ",\"usage_period_start\":", JsonQuote(FormatCivilDay(terms.usage_period_start)),
                   ",\"usage_period_end\":", JsonQuote(FormatCivilDay(terms.usage_period_end)),
                   ",\"repayment_deadline\":", JsonQuote(FormatCivilDay(terms.repayment_deadline)),
                   ",\"decided_ore\":", terms.decided_amount_ore, ",\"points\":", points,
                   ",\"forecast\":", forecast, "}\n"));
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
  std::vector<std::string> rows;
  uint64_t next = 0;
  absl::Status read = backend.ReadEvents(from, *id, [&](const v1::RecordedEvent& recorded) {
    const uint64_t sequence = recorded.record().sequence();
    if (as_of->sequence != 0 && sequence > as_of->sequence) return false;
    if (rows.size() == limit) {
      next = sequence;
      return false;
    }
    std::vector<std::string> cells = HistoryRow(recorded);
    cells.push_back(absl::BytesToHexString(recorded.hash()));
    rows.push_back(JsonList(cells));
    return true;
  });
  if (!read.ok()) return ErrorAnswer(read);
  std::vector<std::string> columns = TrAll(HistoryHeader());
  columns.push_back("hash");
  std::string out = absl::StrCat("{", AsOfJson(*as_of, backend), ",\"grant_id\":", JsonQuote(*id),
                                 ",\"total\":", *total, ",\"next_from\":", next,
                                 ",\"columns\":", JsonList(columns), ",\"rows\":[");
  for (size_t i = 0; i < rows.size(); ++i) absl::StrAppend(&out, i ? "," : "", rows[i]);
  absl::StrAppend(&out, "]}\n");
  return Ok(std::move(out));
}

}  // namespace grantledger
