// UnindexedIds (ledger/store/unindexed_ids.h): the writer thread's table of the ids committed
// since the id index's last run, sealed for a run while new ids go to a fresh table.
#include "ledger/store/unindexed_ids.h"

#include <algorithm>
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

TEST(UnindexedIdsTest, ARunIsInBytewiseOrderWhereIdsShareOrEndBeforeTheirFirst8Bytes) {
  // The sort compares each id's first 8 bytes as a number first: ids that share them, ids
  // shorter than 8 bytes (zero-padded, so "ab" must still come before "ab\x01"), and bytes
  // above 0x7f (UTF-8, which sort after ASCII as RocksDB's bytewise comparator has them).
  const std::vector<std::string> ids = {"erp-000000000002",
                                        "erp-000000000010",
                                        "erp-00000000001",
                                        "ab",
                                        std::string("ab\x01", 3),
                                        "abc",
                                        "Zeta",
                                        "\xc3\xa5r-2026",
                                        "\xc3\xa4r-2026",
                                        "erp-0000",
                                        "erp-000",
                                        "e",
                                        ""};
  IdTable table;
  uint64_t sequence = 0;
  for (const std::string& id : ids) table.Add(id, ++sequence);
  std::vector<std::pair<absl::string_view, uint64_t>> sorted = table.InKeyOrder();
  std::vector<std::string> expected = ids;
  std::sort(expected.begin(), expected.end());  // std::string compares bytes as unsigned
  ASSERT_EQ(sorted.size(), expected.size());
  for (size_t k = 0; k < sorted.size(); ++k) {
    EXPECT_EQ(sorted[k].first, expected[k]) << "at " << k;
    EXPECT_EQ(table.Find(sorted[k].first), sorted[k].second);
  }
}

TEST(UnindexedIdsTest, TheTableAfterASealHoldsAsManyIdsAgain) {
  UnindexedIds ids;
  ids.Add(Ids("a", 1, 500));
  ids.Seal();
  ids.Add(Ids("b", 501, 500));  // into the table reserved at the seal
  EXPECT_EQ(ids.active_size(), 500u);
  EXPECT_EQ(ids.Find("b499"), 1000u);
  EXPECT_EQ(ids.Find("a499"), 500u);
  ids.SealedIndexed();
  EXPECT_EQ(ids.Seal().InKeyOrder().size(), 500u);
}

}  // namespace
}  // namespace grantledger
