// SegmentedVector: appends across segment boundaries keep every element where it was.
#include "ledger/segmented_vector.h"

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

}  // namespace
}  // namespace grantledger
