// Tests for the largest-remainder population share (ledger/entitlement_population_share.h):
// the S2024 bilaga 2 split, tie rules, zero weights, bad input, and thousands of random cases
// checked against the defining properties of the largest-remainder method.
#include "ledger/entitlement_population_share.h"

#include <random>
#include <vector>

#include "absl/numeric/int128.h"
#include "gtest/gtest.h"

namespace grantledger {
namespace {

std::vector<int64_t> Split(int64_t pot_kr, std::vector<int64_t> weights) {
  absl::StatusOr<std::vector<int64_t>> out = SplitByLargestRemainder(pot_kr, weights);
  EXPECT_TRUE(out.ok()) << out.status();
  return out.ok() ? *out : std::vector<int64_t>{};
}

// S2024 vårdplatser, bilaga 2: 750 000 000 kr over the 21 regions by population on
// 1 November 2023 (total 10 557 682). Expected amounts were computed independently with exact
// rational arithmetic (Python fractions): the integer parts sum to 749 999 990, and the ten
// kronor left go to the ten largest remainders: Gävleborg (.984), Uppsala (.933), Halland (.907),
// Västmanland (.782), Västernorrland (.759), Södermanland (.738), Östergötland (.673),
// Kalmar (.633), Örebro (.609), Norrbotten (.563). Kronoberg (.500) is the eleventh: none.
TEST(PopulationShareTest, Bilaga2VardplatserSplitsExactly) {
  const std::vector<WeightedRecipient> regions = {
      {"Stockholm", 2455914},   {"Uppsala", 404714},      {"Södermanland", 302310},
      {"Östergötland", 472660}, {"Jönköping", 369201},    {"Kronoberg", 204028},
      {"Kalmar", 247063},       {"Gotland", 61093},       {"Blekinge", 158226},
      {"Skåne", 1422288},       {"Halland", 343989},      {"Västra Götaland", 1767641},
      {"Värmland", 283661},     {"Örebro", 308413},       {"Västmanland", 280965},
      {"Dalarna", 287451},      {"Gävleborg", 286085},    {"Västernorrland", 242343},
      {"Jämtland", 132466},     {"Västerbotten", 278518}, {"Norrbotten", 248653},
  };
  const std::vector<int64_t> expected_kr = {
      174464006, 28750203, 21475595,  33576973, 26227419,  14493806, 17550941,
      4339944,   11240109, 101036951, 24436401, 125570248, 20150801, 21909142,
      19959282,  20420036, 20322998,  17215640, 9410162,   19785451, 17663892,
  };
  absl::StatusOr<std::vector<RecipientShare>> shares = ComputePopulationShares(750000000, regions);
  ASSERT_TRUE(shares.ok()) << shares.status();
  ASSERT_EQ(shares->size(), regions.size());
  int64_t sum_kr = 0;
  for (size_t i = 0; i < regions.size(); ++i) {
    EXPECT_EQ((*shares)[i].name, regions[i].name);
    EXPECT_EQ((*shares)[i].amount_kr, expected_kr[i]) << regions[i].name;
    sum_kr += (*shares)[i].amount_kr;
  }
  EXPECT_EQ(sum_kr, 750000000);
  EXPECT_FALSE((*shares)[5].got_remainder_krona);   // Kronoberg: .500, eleventh
  EXPECT_TRUE((*shares)[20].got_remainder_krona);   // Norrbotten: .563, tenth
  EXPECT_FALSE((*shares)[18].got_remainder_krona);  // Jämtland: .19
}

TEST(PopulationShareTest, EqualWeightsTieGoesToEarlierRow) {
  // 10 / 3 = 3 1/3 each; one krona left; all remainders and weights equal: the first row.
  EXPECT_EQ(Split(10, {1, 1, 1}), (std::vector<int64_t>{4, 3, 3}));
  // 11 / 3: two kronor left: the first two rows.
  EXPECT_EQ(Split(11, {7, 7, 7}), (std::vector<int64_t>{4, 4, 3}));
}

TEST(PopulationShareTest, EqualRemaindersTieGoesToLargerWeight) {
  // Pot 5, weights 1, 3 (total 4): exact 1.25 and 3.75: remainders differ, 3.75 wins.
  EXPECT_EQ(Split(5, {1, 3}), (std::vector<int64_t>{1, 4}));
  // Pot 3, weights 1, 1, 2 (total 4): exact .75, .75, 1.5. Remainders .75, .75, .5.
  EXPECT_EQ(Split(3, {1, 1, 2}), (std::vector<int64_t>{1, 1, 1}));
  // Pot 2, weights 1, 3, 1, 3 (total 8): exact .25, .75, .25, .75: both .75 win.
  EXPECT_EQ(Split(2, {1, 3, 1, 3}), (std::vector<int64_t>{0, 1, 0, 1}));
  // Equal remainders with different weights: pot 3, weights 1, 5 (total 6): exact .5 and 2.5: equal
  // remainders .5; the larger weight (second row) gets the krona although it comes later.
  EXPECT_EQ(Split(3, {1, 5}), (std::vector<int64_t>{0, 3}));
  // Same with the larger weight first: it still wins.
  EXPECT_EQ(Split(3, {5, 1}), (std::vector<int64_t>{3, 0}));
}

TEST(PopulationShareTest, ZeroWeightGetsNothingAndOneRecipientGetsAll) {
  EXPECT_EQ(Split(10, {0, 1, 1, 0, 1}), (std::vector<int64_t>{0, 4, 3, 0, 3}));
  EXPECT_EQ(Split(750000000, {132466}), (std::vector<int64_t>{750000000}));
  EXPECT_EQ(Split(0, {1, 2}), (std::vector<int64_t>{0, 0}));
}

TEST(PopulationShareTest, HugePotAndWeightsDoNotOverflow) {
  const int64_t pot_kr = 1'000'000'000'000;  // 10^12 kr
  // 10^12 * 10^9 = 10^21 does not fit in int64; the split must still be exact.
  std::vector<int64_t> out = Split(pot_kr, {1'000'000'000, 999'999'999, 1});
  ASSERT_EQ(out.size(), 3u);
  // Total 2 000 000 000: exact shares 500 000 000 000, 499 999 999 500, 500.
  EXPECT_EQ(out[0], 500'000'000'000);
  EXPECT_EQ(out[1], 499'999'999'500);
  EXPECT_EQ(out[2], 500);
  // Close to the int64 limit.
  const int64_t big = INT64_MAX / 2;
  std::vector<int64_t> out2 = Split(INT64_MAX, {big, big, 1});
  EXPECT_EQ(out2[0] + out2[1] + out2[2], INT64_MAX);
}

TEST(PopulationShareTest, RejectsBadInput) {
  EXPECT_EQ(SplitByLargestRemainder(10, {}).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(SplitByLargestRemainder(10, {0, 0}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(SplitByLargestRemainder(-1, {1}).status().code(), absl::StatusCode::kInvalidArgument);
  absl::Status negative = ComputePopulationShares(10, {{"A", 1}, {"B", -4}}).status();
  EXPECT_EQ(negative.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(negative.message().find("recipient 2 (\"B\")"), std::string::npos) << negative;
  EXPECT_NE(negative.message().find("weight"), std::string::npos) << negative;
}

// Thousands of generated cases, checked against what the largest-remainder method means:
// every share is the floor of the exact share or one more; the shares sum to the pot; a zero
// weight gets 0; every recipient given the extra krona has a remainder at least as large as
// every recipient not given one, and on equal remainders the larger weight, then the earlier
// row, wins; a larger weight never gets less.
TEST(PopulationShareTest, RandomCasesSatisfyLargestRemainder) {
  std::mt19937_64 rng(20240201);
  for (int iteration = 0; iteration < 5000; ++iteration) {
    const int n = 1 + static_cast<int>(rng() % 25);
    int64_t pot_kr;
    switch (iteration % 4) {
      case 0:
        pot_kr = static_cast<int64_t>(rng() % 100);
        break;
      case 1:
        pot_kr = static_cast<int64_t>(rng() % 1'000'000'000'000) + 1;
        break;
      case 2:
        pot_kr = 1'000'000'000'000;
        break;
      default:
        pot_kr = static_cast<int64_t>(rng() % 2'000'000'000);
        break;
    }
    std::vector<int64_t> weights(n);
    const int style = static_cast<int>(rng() % 4);
    for (int i = 0; i < n; ++i) {
      if (style == 0) {
        weights[i] = 1000;  // all equal
      } else if (style == 1) {
        weights[i] = static_cast<int64_t>(rng() % 4);  // small, many ties and zeros
      } else {
        weights[i] = static_cast<int64_t>(rng() % 1'000'000'001);  // up to 10^9
      }
      if (rng() % 10 == 0) weights[i] = 0;
    }
    bool any_positive = false;
    for (int64_t w : weights) any_positive |= w > 0;
    if (!any_positive) weights[rng() % n] = 1 + static_cast<int64_t>(rng() % 1000);

    absl::StatusOr<std::vector<int64_t>> out = SplitByLargestRemainder(pot_kr, weights);
    ASSERT_TRUE(out.ok()) << out.status();
    absl::int128 total = 0;
    for (int64_t w : weights) total += w;
    int64_t sum_kr = 0;
    std::vector<absl::int128> rem(n);
    std::vector<bool> extra(n);
    for (int i = 0; i < n; ++i) {
      const absl::int128 product = absl::int128(pot_kr) * weights[i];
      const int64_t floor_kr = static_cast<int64_t>(product / total);
      rem[i] = product % total;
      const int64_t got = (*out)[i];
      ASSERT_TRUE(got == floor_kr || got == floor_kr + 1) << "iteration " << iteration;
      extra[i] = got == floor_kr + 1;
      if (weights[i] == 0) {
        ASSERT_EQ(got, 0);
      }
      sum_kr += got;
    }
    ASSERT_EQ(sum_kr, pot_kr) << "iteration " << iteration;
    for (int a = 0; a < n; ++a) {
      for (int b = 0; b < n; ++b) {
        if (!extra[a] || extra[b]) continue;
        // a got the krona, b did not: a must rank first.
        const bool a_first = rem[a] != rem[b]           ? rem[a] > rem[b]
                             : weights[a] != weights[b] ? weights[a] > weights[b]
                                                        : a < b;
        ASSERT_TRUE(a_first) << "iteration " << iteration << " a=" << a << " b=" << b;
      }
      for (int b = 0; b < n; ++b) {
        if (weights[a] > weights[b]) {
          ASSERT_GE((*out)[a], (*out)[b]);
        }
      }
    }
  }
}

}  // namespace
}  // namespace grantledger
