// Strict ISO civil date parsing; see civil_date.h.
#include "ledger/civil_date.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "ledger/text_rules.h"

namespace grantledger {

absl::StatusOr<absl::CivilDay> ParseCivilDay(absl::string_view text, absl::string_view field) {
  auto bad = [&](absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": ", QuoteForMessage(text), " ", why,
                     "; write the date as YYYY-MM-DD, e.g. 2025-12-31"));
  };
  if (text.empty()) return bad("is missing");
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return bad("is not a date");
  int parts[3] = {0, 0, 0};
  const int starts[3] = {0, 5, 8};
  const int lengths[3] = {4, 2, 2};
  for (int p = 0; p < 3; ++p) {
    for (int i = 0; i < lengths[p]; ++i) {
      char c = text[starts[p] + i];
      if (c < '0' || c > '9') return bad("is not a date");
      parts[p] = parts[p] * 10 + (c - '0');
    }
  }
  if (parts[0] < 1900 || parts[0] > 2999) return bad("has a year outside 1900-2999");
  absl::CivilDay day(parts[0], parts[1], parts[2]);
  if (day.year() != parts[0] || day.month() != parts[1] || day.day() != parts[2]) {
    return bad("is not a day in the calendar");
  }
  return day;
}

std::string FormatCivilDay(absl::CivilDay day) {
  return absl::StrFormat("%04d-%02d-%02d", day.year(), day.month(), day.day());
}

}  // namespace grantledger
