// Amounts as exports write them; see amount_text.h.
#include "ledger/amount_text.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "ledger/money.h"

namespace grantledger {
namespace {

enum class Sep { kSpace, kPoint, kComma };

const char* SepName(Sep s) {
  switch (s) {
    case Sep::kSpace:
      return "a space";
    case Sep::kPoint:
      return "'.'";
    case Sep::kComma:
      return "','";
  }
  return "?";
}

}  // namespace

absl::StatusOr<DecimalMark> ParseDecimalMark(absl::string_view name) {
  if (name.empty() || name == "auto") return DecimalMark::kAuto;
  if (name == "," || name == "comma") return DecimalMark::kComma;
  if (name == "." || name == "point") return DecimalMark::kPoint;
  return absl::InvalidArgumentError(
      absl::StrCat("--decimal-separator ", name, ": give ',' or '.' (or auto)"));
}

absl::StatusOr<int64_t> ParseAmountText(absl::string_view text, DecimalMark mark) {
  const std::string shown(text);
  auto bad = [&](absl::string_view why, absl::string_view fix = "") {
    return absl::InvalidArgumentError(absl::StrCat(
        "amount \"", shown, "\" ", why, ": ",
        fix.empty() ? "write kronor like 1234,50 or 1 234,50 (at most two decimals)" : fix));
  };
  // Trim spaces (ASCII and no-break) at both ends, and a trailing "kr".
  auto trim = [](absl::string_view t) {
    while (true) {
      if (!t.empty() && (t.front() == ' ' || t.front() == '\t')) {
        t.remove_prefix(1);
      } else if (t.substr(0, 2) == "\xC2\xA0") {
        t.remove_prefix(2);
      } else if (t.substr(0, 3) == "\xE2\x80\xAF") {
        t.remove_prefix(3);
      } else if (!t.empty() && (t.back() == ' ' || t.back() == '\t')) {
        t.remove_suffix(1);
      } else if (t.size() >= 2 && t.substr(t.size() - 2) == "\xC2\xA0") {
        t.remove_suffix(2);
      } else if (t.size() >= 3 && t.substr(t.size() - 3) == "\xE2\x80\xAF") {
        t.remove_suffix(3);
      } else {
        return t;
      }
    }
  };
  absl::string_view t = trim(text);
  if (t.size() >= 2 && (t.substr(t.size() - 2) == "kr" || t.substr(t.size() - 2) == "KR"))
    t = trim(t.substr(0, t.size() - 2));
  if (t.empty()) return bad("is empty");
  bool negative = false;
  if (t.front() == '-' || t.front() == '+') {
    negative = t.front() == '-';
    t.remove_prefix(1);
  } else if (t.substr(0, 3) == "\xE2\x88\x92") {  // U+2212 minus sign
    negative = true;
    t.remove_prefix(3);
  }
  // Digit runs and the separators between them.
  std::vector<std::string> runs(1);
  std::vector<Sep> seps;
  for (size_t i = 0; i < t.size();) {
    const char c = t[i];
    if (c >= '0' && c <= '9') {
      runs.back() += c;
      ++i;
      continue;
    }
    Sep sep;
    size_t width = 1;
    if (c == ' ') {
      sep = Sep::kSpace;
    } else if (t.substr(i, 2) == "\xC2\xA0") {
      sep = Sep::kSpace;
      width = 2;
    } else if (t.substr(i, 3) == "\xE2\x80\xAF") {
      sep = Sep::kSpace;
      width = 3;
    } else if (c == '.') {
      sep = Sep::kPoint;
    } else if (c == ',') {
      sep = Sep::kComma;
    } else {
      return bad(absl::StrCat("has an unexpected character at position ", i + 1));
    }
    if (runs.back().empty()) {
      return bad(runs.size() == 1 ? "has no digits before a separator"
                                  : "has two separators in a row");
    }
    seps.push_back(sep);
    runs.emplace_back();
    i += width;
  }
  if (runs.back().empty()) return bad(seps.empty() ? "has no digits" : "ends with a separator");

  // Which separator, if any, is the decimal one: the last separator, when it can only be that.
  int points = 0, commas = 0;
  for (Sep s : seps) {
    points += s == Sep::kPoint;
    commas += s == Sep::kComma;
  }
  bool has_decimals = false;
  if (!seps.empty() && seps.back() != Sep::kSpace) {
    const Sep last = seps.back();
    const int count = last == Sep::kPoint ? points : commas;
    const bool other_mark_present = last == Sep::kPoint ? commas > 0 : points > 0;
    const bool marked = (mark == DecimalMark::kComma && last == Sep::kComma) ||
                        (mark == DecimalMark::kPoint && last == Sep::kPoint);
    const bool marked_other = (mark == DecimalMark::kComma && last == Sep::kPoint) ||
                              (mark == DecimalMark::kPoint && last == Sep::kComma);
    if (count > 1) {
      // A mark that occurs twice separates thousands; "12,5,0" meant decimals twice.
      if (runs.back().size() < 3 && !other_mark_present)
        return bad("has more than one decimal separator");
      has_decimals = false;
    } else if (marked || other_mark_present) {
      has_decimals = true;
    } else if (marked_other) {
      has_decimals = false;
    } else if (runs.back().size() <= 2) {
      has_decimals = true;
    } else if (runs.back().size() == 3) {
      // Thousands only when every group before is one: "1234,567" can only be decimals.
      bool could_be_thousands = runs[0].size() <= 3;
      for (size_t k = 1; k + 1 < runs.size(); ++k) could_be_thousands &= runs[k].size() == 3;
      if (!could_be_thousands) return bad("has more than two decimals");
      return bad(
          absl::StrCat("is ambiguous: ", SepName(last), " may separate thousands or decimals"),
          absl::StrCat("write it without thousands separators (1234 or 1234",
                       last == Sep::kPoint ? "." : ",", "00), or give --decimal-separator"));
    } else {
      return bad("has more than two decimals");
    }
  }
  if (has_decimals && mark != DecimalMark::kAuto) {
    const Sep decimal = seps.back();
    if ((mark == DecimalMark::kComma && decimal != Sep::kComma) ||
        (mark == DecimalMark::kPoint && decimal != Sep::kPoint)) {
      return bad("uses the other decimal separator than --decimal-separator");
    }
  }
  const size_t integer_runs = has_decimals ? runs.size() - 1 : runs.size();
  std::string fraction = has_decimals ? runs.back() : "";
  if (fraction.size() > 2) return bad("has more than two decimals");
  // Thousands separators: one kind, groups of exactly three after a first group of 1-3.
  if (integer_runs > 1) {
    const Sep thousands = seps[0];
    for (size_t k = 0; k + 1 < integer_runs; ++k) {
      if (seps[k] != thousands) {
        return bad(absl::StrCat("mixes ", SepName(thousands), " and ", SepName(seps[k]),
                                " between digit groups"));
      }
    }
    if (has_decimals && seps.back() == thousands) {
      return bad("has more than one decimal separator");
    }
    if (runs[0].size() > 3) {
      return bad("is ambiguous: a digit group before a thousands separator is longer than three",
                 "write it without separators (1234567) or in groups of three (1 234 567)");
    }
    for (size_t k = 1; k < integer_runs; ++k) {
      if (runs[k].size() != 3) {
        return bad(
            "is ambiguous: the digit groups are not thousands (groups of three)",
            "write it without separators (1234) or in groups of three (1 234 567); one amount "
            "per cell");
      }
    }
  }
  std::string digits;
  for (size_t k = 0; k < integer_runs; ++k) digits += runs[k];
  while (fraction.size() < 2) fraction += '0';
  if (digits.size() > 14) return bad("is too large");
  const uint64_t kronor = std::stoull(digits);
  const uint64_t total = kronor * 100 + std::stoull(fraction);
  if (total > static_cast<uint64_t>(kMaxEventAmountOre)) return bad("is too large");
  const int64_t value = static_cast<int64_t>(total);
  return negative ? -value : value;
}

}  // namespace grantledger
