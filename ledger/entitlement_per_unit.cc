// Per unit above baseline, with a cap; see entitlement_per_unit.h.
#include "ledger/entitlement_per_unit.h"

#include <limits>
#include <numeric>
#include <set>

#include "absl/numeric/int128.h"
#include "absl/strings/str_cat.h"
#include "ledger/money.h"

namespace grantledger {
namespace {

constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();

// Reduces numerator/denominator (both in 128 bits, numerator >= 0, denominator > 0) to lowest
// terms; fails when the result does not fit in 64 bits.
std::optional<ExactFraction> Reduce(absl::int128 numerator, absl::int128 denominator) {
  absl::int128 a = numerator, b = denominator;
  while (b != 0) {
    absl::int128 t = a % b;
    a = b;
    b = t;
  }
  const absl::int128 g = a == 0 ? absl::int128(1) : a;
  numerator /= g;
  denominator /= g;
  if (numerator > kInt64Max || denominator > kInt64Max) return std::nullopt;
  return ExactFraction{static_cast<int64_t>(numerator), static_cast<int64_t>(denominator)};
}

absl::Status CategoryError(size_t index, const UnitCategory& category, const std::string& what) {
  return absl::InvalidArgumentError(
      absl::StrCat("category ", index + 1, " (\"", category.name, "\"): ", what));
}

}  // namespace

absl::string_view UnitRuleName(UnitRule rule) {
  return rule == UnitRule::kExact ? "exact" : "floor";
}

absl::StatusOr<UnitRule> ParseUnitRule(absl::string_view text) {
  if (text == "floor") return UnitRule::kFloor;
  if (text == "exact") return UnitRule::kExact;
  return absl::InvalidArgumentError(
      absl::StrCat("unit rule \"", std::string(text), "\" is unknown: write floor or exact"));
}

std::string FormatFraction(const ExactFraction& value) {
  const int64_t whole = value.numerator / value.denominator;
  const int64_t rest = value.numerator % value.denominator;
  if (rest == 0) return absl::StrCat(whole);
  if (whole == 0) return absl::StrCat(rest, "/", value.denominator);
  return absl::StrCat(whole, " ", rest, "/", value.denominator);
}

absl::StatusOr<PerUnitEntitlement> ComputePerUnitEntitlement(
    const std::vector<UnitCategory>& categories, const PerUnitTerms& terms) {
  if (categories.empty()) {
    return absl::InvalidArgumentError("no categories: give at least one category with a rate");
  }
  if (terms.cap_kr.has_value() && *terms.cap_kr < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("cap is ", *terms.cap_kr, " kr: write zero or more whole kronor"));
  }
  PerUnitEntitlement out;
  out.unit_rule = terms.unit_rule;
  out.cap_kr = terms.cap_kr;
  std::set<std::string> seen;
  for (size_t i = 0; i < categories.size(); ++i) {
    const UnitCategory& c = categories[i];
    if (c.name.empty()) return CategoryError(i, c, "name is empty: write the category's name");
    if (!seen.insert(c.name).second) {
      return CategoryError(i, c, "name appears twice: give each category once");
    }
    if (c.rate_kr < 0) {
      return CategoryError(i, c, absl::StrCat("rate is ", c.rate_kr, " kr: write zero or more"));
    }
    if (c.actual_count < 0) {
      return CategoryError(
          i, c, absl::StrCat("actual count is ", c.actual_count, ": write zero or more"));
    }
    if (c.reference_counts.empty()) {
      return CategoryError(i, c, "no reference-year counts: give at least one reference year");
    }
    absl::int128 reference_sum = 0;
    for (size_t y = 0; y < c.reference_counts.size(); ++y) {
      if (c.reference_counts[y] < 0) {
        return CategoryError(i, c,
                             absl::StrCat("reference count ", y + 1, " is ", c.reference_counts[y],
                                          ": write zero or more"));
      }
      reference_sum += c.reference_counts[y];
    }
    if (reference_sum > kInt64Max) return CategoryError(i, c, "reference counts are too large");
    const absl::int128 years = static_cast<int64_t>(c.reference_counts.size());

    CategoryEntitlement e;
    e.name = c.name;
    e.rate_kr = c.rate_kr;
    e.actual_count = c.actual_count;
    e.reference_years = static_cast<int64_t>(years);
    e.reference_count_sum = static_cast<int64_t>(reference_sum);
    e.baseline_count = *Reduce(reference_sum, years);

    // units above the baseline = (years * actual - sum) / years, never below zero.
    absl::int128 above_numerator = years * c.actual_count - reference_sum;
    if (above_numerator < 0) above_numerator = 0;
    absl::int128 units_numerator = above_numerator;
    absl::int128 units_denominator = years;
    if (terms.unit_rule == UnitRule::kFloor) {
      units_numerator = above_numerator / years;
      units_denominator = 1;
    }
    std::optional<ExactFraction> units = Reduce(units_numerator, units_denominator);
    // rate * units: rate < 2^63 and units numerator < 2^64 * years: fits in 128 bits when
    // years is small; check before multiplying.
    const absl::int128 limit = absl::Int128Max() / (c.rate_kr == 0 ? 1 : c.rate_kr);
    if (!units.has_value() || units_numerator > limit) {
      return CategoryError(i, c, "amount is too large");
    }
    const absl::int128 amount_numerator = units_numerator * c.rate_kr;
    std::optional<ExactFraction> exact_amount = Reduce(amount_numerator, units_denominator);
    if (!exact_amount.has_value()) return CategoryError(i, c, "amount is too large");
    e.units_paid = *units;
    e.exact_amount_kr = *exact_amount;
    e.amount_kr = exact_amount->Floor();  // rounded down to whole kronor
    std::optional<int64_t> total = CheckedAdd(out.total_before_cap_kr, e.amount_kr);
    if (!total.has_value()) return CategoryError(i, c, "total amount is too large");
    out.total_before_cap_kr = *total;
    out.categories.push_back(std::move(e));
  }
  out.total_after_cap_kr = out.total_before_cap_kr;
  if (terms.cap_kr.has_value()) {
    out.cap_reached = out.total_before_cap_kr >= *terms.cap_kr;
    if (out.total_before_cap_kr > *terms.cap_kr) out.total_after_cap_kr = *terms.cap_kr;
  }
  out.cut_by_cap_kr = out.total_before_cap_kr - out.total_after_cap_kr;
  return out;
}

}  // namespace grantledger
