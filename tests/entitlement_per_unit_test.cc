// Tests for the per-unit-above-baseline model with a cap (ledger/entitlement_per_unit.h): the
// Jämtland figures from RS/211/2025 worked by hand (cap reached and not reached), the floor and
// exact unit rules, counts at or below the baseline, and bad input.
#include "ledger/entitlement_per_unit.h"

#include <random>

#include "gtest/gtest.h"

namespace grantledger {
namespace {

constexpr int64_t kJamtlandCapKr = 7'034'468;  // RS/211/2025: "Vid maximal utdelning"

// RS/211/2025 rates: hip replacement 108 000 kr, prolapse 39 000 kr, cataract 19 000 kr.
// The seed gives no counts; these are illustrative counts for June–October, reference years
// 2022, 2023, 2024.
std::vector<UnitCategory> JamtlandCategories(int64_t hips, int64_t prolapse, int64_t cataract) {
  return {
      {"Höftledsprotes", 108'000, hips, {180, 190, 200}},  // baseline 570/3 = 190
      {"Framfall", 39'000, prolapse, {60, 62, 65}},        // baseline 187/3 = 62 1/3
      {"Grå starr", 19'000, cataract, {900, 950, 1001}},   // baseline 2851/3 = 950 1/3
  };
}

PerUnitEntitlement Compute(const std::vector<UnitCategory>& categories, UnitRule rule,
                           std::optional<int64_t> cap_kr) {
  absl::StatusOr<PerUnitEntitlement> out =
      ComputePerUnitEntitlement(categories, PerUnitTerms{rule, cap_kr});
  EXPECT_TRUE(out.ok()) << out.status();
  return out.ok() ? *out : PerUnitEntitlement{};
}

// Cap reached. Actual June–October 2025: 230 hips, 80 prolapse, 1100 cataract.
//   hips:     230 - 190       = 40 units        * 108 000 = 4 320 000 kr
//   prolapse: 80 - 62 1/3     = 17 2/3 -> 17    *  39 000 =   663 000 kr
//   cataract: 1100 - 950 1/3  = 149 2/3 -> 149  *  19 000 = 2 831 000 kr
//   total before cap 7 814 000 kr > 7 034 468 kr: paid 7 034 468 kr, 779 532 kr cut.
TEST(PerUnitTest, JamtlandCapReachedFloor) {
  PerUnitEntitlement e =
      Compute(JamtlandCategories(230, 80, 1100), UnitRule::kFloor, kJamtlandCapKr);
  ASSERT_EQ(e.categories.size(), 3u);
  EXPECT_EQ(e.unit_rule, UnitRule::kFloor);
  EXPECT_EQ(FormatFraction(e.categories[0].baseline_count), "190");
  EXPECT_EQ(FormatFraction(e.categories[1].baseline_count), "62 1/3");
  EXPECT_EQ(FormatFraction(e.categories[2].baseline_count), "950 1/3");
  EXPECT_EQ(FormatFraction(e.categories[0].units_paid), "40");
  EXPECT_EQ(FormatFraction(e.categories[1].units_paid), "17");
  EXPECT_EQ(FormatFraction(e.categories[2].units_paid), "149");
  EXPECT_EQ(e.categories[0].amount_kr, 4'320'000);
  EXPECT_EQ(e.categories[1].amount_kr, 663'000);
  EXPECT_EQ(e.categories[2].amount_kr, 2'831'000);
  EXPECT_EQ(e.total_before_cap_kr, 7'814'000);
  EXPECT_TRUE(e.cap_reached);
  EXPECT_EQ(e.total_after_cap_kr, 7'034'468);
  EXPECT_EQ(e.cut_by_cap_kr, 779'532);
}

// Cap not reached. Actual: 200 hips, 70 prolapse, 1000 cataract.
//   hips:     200 - 190      = 10 units       * 108 000 = 1 080 000 kr
//   prolapse: 70 - 62 1/3    = 7 2/3 -> 7     *  39 000 =   273 000 kr
//   cataract: 1000 - 950 1/3 = 49 2/3 -> 49   *  19 000 =   931 000 kr
//   total 2 284 000 kr < 7 034 468 kr: paid in full.
TEST(PerUnitTest, JamtlandCapNotReachedFloor) {
  PerUnitEntitlement e =
      Compute(JamtlandCategories(200, 70, 1000), UnitRule::kFloor, kJamtlandCapKr);
  EXPECT_EQ(e.categories[0].amount_kr, 1'080'000);
  EXPECT_EQ(e.categories[1].amount_kr, 273'000);
  EXPECT_EQ(e.categories[2].amount_kr, 931'000);
  EXPECT_EQ(e.total_before_cap_kr, 2'284'000);
  EXPECT_FALSE(e.cap_reached);
  EXPECT_EQ(e.total_after_cap_kr, 2'284'000);
  EXPECT_EQ(e.cut_by_cap_kr, 0);
}

// The same counts, exact rule (the fraction of a unit is paid):
//   hips:     10 units                      * 108 000 = 1 080 000 kr
//   prolapse: 7 2/3 = 23/3 units  * 39 000 = 897 000/3 =   299 000 kr (exact)
//   cataract: 49 2/3 = 149/3 units * 19 000 = 2 831 000/3 = 943 666 2/3 -> 943 666 kr
//   total 2 322 666 kr.
TEST(PerUnitTest, JamtlandExactPaysFractionRoundedDownToKronor) {
  PerUnitEntitlement e =
      Compute(JamtlandCategories(200, 70, 1000), UnitRule::kExact, kJamtlandCapKr);
  EXPECT_EQ(e.unit_rule, UnitRule::kExact);
  EXPECT_EQ(FormatFraction(e.categories[1].units_paid), "7 2/3");
  EXPECT_EQ(FormatFraction(e.categories[2].units_paid), "49 2/3");
  EXPECT_EQ(e.categories[1].amount_kr, 299'000);
  EXPECT_TRUE(e.categories[1].exact_amount_kr.IsWhole());
  EXPECT_EQ(FormatFraction(e.categories[2].exact_amount_kr), "943666 2/3");
  EXPECT_EQ(e.categories[2].amount_kr, 943'666);
  EXPECT_EQ(e.total_before_cap_kr, 2'322'666);
  EXPECT_EQ(e.total_after_cap_kr, 2'322'666);
}

// Exact rule with the cap-reached counts: 4 320 000 + 17 2/3 * 39 000 (= 689 000)
// + 149 2/3 * 19 000 (= 8 531 000/3 = 2 843 666 2/3 -> 2 843 666) = 7 852 666 kr -> capped.
TEST(PerUnitTest, JamtlandExactCapReached) {
  PerUnitEntitlement e =
      Compute(JamtlandCategories(230, 80, 1100), UnitRule::kExact, kJamtlandCapKr);
  EXPECT_EQ(e.categories[1].amount_kr, 689'000);
  EXPECT_EQ(e.categories[2].amount_kr, 2'843'666);
  EXPECT_EQ(e.total_before_cap_kr, 7'852'666);
  EXPECT_TRUE(e.cap_reached);
  EXPECT_EQ(e.total_after_cap_kr, kJamtlandCapKr);
}

// A cap between the floor total (2 284 000) and the exact total (2 322 666): the rule decides.
TEST(PerUnitTest, CapBetweenFloorAndExactTotals) {
  const int64_t cap_kr = 2'300'000;
  PerUnitEntitlement floor = Compute(JamtlandCategories(200, 70, 1000), UnitRule::kFloor, cap_kr);
  PerUnitEntitlement exact = Compute(JamtlandCategories(200, 70, 1000), UnitRule::kExact, cap_kr);
  EXPECT_FALSE(floor.cap_reached);
  EXPECT_EQ(floor.total_after_cap_kr, 2'284'000);
  EXPECT_TRUE(exact.cap_reached);
  EXPECT_EQ(exact.total_after_cap_kr, 2'300'000);
  EXPECT_EQ(exact.cut_by_cap_kr, 22'666);
}

TEST(PerUnitTest, AtOrBelowBaselinePaysNothing) {
  // Hips exactly at 190, prolapse below 62 1/3, cataract 950 (below 950 1/3).
  PerUnitEntitlement e = Compute(JamtlandCategories(190, 10, 950), UnitRule::kExact, std::nullopt);
  for (const CategoryEntitlement& c : e.categories) {
    EXPECT_EQ(c.amount_kr, 0) << c.name;
    EXPECT_EQ(FormatFraction(c.units_paid), "0") << c.name;
  }
  EXPECT_EQ(e.total_before_cap_kr, 0);
  EXPECT_FALSE(e.cap_reached);
  // Cataract 951 is 2/3 above 950 1/3: floor pays 0, exact pays 2/3 * 19 000 = 12 666 2/3.
  PerUnitEntitlement f = Compute(JamtlandCategories(0, 0, 951), UnitRule::kFloor, std::nullopt);
  PerUnitEntitlement x = Compute(JamtlandCategories(0, 0, 951), UnitRule::kExact, std::nullopt);
  EXPECT_EQ(f.categories[2].amount_kr, 0);
  EXPECT_EQ(x.categories[2].amount_kr, 12'666);
  EXPECT_EQ(FormatFraction(x.categories[2].units_paid), "2/3");
}

TEST(PerUnitTest, AnyNumberOfReferenceYearsAndNoCap) {
  // Two reference years: 10 and 11, baseline 10 1/2; actual 14: floor 3, exact 3 1/2.
  std::vector<UnitCategory> c = {{"X", 1'001, 14, {10, 11}}};
  EXPECT_EQ(Compute(c, UnitRule::kFloor, std::nullopt).total_after_cap_kr, 3'003);
  EXPECT_EQ(Compute(c, UnitRule::kExact, std::nullopt).total_after_cap_kr, 3'503);  // 3503.5
  // One reference year.
  c = {{"Y", 5, 7, {4}}};
  EXPECT_EQ(Compute(c, UnitRule::kFloor, std::nullopt).total_after_cap_kr, 15);
  // Cap equal to the total: reached, nothing cut.
  PerUnitEntitlement e = Compute(c, UnitRule::kFloor, 15);
  EXPECT_TRUE(e.cap_reached);
  EXPECT_EQ(e.cut_by_cap_kr, 0);
}

// Random cases: floor units are whole, exact units are at least the floor units and less
// than one more; amounts never exceed rate * exact units; the cap is respected.
TEST(PerUnitTest, RandomCasesAreConsistent) {
  std::mt19937_64 rng(211'2025);
  for (int iteration = 0; iteration < 3000; ++iteration) {
    std::vector<UnitCategory> categories;
    const int n = 1 + static_cast<int>(rng() % 4);
    const int years = 1 + static_cast<int>(rng() % 4);
    for (int i = 0; i < n; ++i) {
      UnitCategory c{"c" + std::to_string(i),
                     static_cast<int64_t>(rng() % 200'000),
                     static_cast<int64_t>(rng() % 2000),
                     {}};
      for (int y = 0; y < years; ++y) c.reference_counts.push_back(rng() % 2000);
      categories.push_back(c);
    }
    const int64_t cap_kr = static_cast<int64_t>(rng() % 100'000'000);
    PerUnitEntitlement floor = Compute(categories, UnitRule::kFloor, cap_kr);
    PerUnitEntitlement exact = Compute(categories, UnitRule::kExact, cap_kr);
    ASSERT_EQ(floor.categories.size(), static_cast<size_t>(n));
    int64_t floor_sum = 0, exact_sum = 0;
    for (int i = 0; i < n; ++i) {
      const CategoryEntitlement& f = floor.categories[i];
      const CategoryEntitlement& x = exact.categories[i];
      int64_t sum = 0;
      for (int64_t r : categories[i].reference_counts) sum += r;
      // floor units = max(0, floor(actual - sum/years)) computed the plain way.
      int64_t diff = categories[i].actual_count * years - sum;
      int64_t want_floor_units = diff <= 0 ? 0 : diff / years;
      ASSERT_TRUE(f.units_paid.IsWhole());
      ASSERT_EQ(f.units_paid.numerator, want_floor_units);
      ASSERT_EQ(f.amount_kr, want_floor_units * categories[i].rate_kr);
      int64_t want_exact_kr = diff <= 0 ? 0 : diff * categories[i].rate_kr / years;
      ASSERT_EQ(x.amount_kr, want_exact_kr);
      ASSERT_GE(x.amount_kr, f.amount_kr);
      floor_sum += f.amount_kr;
      exact_sum += x.amount_kr;
    }
    ASSERT_EQ(floor.total_before_cap_kr, floor_sum);
    ASSERT_EQ(exact.total_before_cap_kr, exact_sum);
    ASSERT_EQ(floor.total_after_cap_kr, std::min(floor_sum, cap_kr));
    ASSERT_EQ(exact.total_after_cap_kr, std::min(exact_sum, cap_kr));
  }
}

TEST(PerUnitTest, RejectsBadInput) {
  auto code = [](std::vector<UnitCategory> c, std::optional<int64_t> cap = std::nullopt) {
    return ComputePerUnitEntitlement(c, PerUnitTerms{UnitRule::kFloor, cap}).status();
  };
  EXPECT_EQ(code({}).code(), absl::StatusCode::kInvalidArgument);
  absl::Status negative = code({{"A", 10, 1, {1}}, {"B", 10, -1, {1}}});
  EXPECT_EQ(negative.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(negative.message().find("category 2 (\"B\")"), std::string::npos) << negative;
  EXPECT_NE(negative.message().find("actual count"), std::string::npos) << negative;
  EXPECT_EQ(code({{"A", -10, 1, {1}}}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(code({{"A", 10, 1, {1, -1}}}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(code({{"A", 10, 1, {}}}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(code({{"A", 10, 1, {1}}, {"A", 10, 1, {1}}}).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(code({{"A", 10, 1, {1}}}, -5).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(code({{"A", INT64_MAX, INT64_MAX, {0}}}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(ParseUnitRule("round").ok());
  EXPECT_EQ(*ParseUnitRule("exact"), UnitRule::kExact);
}

}  // namespace
}  // namespace grantledger
