// Tests for the monthly pots with a bonus pot (ledger/entitlement_monthly_pots.h): a small
// example worked by hand, the S2024 pots split over nine months, ties at fifth place, missing
// values, a month and a year in which nobody earns, bad input, and random cases.
#include "ledger/entitlement_monthly_pots.h"

#include <random>

#include "gtest/gtest.h"

namespace grantledger {
namespace {

MonthlyObservation Obs(std::string region, std::string criterion, int year, int month,
                       int64_t value_thousandths) {
  return {region, criterion, year, month, value_thousandths * (kValueScale / 1000)};
}

MonthlyPotsResult Compute(const std::vector<WeightedRecipient>& population,
                          const std::vector<MonthlyObservation>& observations,
                          const MonthlyPotsTerms& terms) {
  absl::StatusOr<MonthlyPotsResult> out = ComputeMonthlyPots(population, observations, terms);
  EXPECT_TRUE(out.ok()) << out.status();
  return out.ok() ? *out : MonthlyPotsResult{};
}

bool NotesContain(const MonthlyPotsResult& r, const std::string& text) {
  for (const std::string& note : r.notes) {
    if (note.find(text) != std::string::npos) return true;
  }
  return false;
}

// Worked by hand. Total 1 200 kr, criteria "over" and "out" (600 kr each), February–April 2024
// (200 kr per criterion and month), top 1. Regions A (1), B (1), C (2): reservations 50, 50, 100.
//
// over Feb: A 5 (2023: 9) improves; B 6 (2023: 6) neither (6 > 5.97, and not lowest);
//           C 7.000 (2023: 7.100) improves (7 000 <= 7.1 * 995 = 7 064.5). Earned A 50, C 100;
//           bonus 50.
// over Mar: no 2023 values: only the lowest earns: B (3). Earned B 50; bonus 150.
// over Apr: no values at all: nobody earns; bonus 200.
// out  Feb: A 1.000 (2023 1.005): 1 000 000 > 1 005 * 995 = 999 975: no improvement;
//           B 0.995 (2023 1.000): 995 * 1000 <= 1 000 * 995: exactly 0.5 % better: improves;
//           C 2 (2023 0): a zero last year cannot be improved on; not lowest. Earned B 50; bonus
//           150.
// out  Mar: A 1, B 1, C 2: A and B tie at first place: both count. Earned 100; bonus 100.
// out  Apr: A 3 (2023 4) improves; B no value; C 1 lowest. Earned A 50, C 100; bonus 50.
// Earned: A 150, B 150, C 200 = 500. Bonus pot 1 200 - 500 = 700 = 50+150+200+150+100+50.
// Bonus by 150:150:200: A 210, B 210, C 280. Totals A 360, B 360, C 480 = 1 200.
TEST(MonthlyPotsTest, SmallExampleWorkedByHand) {
  const std::vector<WeightedRecipient> population = {{"A", 1}, {"B", 1}, {"C", 2}};
  const std::vector<MonthlyObservation> obs = {
      Obs("A", "over", 2024, 2, 5000), Obs("B", "over", 2024, 2, 6000),
      Obs("C", "over", 2024, 2, 7000), Obs("A", "over", 2023, 2, 9000),
      Obs("B", "over", 2023, 2, 6000), Obs("C", "over", 2023, 2, 7100),
      Obs("A", "over", 2024, 3, 4000), Obs("B", "over", 2024, 3, 3000),
      Obs("C", "over", 2024, 3, 8000), Obs("A", "out", 2024, 2, 1000),
      Obs("B", "out", 2024, 2, 995),   Obs("C", "out", 2024, 2, 2000),
      Obs("A", "out", 2023, 2, 1005),  Obs("B", "out", 2023, 2, 1000),
      Obs("C", "out", 2023, 2, 0),     Obs("A", "out", 2024, 3, 1000),
      Obs("B", "out", 2024, 3, 1000),  Obs("C", "out", 2024, 3, 2000),
      Obs("A", "out", 2024, 4, 3000),  Obs("C", "out", 2024, 4, 1000),
      Obs("A", "out", 2023, 4, 4000),
  };
  MonthlyPotsTerms terms;
  terms.total_kr = 1200;
  terms.period = {2024, 2, 4};
  terms.criteria = {"over", "out"};
  terms.top_count = 1;
  MonthlyPotsResult r = Compute(population, obs, terms);

  EXPECT_EQ(r.criterion_pot_kr, (std::vector<int64_t>{600, 600}));
  ASSERT_EQ(r.months.size(), 6u);  // Feb over, Feb out, Mar over, Mar out, Apr over, Apr out
  const std::vector<int64_t> want_earned = {150, 50, 50, 100, 0, 150};
  const std::vector<int64_t> want_bonus = {50, 150, 150, 100, 200, 50};
  for (size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(r.months[i].pot_kr, 200) << i;
    EXPECT_EQ(r.months[i].earned_kr, want_earned[i]) << i;
    EXPECT_EQ(r.months[i].to_bonus_pot_kr, want_bonus[i]) << i;
  }
  EXPECT_EQ(r.months[0].regions[0].earned_by, EarnedBy::kImprovement);  // A: also lowest
  EXPECT_EQ(r.months[0].regions[1].earned_by, EarnedBy::kNotEarned);
  EXPECT_EQ(r.months[1].regions[0].earned_by, EarnedBy::kNotEarned);    // 1.000 vs 1.005
  EXPECT_EQ(r.months[1].regions[1].earned_by, EarnedBy::kImprovement);  // exactly 0.5 %
  EXPECT_EQ(r.months[1].regions[2].earned_by, EarnedBy::kNotEarned);    // last year 0
  EXPECT_EQ(r.months[2].regions[1].earned_by, EarnedBy::kTopRank);
  EXPECT_EQ(r.months[3].regions[0].earned_by, EarnedBy::kTopRank);  // tie at first
  EXPECT_EQ(r.months[3].regions[1].earned_by, EarnedBy::kTopRank);
  EXPECT_EQ(r.months[3].regions_by_top_rank, 2);
  EXPECT_EQ(r.months[5].regions[1].earned_by, EarnedBy::kNoValue);
  EXPECT_EQ(r.months[4].regions_earned, 0);

  ASSERT_EQ(r.regions.size(), 3u);
  EXPECT_EQ(r.regions[0].earned_by_criterion_kr, (std::vector<int64_t>{50, 100}));
  EXPECT_EQ(r.regions[1].earned_by_criterion_kr, (std::vector<int64_t>{50, 100}));
  EXPECT_EQ(r.regions[2].earned_by_criterion_kr, (std::vector<int64_t>{100, 100}));
  EXPECT_EQ(r.earned_kr, 500);
  EXPECT_EQ(r.bonus_pot_kr, 700);
  EXPECT_TRUE(r.bonus_paid);
  EXPECT_EQ(r.regions[0].bonus_kr, 210);
  EXPECT_EQ(r.regions[1].bonus_kr, 210);
  EXPECT_EQ(r.regions[2].bonus_kr, 280);
  EXPECT_EQ(r.regions[0].total_kr, 360);
  EXPECT_EQ(r.regions[2].total_kr, 480);
  EXPECT_EQ(r.paid_kr, 1200);
  EXPECT_EQ(r.unpaid_kr, 0);
  EXPECT_TRUE(NotesContain(r, "2024-04 over: nobody earned; the whole 200 kr goes to the bonus"));
  EXPECT_TRUE(NotesContain(r, "2024-04 out: 1 region(s) have no value"));
  EXPECT_TRUE(NotesContain(r, "2024-03 out: 2 regions are in the top 1"));
}

const std::vector<WeightedRecipient>& Regions21() {
  static const std::vector<WeightedRecipient> regions = {
      {"Stockholm", 2455914},   {"Uppsala", 404714},      {"Södermanland", 302310},
      {"Östergötland", 472660}, {"Jönköping", 369201},    {"Kronoberg", 204028},
      {"Kalmar", 247063},       {"Gotland", 61093},       {"Blekinge", 158226},
      {"Skåne", 1422288},       {"Halland", 343989},      {"Västra Götaland", 1767641},
      {"Värmland", 283661},     {"Örebro", 308413},       {"Västmanland", 280965},
      {"Dalarna", 287451},      {"Gävleborg", 286085},    {"Västernorrland", 242343},
      {"Jämtland", 132466},     {"Västerbotten", 278518}, {"Norrbotten", 248653},
  };
  return regions;
}

MonthlyPotsTerms SeedTerms() {
  MonthlyPotsTerms terms;
  terms.total_kr = 1'240'000'000;
  terms.period = {2024, 2, 10};
  terms.criteria = {"overbelaggningar", "utlokaliseringar"};
  return terms;
}

// 620 000 000 / 9 = 68 888 888 8/9: eight kronor left, one each to February..September.
TEST(MonthlyPotsTest, SeedPotsSplitOverNineMonths) {
  std::vector<MonthlyObservation> obs;
  for (const WeightedRecipient& r : Regions21()) {
    for (int month = 2; month <= 10; ++month) {
      obs.push_back(Obs(r.name, "overbelaggningar", 2024, month, 1000));
      obs.push_back(Obs(r.name, "overbelaggningar", 2023, month, 2000));  // all improve
      obs.push_back(Obs(r.name, "utlokaliseringar", 2024, month, 1000));
      obs.push_back(Obs(r.name, "utlokaliseringar", 2023, month, 2000));
    }
  }
  MonthlyPotsResult r = Compute(Regions21(), obs, SeedTerms());
  EXPECT_EQ(r.criterion_pot_kr, (std::vector<int64_t>{620'000'000, 620'000'000}));
  ASSERT_EQ(r.months.size(), 18u);
  for (const MonthCriterionResult& m : r.months) {
    EXPECT_EQ(m.pot_kr, m.month <= 9 ? 68'888'889 : 68'888'888) << m.month;
    EXPECT_EQ(m.earned_kr, m.pot_kr);
    EXPECT_EQ(m.regions_earned, 21);
  }
  // Everybody earned everything: no bonus; Jämtland's February reservation is its population
  // share of 68 888 889 kr: 68 888 889 * 132 466 / 10 557 682 = 864 340.825..; nine kronor
  // are left over and .825 is among the nine largest remainders (checked with exact fractions
  // in Python): 864 341.
  EXPECT_EQ(r.months[0].regions[18].reservation_kr, 864'341);
  EXPECT_EQ(r.bonus_pot_kr, 0);
  EXPECT_EQ(r.paid_kr, 1'240'000'000);
  int64_t sum_kr = 0;
  for (const RegionMonthlyPotsResult& region : r.regions) sum_kr += region.total_kr;
  EXPECT_EQ(sum_kr, 1'240'000'000);
}

// Seven regions, one criterion, top 5, no 2023 values: values 1, 2, 3, 4, 5, 5, 6. The fifth
// lowest value is 5 and two regions have it: both count, so six regions earn.
TEST(MonthlyPotsTest, TieAtFifthPlaceAllTiedRegionsCount) {
  const std::vector<WeightedRecipient> population = {{"R1", 1}, {"R2", 1}, {"R3", 1}, {"R4", 1},
                                                     {"R5", 1}, {"R6", 1}, {"R7", 1}};
  const std::vector<int64_t> values = {1000, 2000, 3000, 4000, 5000, 5000, 6000};
  std::vector<MonthlyObservation> obs;
  for (size_t i = 0; i < population.size(); ++i) {
    obs.push_back(Obs(population[i].name, "x", 2024, 1, values[i]));
  }
  MonthlyPotsTerms terms;
  terms.total_kr = 700;
  terms.period = {2024, 1, 1};
  terms.criteria = {"x"};
  MonthlyPotsResult r = Compute(population, obs, terms);
  ASSERT_EQ(r.months.size(), 1u);
  EXPECT_EQ(r.months[0].regions_earned, 6);
  EXPECT_EQ(r.months[0].regions_by_top_rank, 6);
  EXPECT_EQ(*r.months[0].top_rank_cutoff_millionths, 5 * kValueScale);
  EXPECT_EQ(r.months[0].regions[5].earned_by, EarnedBy::kTopRank);
  EXPECT_EQ(r.months[0].regions[6].earned_by, EarnedBy::kNotEarned);
  // Each earns 100; R7's 100 goes to the bonus pot, split 6 ways: 16 2/3 each: the four kronor
  // left go to the earliest rows (equal earned amounts): R1..R4 get 17, R5 and R6 get 16.
  EXPECT_EQ(r.bonus_pot_kr, 100);
  const std::vector<int64_t> want_total = {117, 117, 117, 117, 116, 116, 0};
  for (size_t i = 0; i < 7; ++i) EXPECT_EQ(r.regions[i].total_kr, want_total[i]) << i;
  EXPECT_TRUE(NotesContain(r, "6 regions are in the top 5 because values tie at place 5 (5)"));

  // With fewer than five values, all regions with a value are in the top five.
  obs.resize(3);
  MonthlyPotsResult few = Compute(population, obs, terms);
  EXPECT_EQ(few.months[0].regions_earned, 3);
  EXPECT_EQ(few.months[0].regions[3].earned_by, EarnedBy::kNoValue);
}

// A region with no previous-year value can earn only by top rank; with one it can improve even
// when far from the top.
TEST(MonthlyPotsTest, NoPreviousYearValue) {
  std::vector<WeightedRecipient> population;
  std::vector<MonthlyObservation> obs;
  for (int i = 0; i < 6; ++i) {
    population.push_back({"R" + std::to_string(i + 1), 1});
    obs.push_back(Obs("R" + std::to_string(i + 1), "x", 2024, 3, 1000 * (i + 1)));
  }
  obs.push_back(Obs("R6", "x", 2023, 3, 100'000));  // R6: 6 vs 100: improves
  MonthlyPotsTerms terms;
  terms.total_kr = 600;
  terms.period = {2024, 3, 3};
  terms.criteria = {"x"};
  MonthlyPotsResult r = Compute(population, obs, terms);
  EXPECT_EQ(r.months[0].regions[4].earned_by, EarnedBy::kTopRank);
  EXPECT_EQ(r.months[0].regions[5].earned_by, EarnedBy::kImprovement);
  EXPECT_EQ(r.months[0].regions_earned, 6);
  EXPECT_EQ(r.bonus_pot_kr, 0);
  obs.pop_back();  // without it, R6 earns nothing
  MonthlyPotsResult r2 = Compute(population, obs, terms);
  EXPECT_EQ(r2.months[0].regions[5].earned_by, EarnedBy::kNotEarned);
  EXPECT_EQ(r2.regions[5].total_kr, 0);
  EXPECT_EQ(r2.regions[0].total_kr, 120);  // 100 + 100/5
}

// No current-year values at all: nobody earns in any month, nothing is paid, the notes say so.
TEST(MonthlyPotsTest, YearInWhichNobodyEarnsPaysNothing) {
  std::vector<MonthlyObservation> obs = {Obs("Jämtland", "overbelaggningar", 2023, 2, 6400)};
  MonthlyPotsResult r = Compute(Regions21(), obs, SeedTerms());
  EXPECT_EQ(r.earned_kr, 0);
  EXPECT_FALSE(r.bonus_paid);
  EXPECT_EQ(r.bonus_pot_kr, 1'240'000'000);
  EXPECT_EQ(r.paid_kr, 0);
  EXPECT_EQ(r.unpaid_kr, 1'240'000'000);
  for (const RegionMonthlyPotsResult& region : r.regions) EXPECT_EQ(region.total_kr, 0);
  EXPECT_TRUE(NotesContain(
      r, "Nobody earned anything in the period: nothing is paid; 1 240 000 000 kr remain unpaid."));
}

TEST(MonthlyPotsTest, RejectsBadInput) {
  const std::vector<WeightedRecipient> population = {{"A", 1}, {"B", 2}};
  MonthlyPotsTerms terms;
  terms.total_kr = 100;
  terms.period = {2024, 2, 10};
  terms.criteria = {"x"};
  auto status = [&](std::vector<MonthlyObservation> obs,
                    const std::vector<WeightedRecipient>& pop = {{"A", 1}, {"B", 2}}) {
    return ComputeMonthlyPots(pop, obs, terms).status();
  };
  absl::Status outside = status({Obs("A", "x", 2024, 2, 1), Obs("A", "x", 2024, 11, 1)});
  EXPECT_EQ(outside.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(outside.message().find("observation 2 (A, x, 2024-11)"), std::string::npos) << outside;
  EXPECT_NE(outside.message().find("month is outside the period"), std::string::npos);
  EXPECT_FALSE(status({Obs("C", "x", 2024, 2, 1)}).ok());   // unknown region
  EXPECT_FALSE(status({Obs("A", "y", 2024, 2, 1)}).ok());   // unknown criterion
  EXPECT_FALSE(status({Obs("A", "x", 2022, 2, 1)}).ok());   // year
  EXPECT_FALSE(status({Obs("A", "x", 2024, 2, -1)}).ok());  // negative value
  EXPECT_FALSE(status({Obs("A", "x", 2024, 2, 1), Obs("A", "x", 2024, 2, 2)}).ok());  // twice
  EXPECT_FALSE(status({}, {{"A", 1}, {"A", 2}}).ok());   // duplicate region
  EXPECT_FALSE(status({}, {{"A", -1}, {"B", 2}}).ok());  // negative population
  EXPECT_FALSE(status({}, {{"A", 0}, {"B", 0}}).ok());   // all zero
  EXPECT_FALSE(status({}, {}).ok());                     // no regions
  terms.period = {2024, 10, 2};
  EXPECT_FALSE(status({}).ok());
  terms.period = {2024, 2, 10};
  terms.criteria = {"x", "x"};
  EXPECT_FALSE(status({}).ok());
  terms.criteria = {};
  EXPECT_FALSE(status({}).ok());
  terms.criteria = {"x"};
  terms.total_kr = -1;
  EXPECT_FALSE(status({}).ok());
  (void)population;
}

// Random cases: every month's pot is earned or goes to the bonus pot; the pots sum to the
// total; everything is paid when anyone earned, nothing otherwise; nobody gets a bonus without
// earning; a region's earned money is exactly its earned reservations.
TEST(MonthlyPotsTest, RandomCasesBalanceExactly) {
  std::mt19937_64 rng(1'240'000'000);
  for (int iteration = 0; iteration < 1500; ++iteration) {
    const int region_count = 1 + static_cast<int>(rng() % 12);
    std::vector<WeightedRecipient> population;
    for (int i = 0; i < region_count; ++i) {
      int64_t w = static_cast<int64_t>(rng() % 3 == 0 ? rng() % 3 : rng() % 1'000'000'001);
      population.push_back({"R" + std::to_string(i), w});
    }
    population[rng() % region_count].weight += 1;  // never all zero
    MonthlyPotsTerms terms;
    terms.total_kr = iteration % 3 == 0 ? static_cast<int64_t>(rng() % 1000)
                                        : static_cast<int64_t>(rng() % 1'000'000'000'000);
    const int first = 1 + static_cast<int>(rng() % 12);
    const int last = first + static_cast<int>(rng() % (13 - first));
    terms.period = {2024, first, last};
    terms.criteria = {"a", "b", "c"};
    terms.criteria.resize(1 + rng() % 3);
    terms.top_count = 1 + static_cast<int>(rng() % 6);
    std::vector<MonthlyObservation> obs;
    const int density = static_cast<int>(rng() % 4);  // 0: no values at all
    for (const WeightedRecipient& r : population) {
      for (const std::string& c : terms.criteria) {
        for (int month = first; month <= last; ++month) {
          for (int year : {2023, 2024}) {
            if (static_cast<int>(rng() % 4) < density) {
              obs.push_back(Obs(r.name, c, year, month, static_cast<int64_t>(rng() % 8) * 250));
            }
          }
        }
      }
    }
    MonthlyPotsResult r = Compute(population, obs, terms);
    int64_t pots_kr = 0, earned_kr = 0, bonus_kr = 0;
    std::vector<int64_t> region_earned(region_count, 0);
    for (const MonthCriterionResult& m : r.months) {
      pots_kr += m.pot_kr;
      ASSERT_EQ(m.earned_kr + m.to_bonus_pot_kr, m.pot_kr);
      int64_t reservations_kr = 0;
      for (int i = 0; i < region_count; ++i) {
        reservations_kr += m.regions[i].reservation_kr;
        if (m.regions[i].Earned()) region_earned[i] += m.regions[i].reservation_kr;
      }
      ASSERT_EQ(reservations_kr, m.pot_kr);
      earned_kr += m.earned_kr;
      bonus_kr += m.to_bonus_pot_kr;
    }
    ASSERT_EQ(pots_kr, terms.total_kr) << iteration;
    ASSERT_EQ(r.earned_kr, earned_kr);
    ASSERT_EQ(r.bonus_pot_kr, bonus_kr);
    int64_t paid_kr = 0;
    for (int i = 0; i < region_count; ++i) {
      ASSERT_EQ(r.regions[i].earned_kr, region_earned[i]);
      if (region_earned[i] == 0) {
        ASSERT_EQ(r.regions[i].bonus_kr, 0);
      }
      ASSERT_EQ(r.regions[i].total_kr, r.regions[i].earned_kr + r.regions[i].bonus_kr);
      paid_kr += r.regions[i].total_kr;
    }
    ASSERT_EQ(paid_kr, r.paid_kr);
    ASSERT_EQ(r.paid_kr, earned_kr > 0 ? terms.total_kr : 0) << iteration;
    ASSERT_EQ(r.paid_kr + r.unpaid_kr, terms.total_kr);
  }
}

}  // namespace
}  // namespace grantledger
