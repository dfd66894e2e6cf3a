// Sealed years; see seal.h.
#include "ledger/seal.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "ledger/civil_date.h"
#include "ledger/status_macros.h"

namespace grantledger {

absl::StatusOr<SealPeriod> SealPeriodOf(const std::string& grant_id, const GrantTerms& terms,
                                        int32_t year) {
  const absl::CivilDay first(year, 1, 1);
  const absl::CivilDay last(year, 12, 31);
  SealPeriod out;
  out.year = year;
  out.start = std::max(first, terms.usage_period_start);
  out.end = std::min(last, terms.usage_period_end);
  if (out.end < out.start) {
    return absl::FailedPreconditionError(absl::StrCat(
        "year ", year, ": grant ", grant_id, "'s usage period ",
        FormatCivilDay(terms.usage_period_start), "–", FormatCivilDay(terms.usage_period_end),
        " has no day in ", year, "; seal a year the usage period covers"));
  }
  return out;
}

std::string CanonicalAccount(const FinancialAccount& a) {
  std::string out = absl::StrCat("grantledger-account-v1\ngrant\t", a.grant_id, "\nas_of\t",
                                 FormatCivilDay(a.as_of_date), "\ndisposable_ore\t",
                                 a.disposable_ore.value(), "\nused_ore\t", a.used_ore.value(),
                                 "\nremaining_ore\t", a.remaining_ore.value(), "\n");
  for (const PurposeSpending& line : a.lines) {
    absl::StrAppend(&out, "line\t", line.purpose, "\t", line.cost_group, "\t",
                    line.spent_ore.value(), "\n");
  }
  return out;
}

absl::StatusOr<SealedAccount> SealedAccountAt(const std::string& grant_id, int32_t year,
                                              uint64_t sequence, const PositionLookup& position) {
  GL_ASSIGN_OR_RETURN(GrantPosition at_year_end,
                      position(AsOf{absl::CivilDay(year, 12, 31), sequence}));
  SealedAccount out;
  GL_ASSIGN_OR_RETURN(out.period, SealPeriodOf(grant_id, at_year_end.terms, year));
  GL_ASSIGN_OR_RETURN(GrantPosition at_end, position(AsOf{out.period.end, sequence}));
  out.account = FinancialAccountOf(at_end);
  out.canonical = CanonicalAccount(out.account);
  return out;
}

std::optional<SealRef> SealClosing(const std::string& grant_id,
                                   const std::map<int32_t, SealState>& seals, absl::CivilDay date) {
  std::optional<SealRef> best;
  for (const auto& [year, seal] : seals) {
    if (date > seal.period_end) continue;
    if (!best || seal.period_end < best->period_end) {
      best = SealRef{grant_id, year, seal.sequence, seal.period_start, seal.period_end};
    }
  }
  return best;
}

std::optional<SealRef> SealTracker::Observe(const v1::Event& event, uint64_t sequence) {
  std::optional<SealRef> found;
  auto parsed = ParseCivilDay(event.effective_date(), "effective_date");
  if (parsed.ok() && !event.has_grant_registered()) {
    std::vector<std::string> grants = {event.grant_id()};
    if (event.has_carry_over()) grants.push_back(event.carry_over().to_grant_id());
    for (const std::string& grant : grants) {
      auto it = seals_.find(grant);
      if (it == seals_.end()) continue;
      found = SealClosing(grant, it->second, *parsed);
      if (found) break;
    }
  }
  if (event.has_seal()) {
    const v1::Seal& s = event.seal();
    auto start = ParseCivilDay(s.period_start(), "seal.period_start");
    auto end = ParseCivilDay(s.period_end(), "seal.period_end");
    if (start.ok() && end.ok()) {
      seals_[event.grant_id()][s.year()] = SealState{sequence, *start, *end};
    }
  }
  return found;
}

}  // namespace grantledger
