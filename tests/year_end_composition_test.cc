// The year-end composition (ledger/year_end.h) on its own: the order of every obligation list,
// the deadline range as written, and the unused list with its default window, from values
// made here (no store, no clock).
#include <algorithm>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/deadlines.h"
#include "ledger/year_end.h"
#include "tests/test_support.h"

namespace grantledger {
namespace {

using ::grantledger::testing::IsOk;
using ::grantledger::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

Obligation Owing(const std::string& id, const std::string& grantor, absl::CivilDay deadline,
                 absl::CivilDay as_of, int64_t unused_ore, int64_t outstanding_ore) {
  Obligation o;
  o.grant_id = id;
  o.grantor = grantor;
  o.as_of_date = as_of;
  o.repayment_deadline = deadline;
  o.unused_ore = Ore(unused_ore);
  o.repayable_ore = Ore(outstanding_ore);
  o.outstanding_ore = Ore(outstanding_ore);
  o.days_left = deadline - as_of;
  return o;
}

std::vector<std::string> Ids(const std::vector<Obligation>& list) {
  std::vector<std::string> out;
  for (const Obligation& o : list) out.push_back(o.grant_id);
  return out;
}

GrantPosition PositionOf(const std::string& id, absl::CivilDay deadline, int64_t received_ore) {
  GrantPosition p;
  p.grant_id = id;
  p.as_of.date = absl::CivilDay(2026, 1, 15);
  p.terms.title = id;
  p.terms.grantor = "Socialstyrelsen";
  p.terms.decided_amount_ore = received_ore;
  p.terms.usage_period_start = absl::CivilDay(2025, 1, 1);
  p.terms.usage_period_end = absl::CivilDay(2025, 12, 31);
  p.terms.repayment_deadline = deadline;
  p.balance.received_ore = Ore(received_ore);
  p.received_from_grantor_ore = Ore(received_ore);
  return p;
}

TEST(YearEndCompositionTest, ObligationsAreByDeadlineThenGrantId) {
  const absl::CivilDay march(2026, 3, 31), june(2026, 6, 30);
  const std::vector<GrantPosition> positions = {
      PositionOf("RS/3/2025", june, 100), PositionOf("RS/2/2025", march, 200),
      PositionOf("RS/1/2025", june, 300), PositionOf("RS/0/2025", march, 0)};
  const std::vector<Obligation> sorted = ObligationsByDeadline(positions);
  EXPECT_THAT(Ids(sorted), ElementsAre("RS/0/2025", "RS/2/2025", "RS/1/2025", "RS/3/2025"));
  // Each is ObligationOf its position: nothing is added or dropped on the way.
  for (const GrantPosition& p : positions) {
    const Obligation expected = ObligationOf(p);
    bool found = false;
    for (const Obligation& o : sorted) found |= o == expected;
    EXPECT_TRUE(found) << p.grant_id;
  }
  EXPECT_EQ(sorted[1].unused_ore.value(), 200);  // period over, nothing spent

  std::vector<Obligation> again = sorted;
  std::reverse(again.begin(), again.end());
  SortByDeadline(again);
  EXPECT_EQ(again, sorted);
  EXPECT_TRUE(ObligationsByDeadline({}).empty());
}

TEST(YearEndCompositionTest, DeadlineRangeAsWritten) {
  auto none = ParseDeadlineRange("", "", "--from", "--to");
  ASSERT_THAT(none, IsOk());
  EXPECT_TRUE(none->is_default());

  auto from_only = ParseDeadlineRange("2026-03-31", "", "--from", "--to");
  ASSERT_THAT(from_only, IsOk());
  EXPECT_FALSE(from_only->is_default());
  EXPECT_EQ(from_only->from, absl::CivilDay(2026, 3, 31));
  EXPECT_EQ(from_only->to, std::nullopt);

  auto both = ParseDeadlineRange("2026-01-01", "2026-12-31", "deadline_from", "deadline_to");
  ASSERT_THAT(both, IsOk());
  EXPECT_EQ(both->from, absl::CivilDay(2026, 1, 1));
  EXPECT_EQ(both->to, absl::CivilDay(2026, 12, 31));

  // The field names are the caller's: the flag on the command line, the field in the service.
  EXPECT_THAT(ParseDeadlineRange("2026-02-30", "", "--from", "--to"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--from")));
  EXPECT_THAT(ParseDeadlineRange("", "31/12/2026", "deadline_from", "deadline_to"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("deadline_to")));
  // Both bad: the first bound is named.
  EXPECT_THAT(ParseDeadlineRange("x", "y", "--from", "--to"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--from")));
}

TEST(YearEndCompositionTest, TheDefaultWindowIsOverdueAndTheNextDeadline) {
  const absl::CivilDay today(2026, 4, 15);
  const std::vector<Obligation> all = {
      Owing("later", "Kammarkollegiet", absl::CivilDay(2026, 9, 30), today, 1000, 0),
      Owing("overdue", "Socialstyrelsen", absl::CivilDay(2026, 3, 31), today, 0, 5000),
      Owing("next", "Socialstyrelsen", absl::CivilDay(2026, 6, 30), today, 2000, 0),
      Owing("settled", "Socialstyrelsen", absl::CivilDay(2026, 6, 30), today, 0, 0),
  };
  const UnusedList unused = UnusedObligations(all, today, DeadlineRange{});
  EXPECT_FALSE(unused.nothing_due);
  EXPECT_EQ(unused.list, DefaultUnusedList(all, today));
  EXPECT_THAT(Ids(unused.list.obligations), ElementsAre("overdue", "next"));
  EXPECT_EQ(unused.list.deadline_from, absl::CivilDay(2026, 3, 31));
  EXPECT_EQ(unused.list.deadline_to, absl::CivilDay(2026, 6, 30));
  EXPECT_EQ(unused.list.outstanding_ore.value(), 5000);
  EXPECT_EQ(unused.list.unused_ore.value(), 2000);
  ASSERT_EQ(unused.list.per_grantor.size(), 1u);
  EXPECT_EQ(unused.list.per_grantor[0].grants, 2);

  // Nothing unused or outstanding: no window, and the list says so.
  const UnusedList nothing = UnusedObligations({all[3]}, today, DeadlineRange{});
  EXPECT_TRUE(nothing.nothing_due);
  EXPECT_TRUE(nothing.list.obligations.empty());
  EXPECT_EQ(nothing.list.deadline_from, today);
  EXPECT_EQ(nothing.list.deadline_to, today);
}

TEST(YearEndCompositionTest, AGivenRangeIsOpenOnTheSideNotGiven) {
  const absl::CivilDay today(2026, 4, 15);
  const std::vector<Obligation> all = {
      Owing("later", "Kammarkollegiet", absl::CivilDay(2026, 9, 30), today, 1000, 0),
      Owing("overdue", "Socialstyrelsen", absl::CivilDay(2026, 3, 31), today, 0, 5000),
      Owing("next", "Socialstyrelsen", absl::CivilDay(2026, 6, 30), today, 2000, 0),
  };
  const UnusedList from_june =
      UnusedObligations(all, today, DeadlineRange{absl::CivilDay(2026, 6, 1), std::nullopt});
  EXPECT_FALSE(from_june.nothing_due);
  EXPECT_THAT(Ids(from_june.list.obligations), ElementsAre("next", "later"));
  EXPECT_EQ(from_june.list.deadline_from, absl::CivilDay(2026, 6, 1));
  EXPECT_EQ(from_june.list.deadline_to, kLatestDeadline);
  EXPECT_EQ(from_june.list.per_grantor.size(), 2u);

  const UnusedList to_june =
      UnusedObligations(all, today, DeadlineRange{std::nullopt, absl::CivilDay(2026, 6, 30)});
  EXPECT_THAT(Ids(to_june.list.obligations), ElementsAre("overdue", "next"));
  EXPECT_EQ(to_june.list.deadline_from, kEarliestDeadline);
  EXPECT_EQ(to_june.list, ListObligations(all, kEarliestDeadline, absl::CivilDay(2026, 6, 30)));

  // An explicit range that holds nothing is an empty list with its window, not "nothing due".
  const UnusedList empty = UnusedObligations(
      all, today, DeadlineRange{absl::CivilDay(2027, 1, 1), absl::CivilDay(2027, 12, 31)});
  EXPECT_FALSE(empty.nothing_due);
  EXPECT_TRUE(empty.list.obligations.empty());
  EXPECT_EQ(empty.list.deadline_from, absl::CivilDay(2027, 1, 1));
}

}  // namespace
}  // namespace grantledger
