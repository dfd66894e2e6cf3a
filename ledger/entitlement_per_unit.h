// Per unit above baseline, with a cap (RS/211/2025): a rate per unit for each category, paid for
// the units above the average of the reference years, the total capped. Pure functions, exact
// integer and rational arithmetic (absl::int128), no I/O.
#ifndef GRANTLEDGER_LEDGER_ENTITLEMENT_PER_UNIT_H_
#define GRANTLEDGER_LEDGER_ENTITLEMENT_PER_UNIT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace grantledger {

// How units above a fractional baseline are counted.
enum class UnitRule {
  kFloor,  // whole units above the baseline only (the default)
  kExact,  // the fraction too: amount = rate * (actual - baseline), rounded down to whole kronor
};

// "floor" / "exact".
absl::string_view UnitRuleName(UnitRule rule);
// Parses "floor" or "exact"; InvalidArgument otherwise.
absl::StatusOr<UnitRule> ParseUnitRule(absl::string_view text);

// An exact non-negative rational number, always in lowest terms, denominator >= 1.
struct ExactFraction {
  int64_t numerator = 0;
  int64_t denominator = 1;
  bool IsWhole() const { return denominator == 1; }
  // Integer part, rounded down.
  int64_t Floor() const { return numerator / denominator; }
};
// "62", "62 1/3" (whole part, then the proper fraction).
std::string FormatFraction(const ExactFraction& value);

// One category as decided: e.g. hip replacement, 108 000 kr per operation.
struct UnitCategory {
  std::string name;
  int64_t rate_kr = 0;
  int64_t actual_count = 0;               // units in the measured period
  std::vector<int64_t> reference_counts;  // the same period in each reference year
};

struct PerUnitTerms {
  UnitRule unit_rule = UnitRule::kFloor;
  std::optional<int64_t> cap_kr;  // the maximum for the whole grant; none = uncapped
};

struct CategoryEntitlement {
  std::string name;
  int64_t rate_kr = 0;
  int64_t actual_count = 0;
  int64_t reference_years = 0;
  int64_t reference_count_sum = 0;
  ExactFraction baseline_count;   // reference_count_sum / reference_years
  ExactFraction units_paid;       // max(0, actual - baseline), floored under kFloor
  ExactFraction exact_amount_kr;  // rate_kr * units_paid, before rounding
  int64_t amount_kr = 0;          // exact_amount_kr rounded down to whole kronor
};

struct PerUnitEntitlement {
  UnitRule unit_rule = UnitRule::kFloor;
  std::vector<CategoryEntitlement> categories;  // in input order
  int64_t total_before_cap_kr = 0;
  std::optional<int64_t> cap_kr;
  bool cap_reached = false;        // total_before_cap_kr >= cap_kr
  int64_t total_after_cap_kr = 0;  // min(total_before_cap_kr, cap_kr)
  int64_t cut_by_cap_kr = 0;       // total_before_cap_kr - total_after_cap_kr
};

// Computes the entitlement. Errors (InvalidArgument, naming the category): no categories, an
// empty or repeated name, a negative rate or count, no reference years, a negative cap, or an
// amount that does not fit in 64 bits.
absl::StatusOr<PerUnitEntitlement> ComputePerUnitEntitlement(
    const std::vector<UnitCategory>& categories, const PerUnitTerms& terms);

}  // namespace grantledger

#endif  // GRANTLEDGER_LEDGER_ENTITLEMENT_PER_UNIT_H_
