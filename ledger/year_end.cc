// Year-end composition; see year_end.h.
#include "ledger/year_end.h"

#include <algorithm>

#include "ledger/civil_date.h"
#include "ledger/deadlines.h"

namespace grantledger {

void SortByDeadline(std::vector<Obligation>& obligations) {
  std::sort(obligations.begin(), obligations.end(), [](const Obligation& a, const Obligation& b) {
    if (a.repayment_deadline != b.repayment_deadline)
      return a.repayment_deadline < b.repayment_deadline;
    return a.grant_id < b.grant_id;
  });
}

std::vector<Obligation> ObligationsByDeadline(const std::vector<GrantPosition>& positions) {
  std::vector<Obligation> out;
  out.reserve(positions.size());
  for (const GrantPosition& p : positions) out.push_back(ObligationOf(p));
  SortByDeadline(out);
  return out;
}

absl::StatusOr<DeadlineRange> ParseDeadlineRange(absl::string_view from, absl::string_view to,
                                                 absl::string_view from_field,
                                                 absl::string_view to_field) {
  DeadlineRange out;
  absl::StatusOr<absl::CivilDay> first = kEarliestDeadline, last = kLatestDeadline;
  if (!from.empty()) first = ParseCivilDay(from, from_field);
  if (!to.empty()) last = ParseCivilDay(to, to_field);
  if (!first.ok()) return first.status();
  if (!last.ok()) return last.status();
  if (!from.empty()) out.from = *first;
  if (!to.empty()) out.to = *last;
  return out;
}

UnusedList UnusedObligations(const std::vector<Obligation>& all, absl::CivilDay as_of,
                             const DeadlineRange& range) {
  UnusedList out;
  if (range.is_default()) {
    // Everything overdue, and what is due at the next deadline: money is never hidden.
    out.list = DefaultUnusedList(all, as_of);
    out.nothing_due = out.list.obligations.empty();
    return out;
  }
  out.list = ListObligations(all, range.from.value_or(kEarliestDeadline),
                             range.to.value_or(kLatestDeadline));
  return out;
}

}  // namespace grantledger
