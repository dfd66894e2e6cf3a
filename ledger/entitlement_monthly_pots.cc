// Monthly pots with a bonus pot; see entitlement_monthly_pots.h.
#include "ledger/entitlement_monthly_pots.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "absl/numeric/int128.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "ledger/money.h"
#include "ledger/status_macros.h"

namespace grantledger {
namespace {

std::string Kr(int64_t amount_kr) { return FormatKronor(amount_kr * 100); }

std::string ObservationLabel(size_t index, const MonthlyObservation& o) {
  return absl::StrCat("observation ", index + 1, " (", o.region, ", ", o.criterion, ", ",
                      FormatYearMonth(o.year, o.month), ")");
}

}  // namespace

std::string FormatMeasuredValue(int64_t value_millionths) {
  const bool negative = value_millionths < 0;
  const uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(value_millionths)
                                      : static_cast<uint64_t>(value_millionths);
  std::string out = absl::StrCat(negative ? "-" : "", magnitude / kValueScale);
  uint64_t fraction = magnitude % kValueScale;
  if (fraction != 0) {
    std::string digits = absl::StrFormat("%06d", fraction);
    while (!digits.empty() && digits.back() == '0') digits.pop_back();
    absl::StrAppend(&out, ".", digits);
  }
  return out;
}

std::string FormatYearMonth(int year, int month) {
  return absl::StrFormat("%04d-%02d", year, month);
}

absl::string_view EarnedByName(EarnedBy earned_by) {
  switch (earned_by) {
    case EarnedBy::kImprovement:
      return "improvement";
    case EarnedBy::kTopRank:
      return "top rank";
    case EarnedBy::kNotEarned:
      return "not earned";
    case EarnedBy::kNoValue:
      return "no value";
  }
  return "?";
}

absl::StatusOr<MonthlyPotsResult> ComputeMonthlyPots(
    const std::vector<WeightedRecipient>& population,
    const std::vector<MonthlyObservation>& observations, const MonthlyPotsTerms& terms) {
  // --- validate the terms and the regions
  const MonthlyPeriod& period = terms.period;
  if (terms.total_kr < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("total is ", terms.total_kr, " kr: write zero or more whole kronor"));
  }
  if (period.first_month < 1 || period.last_month > 12 || period.first_month > period.last_month) {
    return absl::InvalidArgumentError(
        absl::StrCat("period months ", period.first_month, "..", period.last_month,
                     " are not a range within 1..12: write e.g. 2..10 for February–October"));
  }
  if (period.year < 1 || period.year > 9999) {
    return absl::InvalidArgumentError(
        absl::StrCat("period year ", period.year, " is not a year: write e.g. 2024"));
  }
  if (terms.top_count < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("top count is ", terms.top_count, ": write 1 or more (the seed uses 5)"));
  }
  if (terms.improvement_permille < 0 || terms.improvement_permille > 1000) {
    return absl::InvalidArgumentError(
        absl::StrCat("improvement threshold is ", terms.improvement_permille,
                     " per mille: write 0..1000 (995 means at least 0.5 % fewer than last year)"));
  }
  if (terms.criteria.empty()) {
    return absl::InvalidArgumentError("no criteria: give at least one criterion");
  }
  std::map<std::string, size_t> criterion_index;
  for (size_t c = 0; c < terms.criteria.size(); ++c) {
    if (terms.criteria[c].empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("criterion ", c + 1, " has no name: write the criterion's name"));
    }
    if (!criterion_index.emplace(terms.criteria[c], c).second) {
      return absl::InvalidArgumentError(absl::StrCat(
          "criterion \"", terms.criteria[c], "\" is given twice: give each criterion once"));
    }
  }
  if (population.empty()) {
    return absl::InvalidArgumentError("no regions: give at least one region with a population");
  }
  std::map<std::string, size_t> region_index;
  for (size_t r = 0; r < population.size(); ++r) {
    if (population[r].name.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("region ", r + 1, " has no name: write the region's name"));
    }
    if (!region_index.emplace(population[r].name, r).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("region ", r + 1, " (\"", population[r].name,
                       "\") appears twice in the population: give each region once"));
    }
  }

  // --- index the observations: (region, criterion, year, month) -> value
  using Key = std::tuple<size_t, size_t, int, int>;
  std::map<Key, int64_t> values;
  for (size_t i = 0; i < observations.size(); ++i) {
    const MonthlyObservation& o = observations[i];
    auto region = region_index.find(o.region);
    if (region == region_index.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat(ObservationLabel(i, o),
                       ": region is not in the population: add it there or fix the name"));
    }
    auto criterion = criterion_index.find(o.criterion);
    if (criterion == criterion_index.end()) {
      return absl::InvalidArgumentError(absl::StrCat(ObservationLabel(i, o),
                                                     ": criterion is unknown: write one of the "
                                                     "model's criteria"));
    }
    if (o.year != period.year && o.year != period.year - 1) {
      return absl::InvalidArgumentError(absl::StrCat(ObservationLabel(i, o), ": year must be ",
                                                     period.year, " or ", period.year - 1));
    }
    if (o.month < period.first_month || o.month > period.last_month) {
      return absl::InvalidArgumentError(
          absl::StrCat(ObservationLabel(i, o), ": month is outside the period: write a month from ",
                       period.first_month, " to ", period.last_month));
    }
    if (o.value_millionths < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(ObservationLabel(i, o), ": value is negative: write zero or more"));
    }
    if (!values.emplace(Key{region->second, criterion->second, o.year, o.month}, o.value_millionths)
             .second) {
      return absl::InvalidArgumentError(absl::StrCat(
          ObservationLabel(i, o), ": this region, criterion and month appear twice: keep one"));
    }
  }

  MonthlyPotsResult out;
  out.terms = terms;
  const size_t region_count = population.size();
  const size_t criterion_count = terms.criteria.size();
  const int month_count = period.MonthCount();

  // --- pots: total -> criteria (equal parts) -> months (equal parts), largest remainder
  GL_ASSIGN_OR_RETURN(
      out.criterion_pot_kr,
      SplitByLargestRemainder(terms.total_kr, std::vector<int64_t>(criterion_count, 1)));
  std::vector<std::vector<int64_t>> month_pot_kr(criterion_count);
  for (size_t c = 0; c < criterion_count; ++c) {
    GL_ASSIGN_OR_RETURN(
        month_pot_kr[c],
        SplitByLargestRemainder(out.criterion_pot_kr[c], std::vector<int64_t>(month_count, 1)));
  }

  out.regions.resize(region_count);
  for (size_t r = 0; r < region_count; ++r) {
    out.regions[r].name = population[r].name;
    out.regions[r].earned_by_criterion_kr.assign(criterion_count, 0);
  }

  std::vector<std::string> event_notes;
  for (int m = 0; m < month_count; ++m) {
    const int month = period.first_month + m;
    for (size_t c = 0; c < criterion_count; ++c) {
      MonthCriterionResult mc;
      mc.month = month;
      mc.criterion_index = c;
      mc.pot_kr = month_pot_kr[c][m];
      GL_ASSIGN_OR_RETURN(std::vector<RecipientShare> reservations,
                          ComputePopulationShares(mc.pot_kr, population));
      mc.regions.resize(region_count);
      std::vector<int64_t> this_year;
      for (size_t r = 0; r < region_count; ++r) {
        RegionMonthOutcome& o = mc.regions[r];
        o.reservation_kr = reservations[r].amount_kr;
        auto now = values.find(Key{r, c, period.year, month});
        if (now != values.end()) {
          o.value_millionths = now->second;
          this_year.push_back(now->second);
        }
        auto last = values.find(Key{r, c, period.year - 1, month});
        if (last != values.end()) o.last_year_value_millionths = last->second;
      }
      // Top rank: every region whose value is at most the top_count-th lowest value, so all
      // regions tied at the last place count.
      std::sort(this_year.begin(), this_year.end());
      if (!this_year.empty()) {
        const size_t cutoff_at = std::min(this_year.size(), size_t(terms.top_count)) - 1;
        mc.top_rank_cutoff_millionths = this_year[cutoff_at];
      }
      int regions_without_value = 0;
      for (size_t r = 0; r < region_count; ++r) {
        RegionMonthOutcome& o = mc.regions[r];
        if (!o.value_millionths.has_value()) {
          o.earned_by = EarnedBy::kNoValue;
          ++regions_without_value;
        } else if (o.last_year_value_millionths.has_value() && *o.last_year_value_millionths > 0 &&
                   absl::int128(*o.value_millionths) * 1000 <=
                       absl::int128(*o.last_year_value_millionths) * terms.improvement_permille) {
          o.earned_by = EarnedBy::kImprovement;
        } else if (*o.value_millionths <= *mc.top_rank_cutoff_millionths) {
          o.earned_by = EarnedBy::kTopRank;
        } else {
          o.earned_by = EarnedBy::kNotEarned;
        }
        // Regions in the top rank by value, whether or not they were paid for improvement.
        if (o.value_millionths.has_value() &&
            *o.value_millionths <= *mc.top_rank_cutoff_millionths) {
          ++mc.regions_by_top_rank;
        }
        if (o.Earned()) {
          ++mc.regions_earned;
          mc.earned_kr += o.reservation_kr;
          out.regions[r].earned_by_criterion_kr[c] += o.reservation_kr;
        } else {
          mc.to_bonus_pot_kr += o.reservation_kr;
        }
      }
      const std::string label =
          absl::StrCat(FormatYearMonth(period.year, month), " ", terms.criteria[c]);
      if (mc.regions_by_top_rank > terms.top_count) {
        event_notes.push_back(absl::StrCat(
            label, ": ", mc.regions_by_top_rank, " regions are in the top ", terms.top_count,
            " because values tie at place ", terms.top_count, " (",
            FormatMeasuredValue(*mc.top_rank_cutoff_millionths), "); all tied regions count"));
      }
      if (regions_without_value > 0) {
        event_notes.push_back(absl::StrCat(label, ": ", regions_without_value,
                                           " region(s) have no value and earn nothing"));
      }
      if (mc.regions_earned == 0 && mc.pot_kr > 0) {
        event_notes.push_back(absl::StrCat(label, ": nobody earned; the whole ", Kr(mc.pot_kr),
                                           " goes to the bonus pot"));
      }
      out.earned_kr += mc.earned_kr;
      out.bonus_pot_kr += mc.to_bonus_pot_kr;
      out.months.push_back(std::move(mc));
    }
  }

  // --- bonus pot: in proportion to each region's earned money over the whole period
  std::vector<int64_t> earned_weights(region_count);
  for (size_t r = 0; r < region_count; ++r) {
    for (int64_t kr : out.regions[r].earned_by_criterion_kr) out.regions[r].earned_kr += kr;
    earned_weights[r] = out.regions[r].earned_kr;
  }
  std::vector<int64_t> bonus_kr(region_count, 0);
  out.bonus_paid = out.earned_kr > 0;
  if (out.bonus_paid) {
    GL_ASSIGN_OR_RETURN(bonus_kr, SplitByLargestRemainder(out.bonus_pot_kr, earned_weights));
  }
  for (size_t r = 0; r < region_count; ++r) {
    out.regions[r].bonus_kr = bonus_kr[r];
    out.regions[r].total_kr = out.regions[r].earned_kr + bonus_kr[r];
    out.paid_kr += out.regions[r].total_kr;
  }
  out.unpaid_kr = terms.total_kr - out.paid_kr;

  // --- notes: the rules, then what happened
  out.notes.push_back(
      absl::StrCat("Pots: ", Kr(terms.total_kr), " in ", criterion_count,
                   " equal part(s) by criterion, each split over the ", month_count, " months ",
                   FormatYearMonth(period.year, period.first_month), "..",
                   FormatYearMonth(period.year, period.last_month),
                   " by largest remainder (kronor left over go to the earliest months)."));
  out.notes.push_back(
      "Reservations: each month's pot split by population share (largest remainder; ties to "
      "the larger population, then the earlier row).");
  out.notes.push_back(absl::StrCat(
      "Improvement: this year's value <= ", terms.improvement_permille,
      "/1000 of the same month last year, compared exactly; only where last year's value "
      "exists and is above zero. Paid once: improvement wins when both hold."));
  out.notes.push_back(absl::StrCat(
      "Top ", terms.top_count, ": the regions with the ", terms.top_count,
      " lowest values that month; regions tied at place ", terms.top_count, " all count."));
  out.notes.push_back(
      "Missing values: a region without a value this month earns nothing for it; without last "
      "year's value it can earn only by top rank.");
  out.notes.push_back(
      "Bonus pot: unearned reservations, paid in proportion to each region's earned money over "
      "the period (largest remainder; ties to the larger earned amount, then the earlier row).");
  for (std::string& note : event_notes) out.notes.push_back(std::move(note));
  if (!out.bonus_paid) {
    out.notes.push_back(absl::StrCat("Nobody earned anything in the period: nothing is paid; ",
                                     Kr(out.unpaid_kr), " remain unpaid."));
  }
  return out;
}

}  // namespace grantledger
