// Year-end composition in one place: from every grant's position to the answers of
// `obligations` and `unused` (the sorted obligation list, the deadline range with its default
// "overdue and the next deadline" window, the unused list). The YearEndService and the
// command line's --db path both call these, so both answer alike. Pure functions, no I/O: the
// caller resolves the clocks and reads the positions.
#ifndef GRANTLEDGER_LEDGER_YEAR_END_H_
#define GRANTLEDGER_LEDGER_YEAR_END_H_

#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "ledger/as_of.h"
#include "ledger/obligations.h"

namespace grantledger {

// Sorts by repayment deadline, then grant id: the order of every obligation list.
void SortByDeadline(std::vector<Obligation>& obligations);

// Every grant's obligation at the positions' point (ObligationOf), by repayment deadline, then
// grant id.
std::vector<Obligation> ObligationsByDeadline(const std::vector<GrantPosition>& positions);

// The bounds an open side of a deadline range stands for (ParseCivilDay's own range).
inline constexpr absl::CivilDay kEarliestDeadline{1900, 1, 1};
inline constexpr absl::CivilDay kLatestDeadline{2999, 12, 31};

// The repayment deadlines `unused` asks about. Neither bound: the default window
// (DefaultUnusedList, ledger/deadlines.h); one bound: the other side is open.
struct DeadlineRange {
  std::optional<absl::CivilDay> from;
  std::optional<absl::CivilDay> to;

  bool is_default() const { return !from.has_value() && !to.has_value(); }
};

// Parses the bounds as written ("YYYY-MM-DD"; empty: not given). InvalidArgument names
// `from_field` or `to_field` (the first bad one, from first).
absl::StatusOr<DeadlineRange> ParseDeadlineRange(absl::string_view from, absl::string_view to,
                                                 absl::string_view from_field,
                                                 absl::string_view to_field);

struct UnusedList {
  ObligationList list;
  // No range was asked for and nothing is unused, outstanding or overdue: there is no window
  // to show (the command line says so; the service leaves deadline_from and deadline_to
  // empty).
  bool nothing_due = false;

  friend bool operator==(const UnusedList&, const UnusedList&) = default;
};

// The grants with unused funds or an outstanding amount whose repayment deadline is in
// `range`, by deadline, with totals per grantor; for the default range, everything overdue
// and what is due at the next repayment deadline on or after `as_of`. `all` in any order.
UnusedList UnusedObligations(const std::vector<Obligation>& all, absl::CivilDay as_of,
                             const DeadlineRange& range);

}  // namespace grantledger

#endif  // GRANTLEDGER_LEDGER_YEAR_END_H_
