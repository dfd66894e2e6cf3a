// CSV inputs for the entitlement models; see entitlement_csv.h.
#include "ledger/entitlement_csv.h"

#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <tuple>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "ledger/csv_reader.h"
#include "ledger/status_macros.h"

namespace grantledger {
namespace {

// The largest whole part of a measured value: 10^12, so its millionths stay below 2^63.
constexpr int64_t kMaxMeasuredValueWhole = 1'000'000'000'000;
static_assert(kMaxMeasuredValueWhole <=
              (std::numeric_limits<int64_t>::max() - (kValueScale - 1)) / kValueScale);
// Further columns are documented as ignored in these inputs.
CsvReadOptions EntitlementCsvOptions() {
  CsvReadOptions options;
  options.allow_extra_cells = true;
  return options;
}

// A std::string copy, for map keys and messages.
std::string S(absl::string_view text) { return std::string(text); }

std::string Where(absl::string_view source, int line) { return absl::StrCat(S(source), ":", line); }

absl::Status RowError(absl::string_view source, int line, const absl::Status& status) {
  return absl::InvalidArgumentError(absl::StrCat(Where(source, line), ": ", status.message()));
}

absl::Status RowError(absl::string_view source, int line, absl::string_view message) {
  return absl::InvalidArgumentError(absl::StrCat(Where(source, line), ": ", S(message)));
}

std::string Field(const CsvRow& row, size_t index) {
  return index < row.fields.size() ? row.fields[index] : std::string();
}

// Parses a whole number with optional thousands separators; a leading '-' gets its own
// message ("it is negative").
absl::StatusOr<int64_t> ParseWhole(absl::string_view text, absl::string_view field,
                                   absl::string_view example) {
  const absl::string_view trimmed = TrimSpaces(text);
  auto bad = [&](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat("field \"", S(field), "\" is \"", S(trimmed),
                                                   "\": ", S(why), ": write a whole number like ",
                                                   S(example)));
  };
  if (trimmed.empty()) return bad("it is empty");
  size_t i = 0;
  if (trimmed[0] == '-') {
    return absl::InvalidArgumentError(absl::StrCat("field \"", S(field), "\" is \"", S(trimmed),
                                                   "\": it is negative: write zero or more"));
  }
  if (trimmed[0] == '+') ++i;
  int64_t value = 0;
  int digits = 0;
  while (i < trimmed.size()) {
    const unsigned char c = static_cast<unsigned char>(trimmed[i]);
    if (c >= '0' && c <= '9') {
      if (value > (std::numeric_limits<int64_t>::max() - 9) / 10) return bad("it is too large");
      value = value * 10 + (c - '0');
      ++digits;
      ++i;
    } else if (c == ' ' && digits > 0) {
      ++i;
    } else if (c == 0xC2 && i + 1 < trimmed.size() &&
               static_cast<unsigned char>(trimmed[i + 1]) == 0xA0 && digits > 0) {
      i += 2;
    } else {
      return bad("it is not a whole number");
    }
  }
  if (digits == 0) return bad("it has no digits");
  return value;
}

bool IsTotalRowName(absl::string_view name) {
  const std::string lower = absl::AsciiStrToLower(S(name));
  return lower == "totalt" || lower == "total" || lower == "summa" || lower == "sum";
}

}  // namespace

absl::StatusOr<int64_t> ParseCount(absl::string_view text, absl::string_view field) {
  return ParseWhole(text, field, "132 466");
}

absl::StatusOr<int64_t> ParseMeasuredValueMillionths(absl::string_view text,
                                                     absl::string_view field) {
  const absl::string_view trimmed = TrimSpaces(text);
  auto bad = [&](absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat("field \"", S(field), "\" is \"", S(trimmed), "\": ", S(why),
                     ": write a number like 6,4 or 6.4 (at most six decimals)"));
  };
  if (trimmed.empty()) return bad("it is empty");
  if (trimmed[0] == '-') {
    return absl::InvalidArgumentError(absl::StrCat("field \"", S(field), "\" is \"", S(trimmed),
                                                   "\": it is negative: write zero or more"));
  }
  int64_t whole = 0, fraction = 0;
  int whole_digits = 0, decimals = -1;
  for (size_t i = 0; i < trimmed.size(); ++i) {
    const char c = trimmed[i];
    if (c >= '0' && c <= '9') {
      if (decimals >= 0) {
        if (decimals == 6) return bad("it has more than six decimals");
        fraction = fraction * 10 + (c - '0');
        ++decimals;
      } else {
        // Bounded before it grows, so whole * kValueScale below always fits in int64.
        whole = whole * 10 + (c - '0');
        if (whole > kMaxMeasuredValueWhole) {
          return bad(absl::StrCat("it is too large (at most ", kMaxMeasuredValueWhole, ")"));
        }
        ++whole_digits;
      }
    } else if ((c == '.' || c == ',') && decimals < 0 && whole_digits > 0) {
      decimals = 0;
    } else if (c == ' ' && decimals < 0 && whole_digits > 0) {
      // thousands separator
    } else {
      return bad("it is not a number");
    }
  }
  if (whole_digits == 0) return bad("it has no digits before the decimal separator");
  if (decimals == 0) return bad("it ends with a decimal separator");
  for (int d = decimals < 0 ? 0 : decimals; d < 6; ++d) fraction *= 10;
  return whole * kValueScale + fraction;
}

absl::StatusOr<std::vector<WeightedRecipient>> ParseWeightsCsv(absl::string_view text,
                                                               absl::string_view source) {
  GL_ASSIGN_OR_RETURN(CsvTable table, ReadCsv(text, source, EntitlementCsvOptions()));
  if (table.header.size() < 2) {
    return RowError(source, 1,
                    "the header has fewer than two columns: write a header like name,weight");
  }
  const std::string weight_field = table.header[1].empty() ? "weight" : table.header[1];
  std::vector<WeightedRecipient> out;
  std::map<std::string, int> line_of;
  int64_t total = 0;
  for (const CsvRow& row : table.rows) {
    const std::string name = Field(row, 0);
    if (name.empty()) {
      return RowError(source, row.line, "field \"name\" is empty: write the recipient's name");
    }
    if (IsTotalRowName(name)) {
      return RowError(source, row.line,
                      absl::StrCat("field \"name\" is \"", name,
                                   "\": this looks like a total row: remove it (the total is "
                                   "computed)"));
    }
    if (row.fields.size() < 2) {
      return RowError(source, row.line,
                      absl::StrCat("field \"", weight_field,
                                   "\" is missing: write the weight in the second column"));
    }
    absl::StatusOr<int64_t> weight = ParseCount(row.fields[1], weight_field);
    if (!weight.ok()) return RowError(source, row.line, weight.status());
    auto [it, inserted] = line_of.emplace(name, row.line);
    if (!inserted) {
      return RowError(source, row.line,
                      absl::StrCat("field \"name\": \"", name, "\" already appears on line ",
                                   it->second, ": give each recipient once"));
    }
    if (__builtin_add_overflow(total, *weight, &total)) {
      return RowError(source, row.line, "the weights add up to more than 64 bits can hold");
    }
    out.push_back({name, *weight});
  }
  if (total == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        S(source), ": all weights are zero: at least one recipient needs a positive weight"));
  }
  return out;
}

absl::StatusOr<std::vector<WeightedRecipient>> ReadWeightsCsv(const std::string& path) {
  GL_ASSIGN_OR_RETURN(std::string text, ReadTextFile(path));
  return ParseWeightsCsv(text, path);
}

absl::StatusOr<PerUnitCsv> ParsePerUnitCsv(absl::string_view text, absl::string_view source) {
  GL_ASSIGN_OR_RETURN(CsvTable table, ReadCsv(text, source, EntitlementCsvOptions()));
  if (table.header.size() < 4) {
    return RowError(source, 1,
                    "the header needs at least four columns: write "
                    "category,rate_kr,actual,<reference year>... e.g. "
                    "category,rate_kr,actual_2025,2022,2023,2024");
  }
  PerUnitCsv out;
  for (size_t c = 3; c < table.header.size(); ++c) {
    out.reference_labels.push_back(table.header[c].empty() ? absl::StrCat("reference ", c - 2)
                                                           : table.header[c]);
  }
  auto field_name = [&](size_t c) {
    if (c == 0) return std::string("category");
    if (c == 1) return std::string("rate_kr");
    if (c == 2) return table.header[2].empty() ? std::string("actual") : table.header[2];
    return out.reference_labels[c - 3];
  };
  std::map<std::string, int> line_of;
  for (const CsvRow& row : table.rows) {
    if (row.fields.size() != table.header.size()) {
      return RowError(source, row.line,
                      absl::StrCat("the row has ", row.fields.size(), " fields but the header has ",
                                   table.header.size(), ": give every column, e.g. ",
                                   "Höftledsprotes,108 000,230,180,190,200"));
    }
    UnitCategory category;
    category.name = row.fields[0];
    if (category.name.empty()) {
      return RowError(source, row.line, "field \"category\" is empty: write the category's name");
    }
    auto [it, inserted] = line_of.emplace(category.name, row.line);
    if (!inserted) {
      return RowError(
          source, row.line,
          absl::StrCat("field \"category\": \"", category.name, "\" already appears on line ",
                       it->second, ": give each category once"));
    }
    absl::StatusOr<int64_t> rate = ParseWhole(row.fields[1], field_name(1), "108 000");
    if (!rate.ok()) return RowError(source, row.line, rate.status());
    category.rate_kr = *rate;
    absl::StatusOr<int64_t> actual = ParseCount(row.fields[2], field_name(2));
    if (!actual.ok()) return RowError(source, row.line, actual.status());
    category.actual_count = *actual;
    for (size_t c = 3; c < row.fields.size(); ++c) {
      absl::StatusOr<int64_t> reference = ParseCount(row.fields[c], field_name(c));
      if (!reference.ok()) return RowError(source, row.line, reference.status());
      category.reference_counts.push_back(*reference);
    }
    out.categories.push_back(std::move(category));
  }
  return out;
}

absl::StatusOr<PerUnitCsv> ReadPerUnitCsv(const std::string& path) {
  GL_ASSIGN_OR_RETURN(std::string text, ReadTextFile(path));
  return ParsePerUnitCsv(text, path);
}

absl::StatusOr<MonthlyValuesCsv> ParseMonthlyValuesCsv(
    absl::string_view text, absl::string_view source, const MonthlyPeriod& period,
    const std::vector<WeightedRecipient>& population, const std::vector<std::string>& criteria) {
  GL_ASSIGN_OR_RETURN(CsvTable table, ReadCsv(text, source, EntitlementCsvOptions()));
  if (table.header.size() < 5) {
    return RowError(source, 1,
                    "the header needs five columns: write region,criterion,year,month,value");
  }
  std::map<std::string, bool> regions;
  for (const WeightedRecipient& r : population) regions[r.name] = true;
  MonthlyValuesCsv out;
  out.criteria = criteria;
  std::map<std::string, bool> known_criteria;
  for (const std::string& c : criteria) known_criteria[c] = true;
  std::map<std::tuple<std::string, std::string, int, int>, int> line_of;
  for (const CsvRow& row : table.rows) {
    if (row.fields.size() < 5) {
      return RowError(source, row.line,
                      absl::StrCat("the row has ", row.fields.size(),
                                   " fields: write region,criterion,year,month,value (an empty "
                                   "value means no value)"));
    }
    MonthlyObservation o;
    o.region = row.fields[0];
    if (o.region.empty()) {
      return RowError(source, row.line, "field \"region\" is empty: write the region's name");
    }
    if (!regions.count(o.region)) {
      return RowError(source, row.line,
                      absl::StrCat("field \"region\" is \"", o.region,
                                   "\", which is not in the population file: write a region "
                                   "from that file, spelled the same way"));
    }
    o.criterion = row.fields[1];
    if (o.criterion.empty()) {
      return RowError(source, row.line, "field \"criterion\" is empty: write the criterion");
    }
    if (!known_criteria.count(o.criterion)) {
      if (!criteria.empty()) {
        std::string list;
        for (const std::string& c : criteria) absl::StrAppend(&list, list.empty() ? "" : ", ", c);
        return RowError(
            source, row.line,
            absl::StrCat("field \"criterion\" is \"", o.criterion, "\": write one of ", list));
      }
      known_criteria[o.criterion] = true;
      out.criteria.push_back(o.criterion);
    }
    absl::StatusOr<int64_t> year = ParseWhole(row.fields[2], "year", "2024");
    if (!year.ok()) return RowError(source, row.line, year.status());
    if (*year != period.year && *year != period.year - 1) {
      return RowError(source, row.line,
                      absl::StrCat("field \"year\" is ", *year, ": write ", period.year,
                                   " (measured) or ", period.year - 1, " (comparison)"));
    }
    absl::StatusOr<int64_t> month = ParseWhole(row.fields[3], "month", "2 (for February)");
    if (!month.ok()) return RowError(source, row.line, month.status());
    if (*month < period.first_month || *month > period.last_month) {
      return RowError(
          source, row.line,
          absl::StrCat("field \"month\" is ", *month, ", outside the period: write a month from ",
                       period.first_month, " to ", period.last_month));
    }
    o.year = static_cast<int>(*year);
    o.month = static_cast<int>(*month);
    auto key = std::make_tuple(o.region, o.criterion, o.year, o.month);
    auto [it, inserted] = line_of.emplace(key, row.line);
    if (!inserted) {
      return RowError(source, row.line,
                      absl::StrCat("field \"region\": ", o.region, ", ", o.criterion, ", ",
                                   FormatYearMonth(o.year, o.month), " already appears on line ",
                                   it->second, ": keep one row per region, criterion and month"));
    }
    if (TrimSpaces(row.fields[4]).empty()) {
      ++out.rows_without_value;  // no value: the region cannot earn that month
      continue;
    }
    absl::StatusOr<int64_t> value = ParseMeasuredValueMillionths(row.fields[4], "value");
    if (!value.ok()) return RowError(source, row.line, value.status());
    o.value_millionths = *value;
    out.observations.push_back(std::move(o));
  }
  return out;
}

absl::StatusOr<MonthlyValuesCsv> ReadMonthlyValuesCsv(
    const std::string& path, const MonthlyPeriod& period,
    const std::vector<WeightedRecipient>& population, const std::vector<std::string>& criteria) {
  GL_ASSIGN_OR_RETURN(std::string text, ReadTextFile(path));
  return ParseMonthlyValuesCsv(text, path, period, population, criteria);
}

}  // namespace grantledger
