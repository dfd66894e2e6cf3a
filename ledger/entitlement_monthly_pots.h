// Monthly pots with a bonus pot (S2024 vårdplatser, 1 240 000 000 kr): each criterion's money is
// split over the months, each month over the regions by population share; a region earns its
// reservation by improving on the same month last year or by a top-five value; unearned money
// goes to a bonus pot paid in proportion to earned money. Pure functions, exact integers, no I/O.
#ifndef GRANTLEDGER_LEDGER_ENTITLEMENT_MONTHLY_POTS_H_
#define GRANTLEDGER_LEDGER_ENTITLEMENT_MONTHLY_POTS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ledger/entitlement_population_share.h"

namespace grantledger {

// Measured values (e.g. over-occupancies per 100 available beds) are fixed-point integers in
// millionths: 6,4 is 6 400 000. Never floating point.
inline constexpr int64_t kValueScale = 1'000'000;

// "6.4", "0.125", "12": the fixed-point value written back with '.' and no trailing zeros.
std::string FormatMeasuredValue(int64_t value_millionths);

// The measured months: first_month..last_month of `year`, compared with the same months of
// year - 1. February–October 2024 is {2024, 2, 10}.
struct MonthlyPeriod {
  int year = 0;
  int first_month = 1;
  int last_month = 12;
  int MonthCount() const { return last_month - first_month + 1; }
};

// "2024-02".
std::string FormatYearMonth(int year, int month);

// One measured value: a region's value for a criterion in one month.
struct MonthlyObservation {
  std::string region;
  std::string criterion;
  int year = 0;
  int month = 0;
  int64_t value_millionths = 0;
};

struct MonthlyPotsTerms {
  int64_t total_kr = 0;  // all criteria, all months
  MonthlyPeriod period;
  std::vector<std::string> criteria;  // each gets an equal part of total_kr
  int top_count = 5;                  // "topp 5"
  // Earned by improvement when value * 1000 <= last_year_value * improvement_permille:
  // 995 means at least 0.5 % fewer than the same month last year.
  int64_t improvement_permille = 995;
};

enum class EarnedBy {
  kImprovement,  // improved on the same month last year (wins when both hold)
  kTopRank,      // among the top_count lowest values (ties at the last place all count)
  kNotEarned,    // has a value, but neither holds
  kNoValue,      // no value this month: cannot earn
};
// "improvement", "top rank", "not earned", "no value".
absl::string_view EarnedByName(EarnedBy earned_by);

// One region, one criterion, one month.
struct RegionMonthOutcome {
  int64_t reservation_kr = 0;
  EarnedBy earned_by = EarnedBy::kNoValue;
  std::optional<int64_t> value_millionths;
  std::optional<int64_t> last_year_value_millionths;
  bool Earned() const {
    return earned_by == EarnedBy::kImprovement || earned_by == EarnedBy::kTopRank;
  }
};

// One criterion in one month.
struct MonthCriterionResult {
  int month = 0;
  size_t criterion_index = 0;
  int64_t pot_kr = 0;
  int64_t earned_kr = 0;
  int64_t to_bonus_pot_kr = 0;
  int regions_earned = 0;
  int regions_by_top_rank = 0;  // more than top_count when values tie at the last place
  std::optional<int64_t> top_rank_cutoff_millionths;  // the top_count-th lowest value
  std::vector<RegionMonthOutcome> regions;            // in population order
};

struct RegionMonthlyPotsResult {
  std::string name;
  std::vector<int64_t> earned_by_criterion_kr;  // in criteria order
  int64_t earned_kr = 0;
  int64_t bonus_kr = 0;
  int64_t total_kr = 0;
};

struct MonthlyPotsResult {
  MonthlyPotsTerms terms;
  std::vector<int64_t> criterion_pot_kr;         // per criterion, whole period
  std::vector<MonthCriterionResult> months;      // month by month, criteria in order within a month
  std::vector<RegionMonthlyPotsResult> regions;  // in population order
  int64_t earned_kr = 0;
  int64_t bonus_pot_kr = 0;
  bool bonus_paid = false;         // false when nobody earned anything
  int64_t paid_kr = 0;             // earned + bonus paid; equals total_kr when anyone earned
  int64_t unpaid_kr = 0;           // total_kr - paid_kr
  std::vector<std::string> notes;  // the rules applied and what happened (ties, nobody earned)
};

// Computes the model. Observations for year - 1 are the comparison values; for `year` the
// measured ones. Errors (InvalidArgument): no regions, an empty or repeated region, a negative
// or all-zero population, no or repeated criteria, a negative total, a period outside 1..12, an
// observation naming an unknown region or criterion, a year other than year or year - 1, a
// month outside the period, a negative value, or the same region/criterion/month twice.
absl::StatusOr<MonthlyPotsResult> ComputeMonthlyPots(
    const std::vector<WeightedRecipient>& population,
    const std::vector<MonthlyObservation>& observations, const MonthlyPotsTerms& terms);

}  // namespace grantledger

#endif  // GRANTLEDGER_LEDGER_ENTITLEMENT_MONTHLY_POTS_H_
