// Grant histories in checkpoints; see history_checkpoint.h.
#include "ledger/history_checkpoint.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "ledger/civil_date.h"

namespace grantledger {

v1::GrantHistoryCheckpoint HistoryToCheckpoint(const std::string& grant_id,
                                               const GrantHistory& history,
                                               absl::string_view compacted_sha256) {
  v1::GrantHistoryCheckpoint out;
  out.set_grant_id(grant_id);
  for (const ActivityKey& line : history.lines()) {
    v1::ActivityLineName* name = out.add_lines();
    name->set_activity(line.activity);
    name->set_division(line.division);
  }
  for (const std::string& p : history.purposes()) out.add_purposes(p);
  for (const std::string& c : history.cost_groups()) out.add_cost_groups(c);
  for (const TermsEvent& t : history.terms_events()) {
    v1::TermsEventCheckpoint* terms = out.add_terms();
    terms->set_sequence(t.sequence);
    terms->set_effective_date(absl::StrFormat("%04d-%02d-%02d", t.effective.year(),
                                              t.effective.month(), t.effective.day()));
    *terms->mutable_event() = t.event;
  }
  out.set_compacted_through(history.compacted_through());
  out.set_compacted_sha256(std::string(compacted_sha256));
  return out;
}

absl::Status HistoryFromCheckpoint(const v1::GrantHistoryCheckpoint& checkpoint,
                                   GrantHistory& history) {
  std::vector<ActivityKey> lines;
  for (const v1::ActivityLineName& name : checkpoint.lines()) {
    lines.push_back(ActivityKey{name.activity(), name.division()});
  }
  history.RestoreNames(
      std::move(lines),
      std::vector<std::string>(checkpoint.purposes().begin(), checkpoint.purposes().end()),
      std::vector<std::string>(checkpoint.cost_groups().begin(), checkpoint.cost_groups().end()));
  std::vector<TermsEvent> terms;
  for (const v1::TermsEventCheckpoint& t : checkpoint.terms()) {
    absl::StatusOr<absl::CivilDay> day = ParseCivilDay(t.effective_date(), "checkpoint");
    if (!day.ok()) {
      return absl::DataLossError(absl::StrCat("the checkpointed history of ", checkpoint.grant_id(),
                                              " has a damaged date"));
    }
    terms.push_back(TermsEvent{t.sequence(), *day, t.event()});
  }
  history.RestoreTerms(std::move(terms));
  return absl::OkStatus();
}

}  // namespace grantledger
