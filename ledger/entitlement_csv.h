// Reading the entitlement models' CSV inputs: weights (population), per-unit categories and
// monthly values. Errors are InvalidArgument naming "file:line", the field, and what to write
// instead. The Parse* functions take the text; the Read* functions read the file first.
#ifndef GRANTLEDGER_LEDGER_ENTITLEMENT_CSV_H_
#define GRANTLEDGER_LEDGER_ENTITLEMENT_CSV_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ledger/csv.h"
#include "ledger/entitlement_monthly_pots.h"
#include "ledger/entitlement_per_unit.h"
#include "ledger/entitlement_population_share.h"

namespace grantledger {

// A whole number, spaces (also non-breaking) allowed as thousands separators: "132 466".
// `field` names the column in the message. Negative numbers are rejected.
absl::StatusOr<int64_t> ParseCount(absl::string_view text, absl::string_view field);

// A measured value with at most six decimals, '.' or ',' as decimal separator: "6,4" ->
// 6 400 000 millionths. Negative values are rejected.
absl::StatusOr<int64_t> ParseMeasuredValueMillionths(absl::string_view text,
                                                     absl::string_view field);

// Weights: a header row, then name (first column) and weight (second column); further columns
// are ignored. Rejects an empty name, a repeated name, a negative or non-numeric weight, a
// "Totalt"/"Total"/"Summa" row, and all weights zero.
absl::StatusOr<std::vector<WeightedRecipient>> ParseWeightsCsv(absl::string_view text,
                                                               absl::string_view source);
absl::StatusOr<std::vector<WeightedRecipient>> ReadWeightsCsv(const std::string& path);

// Per-unit categories: header "category,rate_kr,actual,<reference year>..." with at least one
// reference column, e.g. "category,rate_kr,actual_2025,2022,2023,2024". Every row has every
// column.
struct PerUnitCsv {
  std::vector<std::string> reference_labels;  // the reference columns' headers
  std::vector<UnitCategory> categories;
};
absl::StatusOr<PerUnitCsv> ParsePerUnitCsv(absl::string_view text, absl::string_view source);
absl::StatusOr<PerUnitCsv> ReadPerUnitCsv(const std::string& path);

// Monthly values: header "region,criterion,year,month,value". Year is the period's year or the
// one before; month 1..12 within the period; an empty value means "no value" and the row is
// skipped. Regions must be in `population`; when `criteria` is not empty, criteria must be in
// it, otherwise the criteria are those found, in order of first appearance. A region,
// criterion, year and month may appear only once.
struct MonthlyValuesCsv {
  std::vector<std::string> criteria;
  std::vector<MonthlyObservation> observations;
  int rows_without_value = 0;
};
absl::StatusOr<MonthlyValuesCsv> ParseMonthlyValuesCsv(
    absl::string_view text, absl::string_view source, const MonthlyPeriod& period,
    const std::vector<WeightedRecipient>& population, const std::vector<std::string>& criteria);
absl::StatusOr<MonthlyValuesCsv> ReadMonthlyValuesCsv(
    const std::string& path, const MonthlyPeriod& period,
    const std::vector<WeightedRecipient>& population, const std::vector<std::string>& criteria);

}  // namespace grantledger

#endif  // GRANTLEDGER_LEDGER_ENTITLEMENT_CSV_H_
