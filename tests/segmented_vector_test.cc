// SegmentedVector: appends across segment boundaries keep every element where it was.
#include "ledger/segmented_vector.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace grantledger {
namespace {

TEST(SegmentedVectorTest, HoldsAndIteratesAcrossSegments) {
  SegmentedVector<int, 4> v;
  EXPECT_TRUE(v.empty());
  EXPECT_EQ(v.begin(), v.end());
  std::vector<const int*> addresses;
  for (int i = 0; i < 11; ++i) {
    v.push_back(i * 10);
    addresses.push_back(&v.back());
  }
  ASSERT_EQ(v.size(), 11u);
  EXPECT_EQ(v[0], 0);
  EXPECT_EQ(v[4], 40);  // the first element of the second segment
  EXPECT_EQ(v.back(), 100);
  std::vector<int> seen(v.begin(), v.end());
  ASSERT_EQ(seen.size(), 11u);
  for (int i = 0; i < 11; ++i) {
    EXPECT_EQ(seen[i], i * 10);
    EXPECT_EQ(&v[i], addresses[i]) << "element " << i << " moved when the vector grew";
  }
}

TEST(SegmentedVectorTest, OwnsItsElementsAndMovesWhole) {
  // Strings too long for the small-string buffer: a leak or a double free shows under ASan.
  SegmentedVector<std::string, 3> v;
  for (int i = 0; i < 7; ++i) v.push_back(std::string(40, static_cast<char>('a' + i)));
  const std::string* first = &v[0];
  SegmentedVector<std::string, 3> moved(std::move(v));
  EXPECT_TRUE(v.empty());  // NOLINT(bugprone-use-after-move): a moved-from vector is empty
  ASSERT_EQ(moved.size(), 7u);
  EXPECT_EQ(&moved[0], first);  // the elements stayed where they were
  EXPECT_EQ(moved[6], std::string(40, 'g'));

  SegmentedVector<std::string, 3> assigned;
  assigned.push_back("replaced, and destroyed once");
  assigned = std::move(moved);
  ASSERT_EQ(assigned.size(), 7u);
  EXPECT_EQ(assigned.back(), std::string(40, 'g'));
  assigned.clear();
  EXPECT_TRUE(assigned.empty());
  assigned.push_back("usable after clear");
  EXPECT_EQ(assigned[0], "usable after clear");
}

}  // namespace
}  // namespace grantledger
