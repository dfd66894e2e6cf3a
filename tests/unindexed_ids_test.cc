// UnindexedIds (ledger/store/unindexed_ids.h): the writer thread's table of the ids committed
// since the id index's last run, sealed for a run while new ids go to a fresh table.
#include "ledger/store/unindexed_ids.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace grantledger {
namespace {

// `n` ids "<prefix>0".."<prefix>n-1" at sequences first..first+n-1.
std::vector<std::pair<std::string, uint64_t>> Ids(const std::string& prefix, uint64_t first,
                                                  int n) {
  std::vector<std::pair<std::string, uint64_t>> ids;
  for (int i = 0; i < n; ++i) ids.emplace_back(absl::StrCat(prefix, i), first + i);
  return ids;
}

TEST(UnindexedIdsTest, FindsEveryIdHeldWhetherActiveOrSealed) {
  UnindexedIds ids(10);  // the index holds 1..10
  ids.Add(Ids("a", 11, 3));
  EXPECT_EQ(ids.Find("a2"), 13u);
  EXPECT_EQ(ids.Find("b0"), std::nullopt);
  EXPECT_EQ(ids.active_size(), 3u);
  const IdTable& run = ids.Seal();
  EXPECT_TRUE(ids.sealed());
  EXPECT_EQ(run.last(), 13u);
  ids.Add(Ids("b", 14, 2));
  EXPECT_EQ(ids.active_size(), 2u);
  // Until the run is in the index, its ids are still found here.
  EXPECT_EQ(ids.Find("a0"), 11u);
  EXPECT_EQ(ids.Find("b1"), 15u);
  EXPECT_TRUE(ids.Covers(10));
  ids.SealedIndexed();
  EXPECT_FALSE(ids.sealed());
  EXPECT_EQ(ids.through(), 13u);
  EXPECT_EQ(ids.Find("a0"), std::nullopt) << "in the index now";
  EXPECT_EQ(ids.Find("b1"), 15u);
  // A prefetch that read the index at 10 did not see the run: the index is read again.
  EXPECT_FALSE(ids.Covers(10));
  EXPECT_TRUE(ids.Covers(13));
}

TEST(UnindexedIdsTest, ARunIsInKeyOrderAndKeepsLongIds) {
  // Ids longer than a short string's inline buffer, and more bytes than one chunk holds.
  IdTable table;
  const std::string long_prefix(300, 'x');
  for (int i = 999; i >= 0; --i) table.Add(absl::StrCat(long_prefix, i), 1000 + i);
  table.Add("a-short-one", 5000);
  std::vector<std::pair<absl::string_view, uint64_t>> sorted = table.InKeyOrder();
  ASSERT_EQ(sorted.size(), 1001u);
  EXPECT_EQ(sorted.front().first, "a-short-one");
  for (size_t k = 1; k < sorted.size(); ++k) EXPECT_LT(sorted[k - 1].first, sorted[k].first);
  EXPECT_EQ(table.Find(absl::StrCat(long_prefix, 7)), 1007u);
  EXPECT_EQ(table.last(), 5000u);
}

}  // namespace
}  // namespace grantledger
