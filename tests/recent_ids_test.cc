// RecentIds (ledger/store/recent_ids.h): the writer thread's memory of the ids committed after a
// caller's prefetch, kept per committed group and bounded by a capacity.
#include "ledger/store/recent_ids.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace grantledger {
namespace {

// A group of `n` ids "<prefix>0".."<prefix>n-1" at sequences first..first+n-1.
std::vector<std::pair<std::string, uint64_t>> Group(const std::string& prefix, uint64_t first,
                                                    int n) {
  std::vector<std::pair<std::string, uint64_t>> ids;
  for (int i = 0; i < n; ++i) ids.emplace_back(absl::StrCat(prefix, i), first + i);
  return ids;
}

TEST(RecentIdsTest, FindsAnIdCommittedAfterThePrefetchAndNoneBefore) {
  RecentIds recent(100);
  recent.Add(Group("a", 1, 3));  // 1..3
  recent.Add(Group("b", 4, 3));  // 4..6
  ASSERT_TRUE(recent.Covers(0));
  EXPECT_EQ(recent.Find("a1", 0), 2u);
  EXPECT_EQ(recent.Find("b2", 0), 6u);
  // A prefetch at 3 read the index through 3: only the ids after it are looked up here.
  EXPECT_EQ(recent.Find("b0", 3), 4u);
  EXPECT_EQ(recent.Find("a1", 3), std::nullopt);
  EXPECT_EQ(recent.Find("c0", 0), std::nullopt);
}

TEST(RecentIdsTest, LongIdsStayFindableAsGroupsAreAddedAndDropped) {
  // Ids longer than a short string's inline buffer, so the table's keys view a heap buffer.
  const std::string long_prefix(40, 'x');
  RecentIds recent(6);
  recent.Add(Group(long_prefix, 1, 3));  // 1..3
  recent.Add(Group("b", 4, 3));          // 4..6
  EXPECT_EQ(recent.Find(long_prefix + "2", 0), 3u);
  // A third group is more than the capacity: the oldest group goes, whole.
  recent.Add(Group("c", 7, 2));  // 7..8
  EXPECT_FALSE(recent.Covers(2));
  EXPECT_TRUE(recent.Covers(3));  // everything after 3 is still held
  EXPECT_EQ(recent.Find("b1", 3), 5u);
  EXPECT_EQ(recent.Find("c1", 3), 8u);
}

TEST(RecentIdsTest, AGroupLargerThanTheCapacityIsNotHeld) {
  RecentIds recent(2);
  recent.Add(Group("a", 1, 5));
  EXPECT_FALSE(recent.Covers(4));  // the writer thread then reads the index itself
  EXPECT_TRUE(recent.Covers(5));
  recent.Add({});  // an empty group changes nothing
  EXPECT_TRUE(recent.Covers(5));
}

}  // namespace
}  // namespace grantledger
