// RS/229/2025 from ../shared/seeds: 147 463 000 kr received and allocated over the decision's
// 26 activity/division lines; the balances per division must match the decision's table.
#include "absl/strings/str_cat.h"
#include "cli/sample_grants.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/balances.h"
#include "ledger/store/event_store.h"
#include "tests/test_support.h"

namespace grantledger {
namespace {

using ::grantledger::testing::IsOk;
using ::grantledger::testing::TempDir;

int64_t Kr(int64_t kronor) { return kronor * 100; }

TEST(Rs229FixtureTest, DecisionTableBalancesPerDivision) {
  TempDir dir;
  EventStoreOptions options;
  options.path = dir.path();
  options.check_invariants = true;
  auto store = EventStore::Open(options);
  ASSERT_THAT(store, IsOk());
  ASSERT_EQ(sample::Rs229AllocationLines().size(), 26u);
  auto appended = (*store)->Append(sample::Rs229Decision());
  ASSERT_THAT(appended, IsOk());
  EXPECT_EQ(appended->sequences.size(), 28u);

  GrantBalance b = BalanceOfGrant(*(*store)->Grant(sample::kRs229GrantId));
  EXPECT_EQ(b.decided_ore.value(), Kr(147'463'000));
  EXPECT_EQ(b.received_ore.value(), Kr(147'463'000));
  EXPECT_EQ(b.allocated_ore.value(), Kr(147'463'000));
  EXPECT_EQ(b.unallocated_ore.value(), 0);
  EXPECT_EQ(b.spent_ore.value(), 0);
  EXPECT_EQ(b.remaining_ore.value(), Kr(147'463'000));

  // Sums per division of the decision's table (delegationsbeslut 2025-05-26).
  std::map<std::string, int64_t> expected = {
      {"HS Kir", Kr(1'500'000 + 36'600'000 + 500'000 + 6'900'000 + 650'000 + 2'000'000)},
      {"Med", Kr(1'500'000 + 21'021'000 + 600'000 + 1'400'000 + 350'000 + 1'800'000 + 700'000 +
                 5'400'000 + 600'000)},
      {"Nära vård",
       Kr(28'600'000 + 1'600'000 + 715'000 + 150'000 + 5'000'000 + 5'800'000 + 1'800'000)},
      {"Regionen", Kr(500'000 + 8'000'000 + 7'177'000)},
      {"VUP", Kr(6'600'000)},
  };
  EXPECT_EQ(expected["HS Kir"], Kr(48'150'000));
  EXPECT_EQ(expected["Med"], Kr(33'371'000));
  EXPECT_EQ(expected["Nära vård"], Kr(43'665'000));
  std::map<std::string, int64_t> actual;
  for (const DivisionBalance& d : b.divisions) {
    actual[d.division] = d.allocated_ore.value();
    EXPECT_EQ(d.remaining_ore.value(), d.allocated_ore.value()) << d.division;
  }
  EXPECT_EQ(actual, expected);
  EXPECT_EQ(b.activities.size(), 26u);  // each line of the table is its own activity line
}

TEST(Rs229FixtureTest, YearOfExpensesReplaysToTheSameState) {
  TempDir dir;
  EventStoreOptions options;
  options.path = dir.path();
  options.check_invariants = true;
  auto store = EventStore::Open(options);
  ASSERT_THAT(store, IsOk());
  ASSERT_THAT((*store)->Append(sample::Rs229Decision()), IsOk());
  ASSERT_THAT((*store)->Append(sample::Rs229YearOfExpenses()), IsOk());
  ASSERT_THAT((*store)->Append(sample::Rs229LateYearEndPostings()), IsOk());
  GrantBalance b = BalanceOfGrant(*(*store)->Grant(sample::kRs229GrantId));
  EXPECT_EQ(b.allocated_ore.value(), Kr(147'463'000));  // the reallocation moved money, added none
  EXPECT_EQ(b.remaining_ore.value(), b.received_ore.value() - b.spent_ore.value());
  bool p14_overspent = false;
  for (const ActivityBalance& a : b.activities) {
    if (a.activity == "p14") {
      EXPECT_EQ(a.allocated_ore.value(), Kr(1'900'000));  // 1 800 000 + 100 000 moved from p13
      p14_overspent = a.overspent_ore.value() > 0;
    }
    if (a.activity == "p13") {
      EXPECT_EQ(a.allocated_ore.value(), Kr(250'000));
    }
  }
  EXPECT_TRUE(p14_overspent);
  auto replayed = (*store)->Replay(0);
  ASSERT_THAT(replayed, IsOk());
  EXPECT_EQ(*replayed, (*store)->State());
  EXPECT_EQ(replayed->TrialBalance(), 0);
}

}  // namespace
}  // namespace grantledger
